"""The dashboard's heat map of reports (incidents/selectors/heat.py) against a hand-counted fixture
in a station on Europe/Berlin, over the week that crosses the change to summer time: the cells and
their weights, counted from the blurred public location (never the exact point), other stations'
reports never counted; the breakdown per community and per grid cell, each row leading to the
report queue holding exactly the rows it counts; and reports received week by week."""

import datetime
import math
import zoneinfo

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from incidents.models import Report, ReportEvent
from incidents.selectors import figures as f
from incidents.selectors import heat
from jointdefense.core.periods import Period
from jointdefense.core.registry import dashboard_maps, figures
from tests.factories import CommunityFactory, report_filed
from tests.support import rollups_rebuilt

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
UTC = datetime.UTC
# Monday 25 March 2024 00:00 CET = Sunday 23:00 UTC; Monday 1 April 00:00 CEST = Sunday 22:00 UTC
JUST_BEFORE = datetime.datetime(2024, 3, 24, 22, 59, 59, tzinfo=UTC)
FIRST_MOMENT = datetime.datetime(2024, 3, 24, 23, 0, tzinfo=UTC)
MIDWEEK = datetime.datetime(2024, 3, 27, 11, 0, tzinfo=UTC)
LAST_MOMENT = datetime.datetime(2024, 3, 31, 21, 59, 59, tzinfo=UTC)
JUST_AFTER = datetime.datetime(2024, 3, 31, 22, 0, tzinfo=UTC)
WEEK = Period.containing("week", datetime.date(2024, 3, 27), BERLIN)


@pytest.fixture
def berlin(station_a):
    station_a.time_zone = "Europe/Berlin"
    station_a.save(update_fields=["time_zone"])
    return station_a


def filed(station, when, dx=0.005, dy=0.005, slug="theft"):
    report = report_filed(station, slug=slug, dx=dx, dy=dy)
    with scopes_disabled():
        Report.objects.filter(pk=report.pk).update(created_at=when)
        ReportEvent.objects.filter(report=report).update(created_at=when)
    rollups_rebuilt(station)  # backdated: counted as rebuild_rollups would
    with scopes_disabled():
        return Report.objects.get(pk=report.pk)


def snapped(value):
    """What ST_SnapToGrid makes of a coordinate: the nearest multiple of the cell size."""
    return round(round(value / heat.CELL_DEGREES) * heat.CELL_DEGREES, 6)


@pytest.fixture
def fixture(berlin, community_a, cell_a, station_b):
    """In the week: three reports in one spot of community_a (its grid cell), one 0.0002° from
    them (the same blurred square), one in a second community without grid cells, one outside every
    community; before and after the week one each; one in another station."""
    with scopes_disabled():
        second = CommunityFactory(tenant=berlin, slug="second", name="Second Community")
    x, y = berlin.boundary.extent[:2]
    rows = {
        "spot": [filed(berlin, when) for when in (FIRST_MOMENT, MIDWEEK, LAST_MOMENT)],
        "near": [filed(berlin, MIDWEEK, dx=0.0052, dy=0.0052)],
        "second": [filed(berlin, MIDWEEK, dx=0.015, dy=0.005)],
        "outside": [filed(berlin, MIDWEEK, dx=0.055, dy=0.075)],
        "before": [filed(berlin, JUST_BEFORE)],
        "after": [filed(berlin, JUST_AFTER)],
        "other": [filed(station_b, MIDWEEK)],
    }
    return {
        "station": berlin,
        "second": second,
        "cell": cell_a,
        "community": community_a,
        "rows": rows,
        "xy": (x, y),
    }


def test_the_heat_cells_count_the_week_s_reports_from_their_public_location(fixture):
    station, rows = fixture["station"], fixture["rows"]
    with scope(tenant=station):
        points = heat.heat_points(station, WEEK)
    spot = rows["spot"][0].public_location
    second, outside = rows["second"][0].public_location, rows["outside"][0].public_location
    # hand count: the spot's cell holds its three reports and the one next to them
    assert points == [
        [snapped(spot.y), snapped(spot.x), 4],
        *sorted([[snapped(second.y), snapped(second.x), 1], [snapped(outside.y), snapped(outside.x), 1]]),
    ]
    assert sum(weight for _lat, _lng, weight in points) == 6
    with scope(tenant=station):
        assert f.reports_received(station, WEEK) == 6


def test_a_heat_cell_is_never_a_report_s_exact_point(fixture):
    station = fixture["station"]
    with scope(tenant=station):
        points = heat.heat_points(station, WEEK)
        exact = {
            (round(r.location.y, 6), round(r.location.x, 6)) for r in Report.objects.filter(tenant=station)
        }
    for lat, lng, _weight in points:
        assert (lat, lng) not in exact
        # every cell is a corner of the 0.002° grid
        for value in (lat, lng):
            assert math.isclose(value / heat.CELL_DEGREES, round(value / heat.CELL_DEGREES), abs_tol=1e-6)


def test_other_stations_reports_never_count(fixture, station_b):
    station, other = fixture["station"], fixture["rows"]["other"][0]
    with scope(tenant=station):
        points = heat.heat_points(station, WEEK)
    assert [snapped(other.public_location.y), snapped(other.public_location.x)] not in [p[:2] for p in points]
    with scope(tenant=station_b):
        assert [p[2] for p in heat.heat_points(station_b, WEEK)] == [1]
        assert [r["count"] for r in heat.reports_by_community(station_b, WEEK)] == [1]


