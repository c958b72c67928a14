"""The benchmark (`make bench`): times the station pages and API lists on a large station and
records their query counts, writing bench/results.json. Uses its own database, jointdefense_bench.

Budgets from DESIGN.md checked here: a page or API list costs a fixed number of queries whatever
the number of rows; pages answer well under a second on a 2-core machine.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jointdefense.settings.test")
os.environ.setdefault("DATABASE_URL", "postgis://postgres@127.0.0.1:5432/jointdefense_bench")
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import django  # noqa: E402

django.setup()

from django.contrib.gis.geos import MultiPolygon, Polygon  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from jointdefense.accounts.models import User  # noqa: E402
from jointdefense.tenancy.models import Community, GridCell, Membership, Role, Tenant  # noqa: E402

COMMUNITIES = int(os.environ.get("BENCH_COMMUNITIES", 200))
CELLS_PER_COMMUNITY = int(os.environ.get("BENCH_CELLS", 10))
RUNS = int(os.environ.get("BENCH_RUNS", 20))


def square(x, y, size):
    return Polygon(((x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y)), srid=4326)


def build_large_station():
    station, created = Tenant.objects.get_or_create(
        slug="bench-station",
        defaults={
            "name": "Bench Station",
            "name_en": "Bench Station",
            "boundary": MultiPolygon(square(110, 30, 2)),
        },
    )
    with scopes_disabled():
        if Community.objects.filter(tenant=station).count() != COMMUNITIES:
            GridCell.objects.filter(tenant=station).delete()
            Community.objects.filter(tenant=station).delete()
            side = int(COMMUNITIES**0.5) + 1
            size = 2 / side
            communities = Community.objects.bulk_create(
                Community(
                    tenant=station,
                    slug=f"c{i}",
                    name=f"Community {i}",
                    name_en=f"Community {i}",
                    boundary=square(110 + (i % side) * size, 30 + (i // side) * size, size),
                )
                for i in range(COMMUNITIES)
            )
            GridCell.objects.bulk_create(
                GridCell(
                    tenant=station,
                    community=c,
                    code=f"{c.slug}-{n}",
                    name=f"Cell {n}",
                    name_en=f"Cell {n}",
                    boundary=c.boundary,
                )
                for c in communities
                for n in range(CELLS_PER_COMMUNITY)
            )
        user, _ = User.objects.get_or_create(username="bench-officer")
        Membership.objects.get_or_create(tenant=station, user=user, defaults={"roles": [Role.OFFICER]})
    return station, user


def measure(client, url):
    client.get(url)  # warm
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return {
        "url": url,
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(sorted(timings)[int(len(timings) * 0.95) - 1], 1),
        "queries": len(queries),
    }


def main():
    call_command("migrate", verbosity=0)
    station, user = build_large_station()
    client = Client()
    client.force_login(user)
    s = station.slug
    results = {
        "station": {"communities": COMMUNITIES, "grid_cells": COMMUNITIES * CELLS_PER_COMMUNITY},
        "runs": RUNS,
        "cases": {
            "station_home": measure(client, f"/s/{s}/"),
            "community_list_page": measure(client, f"/s/{s}/communities/"),
            "api_communities": measure(client, f"/api/s/{s}/communities/"),
            "api_grid_cells_page_of_100": measure(client, f"/api/s/{s}/grid-cells/"),
        },
    }
    out = ROOT / "bench" / "results.json"
    out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
