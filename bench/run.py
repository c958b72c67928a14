"""The benchmark (`make bench`): times the station pages and API lists on a large station and
records their query counts, writing bench/results.json. Uses its own database, jointdefense_bench.

Budgets from DESIGN.md checked here: a page or API list costs a fixed number of queries whatever
the number of rows; pages answer well under a second on a 2-core machine.
"""

import contextlib
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

from django.contrib.gis.geos import LineString, MultiPolygon, Polygon  # noqa: E402
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
        Membership.objects.update_or_create(
            tenant=station, user=user, defaults={"roles": [Role.OFFICER, Role.CHIEF]}
        )
    return station, user


VOLUNTEERS = int(os.environ.get("BENCH_VOLUNTEERS", 5000))
ENTRIES_PER_VOLUNTEER = int(os.environ.get("BENCH_ENTRIES", 20))


def build_volunteers(station, officer):
    """BENCH_VOLUNTEERS active volunteers, each with a passed review and points entries, bulk-loaded
    (the services are exercised by the suite; here only the reads are measured)."""
    import datetime

    from django.utils import timezone

    from teams.models import BackgroundReview, PointEntry, Team, TeamMember, Volunteer
    from teams.services.volunteers import station_defaults_ensure
    from teams.validators import resident_id_checksum

    with scopes_disabled():
        station_defaults_ensure(tenant=station)
        if Volunteer.objects.filter(tenant=station).count() >= VOLUNTEERS:
            return
        communities = list(Community.objects.filter(tenant=station)[:50])
        now = timezone.now()
        users = User.objects.bulk_create(
            [User(username=f"bench-v{i}", full_name=f"Volunteer {i}") for i in range(VOLUNTEERS)],
            ignore_conflicts=True,
        )
        users = list(User.objects.filter(username__startswith="bench-v").order_by("pk"))
        volunteers = []
        for i, user in enumerate(users):
            first17 = f"41010519800101{i % 1000:03d}"
            volunteers.append(
                Volunteer(
                    tenant=station,
                    user=user,
                    full_name=user.full_name,
                    phone=f"139{i:08d}",
                    id_number=first17 + resident_id_checksum(first17),
                    home_community=communities[i % len(communities)],
                    roles=["patrol"],
                    availability=["sat_morning"],
                    emergency_contact_name="x",
                    emergency_contact_phone="13900000000",
                    consented_to_review_at=now,
                    status="applied",
                )
            )
        volunteers = Volunteer.objects.bulk_create(volunteers)
        reviews = BackgroundReview.objects.bulk_create(
            BackgroundReview(
                tenant=station,
                volunteer=v,
                officer=officer,
                result="passed",
                reviewed_on=datetime.date(2026, 1, 1),
            )
            for v in volunteers
        )
        for v, r in zip(volunteers, reviews, strict=True):
            v.background_review, v.status, v.activated_at = r, "active", now
        Volunteer.objects.bulk_update(
            volunteers, ["background_review", "status", "activated_at"], batch_size=1000
        )
        teams = Team.objects.bulk_create(
            Team(tenant=station, name=f"Team {n}", type="community_patrol") for n in range(50)
        )
        TeamMember.objects.bulk_create(
            TeamMember(tenant=station, team=teams[i % 50], volunteer=v) for i, v in enumerate(volunteers)
        )
        PointEntry.objects.bulk_create(
            (
                PointEntry(
                    tenant=station,
                    volunteer=v,
                    kind="award",
                    contribution="patrol_hour",
                    # 5 to 30 points an award, varied as a real ledger's (no two volunteers'
                    # years alike, so a ranking has few ties)
                    points=5 + (v.pk * 7 + n * 3) % 26,
                    idempotency_key=f"bench:{v.pk}:{n}",
                    created_at=now - datetime.timedelta(days=n * 9),
                )
                for v in volunteers
                for n in range(ENTRIES_PER_VOLUNTEER)
            ),
            batch_size=5000,
        )


REPORTS = int(os.environ.get("BENCH_REPORTS", 1_000_000))