def test_the_cells_are_capped_to_the_busiest(fixture):
    station = fixture["station"]
    with scope(tenant=station):
        assert [p[2] for p in heat.heat_points(station, WEEK, limit=1)] == [4]


def test_the_week_across_the_change_to_summer_time_keeps_its_midnights(fixture):
    station = fixture["station"]
    with scope(tenant=station):
        before = heat.heat_points(station, WEEK.previous())
        after = heat.heat_points(station, Period.containing("week", datetime.date(2024, 4, 1), BERLIN))
    assert [p[2] for p in before] == [1] and [p[2] for p in after] == [1]


def test_the_breakdown_counts_reports_per_community_and_grid_cell(fixture):
    station = fixture["station"]
    with scope(tenant=station):
        communities = heat.reports_by_community(station, WEEK)
        cells = heat.reports_by_grid_cell(station, WEEK)
    assert [(row["community"], row["count"]) for row in communities] == [
        (fixture["community"], 4),
        (fixture["second"], 1),
        (None, 1),
    ]
    assert [(row["grid_cell"], row["count"]) for row in cells] == [(fixture["cell"], 4), (None, 2)]


def test_the_breakdown_from_the_rollups_is_the_breakdown_of_the_rows(fixture):
    station = fixture["station"]
    with scope(tenant=station):
        for period in (WEEK, WEEK.previous(), Period.containing("year", WEEK.first_day, BERLIN)):
            for kept, raw in (
                (heat.reports_by_community, heat.reports_by_community_raw),
                (heat.reports_by_grid_cell, heat.reports_by_grid_cell_raw),
            ):
                assert kept(station, period) == raw(station, period)


def test_a_deleted_community_s_reports_count_as_outside_every_community(fixture):
    station = fixture["station"]
    with scope(tenant=station):
        fixture["second"].delete()  # its report's community is set empty; its rollup row stays
        communities = heat.reports_by_community(station, WEEK)
        assert communities == heat.reports_by_community_raw(station, WEEK)
    assert [(row["community"], row["count"]) for row in communities] == [(fixture["community"], 4), (None, 2)]


def rows_listed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.context["paginator"].count


def test_each_breakdown_row_leads_to_the_queue_holding_exactly_its_reports(fixture, chief_a, login):
    station = fixture["station"]
    (entry,) = [m for m in dashboard_maps if m.key == "incidents.reports_heat"]
    client = login(chief_a)
    checked = 0
    for period in (WEEK, WEEK.previous()):
        with scope(tenant=station):
            sections = entry.breakdown(station, period)
        for section in sections:
            for row in section["rows"]:
                if row["url"]:
                    assert rows_listed(client, row["url"]) == row["count"], (section["key"], row["label"])
                    checked += 1
    # the week: two communities and one cell; the week before: one community and one cell
    assert checked == 5
    url = reverse("incidents:triage", kwargs={"station": station.slug})
    assert rows_listed(client, url + f"?status=new&grid_cell={fixture['cell'].pk}") == 6
    # a cell of another station is refused by the filter, never shown
    response = client.get(url + "?grid_cell=999999")
    assert response.status_code == 200 and response.context["filter"].errors


# ---- week by week -----------------------------------------------------------------------------------


def test_reports_received_week_by_week_in_local_weeks(berlin, station_b):
    """Mondays in the station's time zone: 23:59:59 on a Sunday is the week before, 00:00 on a
    Monday the week after, across the change to summer time (the week of 25 March is 167 hours)."""
    for when in (JUST_BEFORE, FIRST_MOMENT, MIDWEEK, LAST_MOMENT, JUST_AFTER, JUST_AFTER):
        filed(berlin, when)
    # 2024-03-17 23:30 local (22:30 UTC) is a Sunday: the week of 11 March
    filed(berlin, datetime.datetime(2024, 3, 17, 22, 30, tzinfo=UTC))
    filed(station_b, MIDWEEK)
    month = Period("custom", datetime.date(2024, 3, 11), datetime.date(2024, 4, 7), BERLIN)
    with scope(tenant=berlin):
        weekly = f.reports_received_weekly(berlin, month)
        assert weekly == {
            datetime.date(2024, 3, 11): 1,
            datetime.date(2024, 3, 18): 1,
            datetime.date(2024, 3, 25): 3,
            datetime.date(2024, 4, 1): 2,
        }
        assert f.reports_received_weekly(berlin, WEEK) == {datetime.date(2024, 3, 25): 3}
        assert sum(weekly.values()) == f.reports_received(berlin, month)
    (received,) = [fig for fig in figures if fig.key == "incidents.reports_received"]
    assert received.series is f.reports_received_weekly


def test_the_dashboard_s_breakdown_names_its_busiest_rows_and_counts_the_rest(fixture):
    station = fixture["station"]
    (entry,) = [m for m in dashboard_maps if m.key == "incidents.reports_heat"]
    with scope(tenant=station):
        every = entry.breakdown(station, WEEK)
        busiest = entry.breakdown(station, WEEK, limit=1)
    for whole, first in zip(every, busiest, strict=True):
        assert first["rows"] == whole["rows"][:1]
        assert first["total_rows"] == whole["total_rows"] == len(whole["rows"])
    assert [s["total_rows"] for s in busiest] == [3, 2]
