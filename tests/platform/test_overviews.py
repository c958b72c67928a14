"""The station and bureau overviews (tenancy.views.StationHomeView)."""

import re

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.factories import CommunityFactory, GridCellFactory


def test_the_bureau_table_counts_each_stations_communities_and_grid_cells(
    login, bureau, bureau_viewer, station_a, station_b
):
    with scopes_disabled():
        for n in range(3):
            community = CommunityFactory(tenant=station_a, name=f"A{n}", slug=f"a-{n}")
            for _ in range(2):
                GridCellFactory(community=community)
        CommunityFactory(tenant=station_b, name="B0", slug="b-0")
    page = login(bureau_viewer).get(reverse("tenancy:home", kwargs={"station": bureau.slug}))
    rows = {s.slug: (s.community_count, s.grid_cell_count) for s in page.context["stations"]}
    assert rows == {"station-a": (3, 6), "station-b": (1, 0)}
    html = page.content.decode()
    assert re.search(r">Station A</a></td><td>3</td><td>6</td>", html)


@pytest.mark.parametrize(
    "name",
    [
        "teams:volunteer-list",
        "patrols:coverage",
        "patrols:patrol-list",
        "teams:leaderboard",
        "patrols:hotspots",
        "patrols:board",
    ],
)
def test_the_bureaus_own_pages_lead_to_each_of_its_stations(
    name, login, bureau, bureau_viewer, station_a, station_b
):
    client = login(bureau_viewer)
    page = client.get(reverse(name, kwargs={"station": bureau.slug}))
    assert page.status_code == 200
    body = page.content.decode()
    links = [reverse(name, kwargs={"station": s.slug}) for s in (station_a, station_b)]
    assert all(f'href="{link}"' in body for link in links), body
    for link in links:  # and each station's page opens for the bureau viewer, read-only
        assert client.get(link).status_code == 200


def test_the_bureaus_navigation_has_no_report_entry(login, bureau, bureau_viewer, station_a):
    page = login(bureau_viewer).get(reverse("tenancy:home", kwargs={"station": bureau.slug})).content.decode()
    assert reverse("incidents:report", kwargs={"station": bureau.slug}) not in page