def build_reports(station):
    """BENCH_REPORTS reports over two years in one INSERT … SELECT: 3% open, the rest resolved,
    closed or rejected; spread over the station with the density of a city (points cluster in a
    quarter of the area)."""
    from incidents.models import Category, Report
    from incidents.services.reports import station_defaults_ensure

    with scopes_disabled():
        station_defaults_ensure(tenant=station)
        if Report.objects.filter(tenant=station).count() >= REPORTS:
            return
        Report.objects.filter(tenant=station).delete()
        categories = list(Category.objects.filter(tenant=station).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO incidents_report (tenant_id, tracking_code, category_id, description, location,
                public_location, status, priority, source, anonymous, contact_name, contact_phone,
                contact_email, rejection_reason, clue_value, created_at, updated_at, public_id, public_note)
            SELECT %(tenant)s, 'B' || lpad(i::text, 9, '0'), (%(categories)s)[1 + i %% %(ncat)s],
                'Bench report ' || i, p, p,
                CASE WHEN i %% 100 < 3 THEN (ARRAY['new','triaged','assigned','in_progress'])[1 + i %% 4]
                     WHEN i %% 100 < 10 THEN 'resolved' WHEN i %% 100 < 12 THEN 'rejected' ELSE 'closed' END,
                'normal', 'web', false, '', '', '', '', '',
                now() - (i %% 730) * interval '1 day' - (i %% 1440) * interval '1 minute',
                now() - (i %% 730) * interval '1 day',
                -- a random public id (48 bits, as the model's), unrelated to the tracking code
                substr(md5(i::text || random()::text), 1, 12), ''
            FROM (
                SELECT i, ST_SetSRID(ST_MakePoint(
                    110 + CASE WHEN i %% 4 = 0 THEN random() * 2 ELSE 0.5 + random() END,
                    30 + CASE WHEN i %% 4 = 0 THEN random() * 2 ELSE 0.5 + random() END), 4326) AS p
                FROM generate_series(1, %(n)s) AS i
            ) AS points
            """,
            {"tenant": station.pk, "categories": categories, "ncat": len(categories), "n": REPORTS},
        )
        cursor.execute("ANALYZE incidents_report")


def place_reports(station):
    """Each report in the community its point falls in (the bench's communities tile the station
    in a grid of squares, so the community follows from the coordinates) and in one of that
    community's grid cells, as ``report_submit`` places them; one UPDATE, skipped when done."""
    from incidents.models import Report

    with scopes_disabled():
        if Report.objects.filter(tenant=station, community__isnull=False).count() > REPORTS // 2:
            return
    side = int(COMMUNITIES**0.5) + 1
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE incidents_report r SET community_id = c.id, grid_cell_id = g.id
            FROM tenancy_community c, tenancy_gridcell g
            WHERE r.tenant_id = %(tenant)s AND c.tenant_id = %(tenant)s AND g.tenant_id = %(tenant)s
              AND c.slug = 'c' || (floor((ST_Y(r.location) - 30) / %(size)s) * %(side)s
                                   + floor((ST_X(r.location) - 110) / %(size)s))::int
              AND g.community_id = c.id AND g.code = c.slug || '-' || (r.id %% %(cells)s)
            """,
            {"tenant": station.pk, "size": 2 / side, "side": side, "cells": CELLS_PER_COMMUNITY},
        )
        cursor.execute("ANALYZE incidents_report")


def build_report_history(station, officer):
    """What the services would have written along with the reports, bulk-loaded: each report's
    status changes (triaged within minutes to hours, resolved within days, closed a day later,
    rejected ones out of "new"), a return visit for each resolved case (a few late, a few not yet
    made; the unsatisfied ones visited again by the chief) with the resident's rating, and a
    mediation for one dispute report in ten."""
    from incidents.models import Mediation, ReportEvent

    with scopes_disabled():
        if ReportEvent.objects.filter(tenant=station, kind="status").exists():
            return
    with connection.cursor() as cursor:
        # the moments of each report's history, in minutes after it was received
        cursor.execute(
            """
            CREATE TEMP TABLE bench_history AS
            SELECT r.id, r.status, r.created_at, c.slug,
                   r.created_at + (5 + (r.id * 7919) %% 600) * interval '1 minute' AS triaged_at,
                   r.created_at + (1440 + (r.id * 104729) %% 20160) * interval '1 minute' AS resolved_at
            FROM incidents_report r JOIN incidents_category c ON c.id = r.category_id
            WHERE r.tenant_id = %(tenant)s
            """,
            {"tenant": station.pk},
        )
        cursor.execute(
            """
            INSERT INTO incidents_reportevent (tenant_id, report_id, kind, public, text, from_status,
                to_status, actor_id, created_at)
            SELECT %(tenant)s, id, 'status', true, '', 'new',
                CASE WHEN status = 'rejected' THEN 'rejected' ELSE 'triaged' END, %(actor)s,
                least(triaged_at, now())
            FROM bench_history WHERE status <> 'new'
            UNION ALL
            SELECT %(tenant)s, id, 'status', true, '', 'assigned', 'resolved', %(actor)s,
                least(resolved_at, now())
            FROM bench_history WHERE status IN ('resolved', 'closed')
            UNION ALL
            SELECT %(tenant)s, id, 'status', true, '', 'resolved', 'closed', NULL,
                least(resolved_at + interval '1 day', now())
            FROM bench_history WHERE status = 'closed'
            """,
            {"tenant": station.pk, "actor": officer.pk},
        )
        # the officer's return visit of each resolved case: due a week after; closed cases were
        # visited (one in twenty late) and rated satisfied, or unsatisfied and visited by the chief
        cursor.execute(
            """
            INSERT INTO incidents_returnvisit (tenant_id, report_id, level, assignee_id, due_at,
                visited_at, notes, rating, rated_at, created_at)
            SELECT %(tenant)s, id, 'officer', %(actor)s, least(resolved_at, now()) + interval '7 days',
                CASE WHEN status = 'closed' THEN least(resolved_at, now())
                     + CASE WHEN id %% 20 = 0 THEN interval '9 days' ELSE interval '2 days' END END,
                '', CASE WHEN status = 'closed' THEN
                        CASE WHEN id %% 25 = 0 THEN 'unsatisfied' ELSE 'satisfied' END ELSE '' END,
                CASE WHEN status = 'closed' THEN least(resolved_at, now()) + interval '3 days' END,
                least(resolved_at, now())
            FROM bench_history WHERE status IN ('resolved', 'closed')
            """,
            {"tenant": station.pk, "actor": officer.pk},
        )
        cursor.execute(
            """
            INSERT INTO incidents_returnvisit (tenant_id, report_id, level, assignee_id, due_at,
                visited_at, notes, rating, rated_at, created_at)
            SELECT %(tenant)s, id, 'chief', %(actor)s, least(resolved_at, now()) + interval '10 days',
                least(resolved_at, now()) + interval '5 days', '', 'satisfied',
                least(resolved_at, now()) + interval '6 days', least(resolved_at, now()) + interval '3 days'
            FROM bench_history WHERE status = 'closed' AND id %% 25 = 0
            """,
            {"tenant": station.pk, "actor": officer.pk},
        )
        cursor.execute(
            """
            INSERT INTO incidents_mediation (tenant_id, report_id, kind, summary, mediator_officer_id,
                status, outcome, agreement, opened_by_id, opened_at, closed_at)
            SELECT %(tenant)s, id, 'neighbours', 'Bench dispute', %(actor)s,
                CASE WHEN status <> 'closed' THEN 'open'
                     ELSE (ARRAY['settled', 'settled', 'partly_settled', 'not_settled'])[1 + id %% 4] END,
                CASE WHEN status = 'closed' THEN 'ended' ELSE '' END,
                CASE WHEN status = 'closed' THEN 'signed' ELSE '' END, %(actor)s,
                least(triaged_at, now()), CASE WHEN status = 'closed' THEN least(resolved_at, now()) END
            FROM bench_history WHERE slug = 'dispute' AND id %% 10 = 0 AND status <> 'new'
            """,
            {"tenant": station.pk, "actor": officer.pk},
        )
        cursor.execute("DROP TABLE bench_history")
        cursor.execute("ANALYZE incidents_reportevent")
        cursor.execute("ANALYZE incidents_returnvisit")
        cursor.execute("ANALYZE incidents_mediation")
    with scopes_disabled():
        assert Mediation.objects.filter(tenant=station).exists() or REPORTS < 100


SHIFTS = int(os.environ.get("BENCH_SHIFTS", 100_000))


def build_shifts(station):
    """BENCH_SHIFTS patrol shifts over the two years (evenings and weekend mornings, two to three
    people needed, one in fifty cancelled) on 20 routes of four checkpoints, with the signups
    (one in ten short of a person, one in thirty withdrawn), a patrol walked for each signup of a
    past shift (planned the route's four checkpoints, as ``patrol_start`` records them), and a
    check-in at each checkpoint (one in thirty flagged)."""
    from patrols.models import Checkpoint, Route, Shift

    with scopes_disabled():
        if Shift.objects.filter(tenant=station).count() >= SHIFTS:
            return
        Shift.objects.filter(tenant=station).delete()
        routes = []
        for n in range(20):
            route, _ = Route.objects.get_or_create(
                tenant=station,
                name=f"Bench route {n}",
                defaults={"tier": "community", "path": LineString((110.9, 30.9), (111.1, 31.1), srid=4326)},
            )
            routes.append(route.pk)
            for position in range(4):
                Checkpoint.objects.get_or_create(
                    tenant=station,
                    route=route,
                    position=position,
                    defaults={
                        "name": f"Point {position}",
                        "location": Polygon.from_bbox((110.9, 30.9, 111.1, 31.1)).centroid,
                    },
                )
    params = {"tenant": station.pk, "routes": routes, "n": SHIFTS}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO patrols_shift (tenant_id, route_id, team_id, starts_at, ends_at, headcount,
                is_cancelled, created_at)
            SELECT %(tenant)s, (%(routes)s)[1 + i %% 20],
                (SELECT id FROM teams_team WHERE tenant_id = %(tenant)s ORDER BY id LIMIT 1 OFFSET i %% 50),
                s, s + interval '2 hours', 2 + i %% 2, i %% 50 = 0, s - interval '14 days'
            FROM (
                SELECT i, date_trunc('day', now()) - (i %% 730) * interval '1 day'
                       + CASE WHEN i %% 3 = 0 THEN interval '9 hours' ELSE interval '19 hours' END
                       + (i / 730 %% 4) * interval '30 minutes' AS s
                FROM generate_series(1, %(n)s) AS i
            ) AS starts
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO patrols_signup (tenant_id, shift_id, volunteer_id, source, created_at, withdrawn_at)
            SELECT %(tenant)s, s.id, v.ids[1 + (s.id * 3 + k) %% array_length(v.ids, 1)],
                CASE WHEN k = 0 THEN 'self' ELSE 'officer' END, s.created_at,
                CASE WHEN (s.id + k) %% 30 = 0 THEN s.created_at + interval '3 days' END
            FROM patrols_shift s
            CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM teams_volunteer
                        WHERE tenant_id = %(tenant)s) AS v
            CROSS JOIN generate_series(0, 2) AS k
            WHERE s.tenant_id = %(tenant)s AND k < s.headcount - CASE WHEN s.id %% 10 = 0 THEN 1 ELSE 0 END
            ON CONFLICT DO NOTHING
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO patrols_patrol (tenant_id, shift_id, route_id, volunteer_id, status, started_at,
                ended_at, notes, last_check_in_at, checkpoints_planned)
            SELECT %(tenant)s, s.id, s.route_id, g.volunteer_id, 'ended', s.starts_at + interval '5 minutes',
                s.ends_at - (g.id %% 20) * interval '1 minute', '', s.ends_at - interval '25 minutes',
                (SELECT count(*) FROM patrols_checkpoint c
                 WHERE c.tenant_id = s.tenant_id AND c.route_id = s.route_id AND c.is_active)
            FROM patrols_signup g JOIN patrols_shift s ON s.id = g.shift_id
            WHERE g.tenant_id = %(tenant)s AND g.withdrawn_at IS NULL AND NOT s.is_cancelled
              AND s.ends_at < now()
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO patrols_checkin (tenant_id, patrol_id, checkpoint_id, client_id, distance_m,
                device_time, received_at, flags, flag_details, review)
            SELECT %(tenant)s, p.id, c.id, gen_random_uuid(),
                CASE WHEN (p.id + c.position) %% 30 = 0 THEN 140 ELSE 12 END,
                p.started_at + (20 + c.position * 25) * interval '1 minute',
                p.started_at + (20 + c.position * 25) * interval '1 minute',
                CASE WHEN (p.id + c.position) %% 30 = 0 THEN ARRAY['outside_radius']::varchar[]
                     ELSE ARRAY[]::varchar[] END,
                '', CASE WHEN (p.id + c.position) %% 30 = 0 THEN 'flagged' ELSE 'ok' END
            FROM patrols_patrol p JOIN patrols_checkpoint c ON c.route_id = p.route_id
            WHERE p.tenant_id = %(tenant)s
            """,
            params,
        )
        for table in ("patrols_shift", "patrols_signup", "patrols_patrol", "patrols_checkin"):
            cursor.execute(f"ANALYZE {table}")


def rebuild_rollups(station):
    """core.rollups.rebuild over every registered source: how long the station's rollups take to
    compute from the rows (``manage.py rebuild_rollups``), and how many rows they are; then the
    counts kept of a state per day (training compliance), which the bulk loads never updated:
    today's and yesterday's counted again, the other days when the dashboard first reads them."""
    from jointdefense.core import rollups
    from jointdefense.core.registry import kept_counts

    start = time.perf_counter()
    rows = rollups.rebuild(station)
    seconds = round(time.perf_counter() - start, 1)
    # as autovacuum does soon after a bulk write on a real database: the rollups' index-only
    # scans need the visibility map of the rows just written
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE core_dailycount")
    start = time.perf_counter()
    kept = sum(count.rebuild(station) for count in kept_counts)
    return {
        "seconds": seconds,
        "rows": rows,
        "kept_counts": kept,
        "kept_counts_seconds": round(time.perf_counter() - start, 1),
    }


def measure_dashboard_raw(station, user, period):
    """The same figures as the dashboard, each computed by its ``raw`` (plain GROUP BY over the
    rows; its ``compute`` where it has none) for the period and the one before, timed like a page."""
    from django_scopes import scope

    from jointdefense.tenancy.selectors import figures_for

    def run():
        with scope(tenant=station):
            for figure in figures_for(user=user, tenant=station):
                compute = figure.raw or figure.compute
                compute(station, period)
                compute(station, period.previous())

    # a run takes about a minute: three runs, the first also counting the queries (the rows read
    # once are in PostgreSQL's cache for the next, as the rollups are for the page)
    timings, queries = [], []

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    runs = int(os.environ.get("BENCH_RAW_RUNS", 3))
    for n in range(runs):
        with connection.execute_wrapper(count) if n == 0 else contextlib.nullcontext():
            start = time.perf_counter()
            run()
            timings.append((time.perf_counter() - start) * 1000)
    return {
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(max(timings), 1),
        "queries": len(queries),
        "runs": runs,
    }


CERTIFICATES = int(os.environ.get("BENCH_CERTIFICATES", 50_000))


def build_training(station):
    """Eight courses (three required of the patrol role, one of community patrol teams, "Patrol
    leader" including "Patrol basics") and BENCH_CERTIFICATES certificates over the volunteers in
    one INSERT … SELECT: a tenth expired, one in fifty revoked, the rest valid."""
    from teams.models import Volunteer
    from training.models import Certificate, Course, CourseInclusion

    with scopes_disabled():
        specs = [
            ("Patrol basics", ["patrol"], []),
            ("Patrol leader", [], []),
            ("Conflict resolution", ["patrol"], []),
            ("Discipline and conduct", ["patrol"], []),
            ("Community patrol drill", [], ["community_patrol"]),
            ("First aid", [], []),
            ("Home visits", [], []),
            ("Safety inspection", [], []),
        ]
        courses = {}
        for name, roles, types in specs:
            courses[name], _ = Course.objects.get_or_create(
                tenant=station,
                name=name,
                defaults={
                    "topic": "security_patrol",
                    "required_for_roles": roles,
                    "required_for_team_types": types,
                    "valid_months": 24,
                },
            )
        CourseInclusion.objects.get_or_create(
            tenant=station, course=courses["Patrol leader"], included=courses["Patrol basics"]
        )
        if Certificate.objects.filter(tenant=station).count() >= CERTIFICATES:
            return
        Certificate.objects.filter(tenant=station).delete()
        volunteers = list(
            Volunteer.objects.filter(tenant=station).order_by("pk").values_list("pk", flat=True)
        )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO training_certificate (tenant_id, course_id, volunteer_id, code, issued_at,
                expires_at, revoked_at, revoke_reason)
            SELECT %(tenant)s, (%(courses)s)[1 + (i / %(nvol)s) %% %(ncourses)s],
                (%(volunteers)s)[1 + i %% %(nvol)s], 'bench-' || i,
                issued, issued + interval '24 months',
                CASE WHEN (i / %(nvol)s + i) %% 50 = 7 THEN now() - interval '1 day' END,
                CASE WHEN (i / %(nvol)s + i) %% 50 = 7 THEN 'bench' ELSE '' END
            FROM (
                SELECT i, now() - CASE WHEN (i / %(nvol)s + i) %% 10 = 3 THEN interval '800 days'
                                       ELSE (i %% 700) * interval '1 day' END AS issued
                FROM generate_series(0, %(n)s - 1) AS i
            ) AS rows
            """,
            {
                "tenant": station.pk,
                "courses": [c.pk for c in courses.values()],
                "ncourses": len(courses),
                "volunteers": volunteers,
                "nvol": len(volunteers),
                "n": CERTIFICATES,
            },
        )
        cursor.execute("ANALYZE training_certificate")


def measure_compliance(station):
    """training.selectors.records.compliance (the dashboards' figure) over the whole station: a
    fixed number of queries (asserted) and its time, p50 and p95 over BENCH_COMPLIANCE_RUNS runs."""
    from django_scopes import scope

    from training.selectors.records import compliance

    runs = int(os.environ.get("BENCH_COMPLIANCE_RUNS", 5))
    timings = []
    with scope(tenant=station):
        compliance(station)  # warm
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                figures = compliance(station)
                timings.append((time.perf_counter() - start) * 1000)
            # the required courses, the inclusions, the volunteers with teams and valid courses, the teams
            assert len(queries) == 4, [q["sql"] for q in queries]
    assert figures.total >= VOLUNTEERS, figures.total
    timings.sort()
    return {
        "volunteers": figures.total,
        "certificates": CERTIFICATES,
        "compliant": figures.compliant,
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95 + 0.5) - 1)], 1),
        "queries": len(queries),
        "figure": measure_compliance_figure(station, runs),
    }


def measure_compliance_figure(station, runs):
    """The dashboard's figure (``training.compliance``) for this month and the month before, read
    from the kept counts (one row each) against its ``raw`` twin (the join over the rows, at the
    end of each period): p50 and p95 of each over ``runs`` runs, and whether they gave the same
    share (today's is counted again first, as beat does every 15 minutes: a certificate of the
    reused bench station may have lapsed since the last count)."""
    from django.utils import timezone
    from django_scopes import scope

    from jointdefense.core.periods import Period
    from jointdefense.core.registry import figures

    figure = next(f for f in figures if f.key == "training.compliance")
    month = Period.containing("month", timezone.localdate(timezone=station.zoneinfo), station.zoneinfo)
    periods = [month, month.previous()]

    def timed(compute):
        timings, values = [], []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                values = [compute(station, period) for period in periods]
                timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        return values, {
            "median_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[max(0, int(len(timings) * 0.95 + 0.5) - 1)], 1),
            "queries": len(queries),
        }

    from training.services.compliance import compliance_counts_keep

    with scope(tenant=station):
        compliance_counts_keep(tenant=station)
        for period in periods:
            figure.compute(station, period)  # warm: a day not counted yet is counted once
        kept, kept_times = timed(figure.compute)
        raw, raw_times = timed(figure.raw)
    return {
        "kept": kept_times,
        "raw": raw_times,
        "equal": kept == raw,
        "share": [None if v is None else round(float(v), 2) for v in kept],
    }


SUMMARY_STATIONS = int(os.environ.get("BENCH_SUMMARY_STATIONS", 1000))
SUMMARY_BUDGET_S = 60


def build_summary_stations():
    """BENCH_SUMMARY_STATIONS small stations under a bureau of their own, bulk-created, each with a
    chief and an officer who get its summary (their rows do not change the query count: the suite
    holds it equal for 10 and 10,000 rows), opened long ago so that last week's summary is due."""
    import datetime

    from django.utils import timezone

    bureau, _ = Tenant.objects.get_or_create(
        slug="bench-summary-bureau",
        defaults={"name": "Bench Summary Bureau", "name_en": "Bench Summary Bureau", "kind": "bureau"},
    )
    existing = Tenant.objects.filter(parent=bureau).count()
    if existing < SUMMARY_STATIONS:
        Tenant.objects.bulk_create(
            Tenant(
                slug=f"bench-sum-{i}",
                name=f"Bench Station {i}",
                name_en=f"Bench Station {i}",
                parent=bureau,
                boundary=MultiPolygon(square(100 + (i % 100) * 0.1, 20 + (i // 100) * 0.1, 0.1)),
            )
            for i in range(existing, SUMMARY_STATIONS)
        )
    stations = list(Tenant.objects.filter(parent=bureau).order_by("pk")[:SUMMARY_STATIONS])
    Tenant.objects.filter(parent=bureau).update(created_at=timezone.now() - datetime.timedelta(days=60))
    User.objects.bulk_create(
        [
            User(username=f"bench-sum-{role}-{s.pk}", email=f"{role}-{s.pk}@bench.example.org")
            for s in stations
            for role in ("chief", "officer")
        ],
        ignore_conflicts=True,
    )
    users = {u.username: u for u in User.objects.filter(username__startswith="bench-sum-")}
    with scopes_disabled():
        Membership.objects.bulk_create(
            [
                Membership(tenant=s, user=users[f"bench-sum-{role}-{s.pk}"], roles=[role])
                for s in stations
                for role in ("chief", "officer")
            ],
            ignore_conflicts=True,
        )
    return stations


def measure_weekly_summaries():
    """The beat task ``tenancy.weekly_summaries`` run eagerly in this process (one worker) over
    BENCH_SUMMARY_STATIONS stations whose last week is due: seconds and queries, against the
    budget of 60 s for 1,000 stations (issue 13); the queries grow with the stations, not the rows.
    BENCH_SUMMARY_STATIONS=0 leaves the case out."""
    if not SUMMARY_STATIONS:
        return {"skipped": True}
    import datetime

    from django.utils import timezone

    from jointdefense.core import outbox
    from jointdefense.core.models import OutboxMessage
    from jointdefense.tenancy import summaries
    from jointdefense.tenancy.models import StationSummary
    from jointdefense.tenancy.tasks import weekly_summaries

    stations = build_summary_stations()
    ids = [s.pk for s in stations]
    now = timezone.now()
    with scopes_disabled():
        # a second run builds this week's again
        StationSummary.objects.filter(
            tenant_id__in=ids, week_start=summaries.due_week(stations[0], now)
        ).delete()
    # as every Monday after the first: the week before has its summary (built here untimed, not
    # sent), whose figures this week's takes as "the week before"
    with outbox.muted():
        summaries.summaries_send_due(now=now - datetime.timedelta(days=7), limit=len(stations))
    outbox_before = OutboxMessage.objects.filter(task="core.send_email").count()
    queries = []  # counted, not kept (CaptureQueriesContext keeps only the last 9,000)

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        start = time.perf_counter()
        built = weekly_summaries.apply(kwargs={"now": now.isoformat(), "limit": len(stations)}).get()
        seconds = time.perf_counter() - start
    with scopes_disabled():
        assert StationSummary.objects.filter(tenant_id__in=ids).count() == 2 * len(stations) == 2 * built
    return {
        "stations": len(stations),
        "seconds": round(seconds, 1),
        "budget_seconds": SUMMARY_BUDGET_S * len(stations) / 1000,
        "within_budget": seconds < SUMMARY_BUDGET_S * len(stations) / 1000,
        "queries": len(queries),
        "queries_per_station": round(len(queries) / len(stations), 1),
        "e_mails_queued": OutboxMessage.objects.filter(task="core.send_email").count() - outbox_before,
    }


def measure_submission(client, station):
    """A resident's report through the whole page (form, checks, blur, community and grid cell
    lookups, events, audit, outbox) against a bare view doing one insert, both through the same
    middleware: DESIGN asks for a small factor."""
    from django.test import override_settings

    from incidents.models import Category

    with scopes_disabled():
        category = Category.objects.get(tenant=station, slug="hazard")
    data = {"category": category.pk, "description": "Bench: light out", "lat": "30.9", "lng": "110.9"}
    page_url, bare_url = f"/s/{station.slug}/report/", f"/bench/bare/{category.pk}/"
    anonymous = Client()
    page, bare = [], []
    with override_settings(ROOT_URLCONF="bench.bare_urls"):
        anonymous.get(page_url)
        for n in range(RUNS):
            start = time.perf_counter()
            response = anonymous.post(
                page_url, {**data, "contact_email": "r@example.org"}, REMOTE_ADDR=f"10.9.{n}.1"
            )
            page.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 302, response.status_code
            start = time.perf_counter()
            response = anonymous.post(bare_url, data)
            bare.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 201, response.status_code
    return {
        "report_page_post_median_ms": round(statistics.median(page), 1),
        "bare_insert_view_median_ms": round(statistics.median(bare), 1),
        "factor": round(statistics.median(page) / statistics.median(bare), 1),
    }


def _category(station, slug):
    from incidents.models import Category

    with scopes_disabled():
        return Category.objects.get(tenant=station, slug=slug).pk


def _open_report(station):
    from incidents.models import Report

    with scopes_disabled():
        return (
            Report.objects.filter(tenant=station, status="new")
            .order_by("-created_at")
            .values_list("pk", flat=True)[0]
        )


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


def measure_dashboards(client, station, user):
    """The chief's dashboard for the year (figures from the rollups) against the same figures by
    plain GROUP BY over the rows: budgets p95 < 150 ms and at least 20 times faster."""
    import datetime

    from django.utils import timezone

    from jointdefense.core.periods import Period

    today = timezone.localdate(timezone=station.zoneinfo)
    year = Period.containing("year", today - datetime.timedelta(days=180), station.zoneinfo)
    page = measure(client, f"/s/{station.slug}/dashboard/?period=year&date={year.first_day.isoformat()}")
    raw = measure_dashboard_raw(station, user, year)
    return {
        "dashboard_year": {**page, "budget_p95_ms": 150, "within_budget": page["p95_ms"] < 150},
        "dashboard_year_raw": raw,
        "dashboard_speedup": {
            "median": round(raw["median_ms"] / max(page["median_ms"], 0.1), 1),
            "budget": 20,
            "within_budget": raw["median_ms"] / max(page["median_ms"], 0.1) >= 20,
        },
    }


def main():
    call_command("migrate", verbosity=0)
    station, user = build_large_station()
    build_volunteers(station, user)
    build_reports(station)
    place_reports(station)
    started = time.perf_counter()
    build_report_history(station, user)
    build_shifts(station)
    history_seconds = round(time.perf_counter() - started, 1)
    build_training(station)
    # bulk loads leave the planner without statistics, which autovacuum keeps on a real database
    # (without them training compliance took 27 s instead of 0.2 s: a nested loop over 5,000 rows
    # estimated as one)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    rebuilt = rebuild_rollups(station)
    client = Client()
    client.force_login(user)
    s = station.slug
    results = {
        "station": {
            "communities": COMMUNITIES,
            "grid_cells": COMMUNITIES * CELLS_PER_COMMUNITY,
            "volunteers": VOLUNTEERS,
            "point_entries": VOLUNTEERS * ENTRIES_PER_VOLUNTEER,
            "reports": REPORTS,
            "certificates": CERTIFICATES,
            "shifts": SHIFTS,
            "history_load_seconds": history_seconds,
        },
        "rollups_rebuild": rebuilt,
        "runs": RUNS,
        "cases": {
            "station_home": measure(client, f"/s/{s}/"),
            "community_list_page": measure(client, f"/s/{s}/communities/"),
            "api_communities": measure(client, f"/api/s/{s}/communities/"),
            "api_grid_cells_page_of_100": measure(client, f"/api/s/{s}/grid-cells/"),
            "volunteer_roster_page": measure(client, f"/s/{s}/volunteers/"),
            "volunteer_roster_filtered": measure(
                client, f"/s/{s}/volunteers/?status=active&weekday=sat&role=patrol"
            ),
            "team_list": measure(client, f"/s/{s}/teams/"),
            "leaderboard_month": measure(client, f"/s/{s}/points/leaderboard/"),
            "api_volunteers": measure(client, f"/api/s/{s}/volunteers/"),
            "api_ledger": measure(client, f"/api/s/{s}/points/ledger/"),
            "triage_queue": measure(client, f"/s/{s}/reports/"),
            "triage_queue_closed_in_a_category": measure(
                client, f"/s/{s}/reports/?status=closed&category={_category(station, 'theft')}"
            ),
            "triage_map": measure(client, f"/s/{s}/reports/map/"),
            "api_reports": measure(client, f"/api/s/{s}/reports/"),
            "case_page_with_duplicate_suggestions": measure(
                client, f"/s/{s}/reports/{_open_report(station)}/"
            ),
            "report_page_nearby": measure(
                client, f"/s/{s}/report/nearby/?category={_category(station, 'hazard')}&lat=31.0&lng=111.0"
            ),
        },
        "report_submission": measure_submission(client, station),
        **measure_dashboards(client, station, user),
        "training_compliance": measure_compliance(station),
        "weekly_summary_1000_stations": measure_weekly_summaries(),
    }
    out = Path(os.environ.get("BENCH_OUT", ROOT / "bench" / "results.json"))
    out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
