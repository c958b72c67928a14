"""Hot spots: reports within N metres of a route (PostGIS geography distance), by ISO weekday and hour
of the station's time zone, over the last 30 days, in one query; the page marks covered hours."""

import datetime

import pytest
from django.contrib.gis.geos import LineString, Point
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from incidents.models import Category, Report
from patrols.selectors import planning as selectors
from tests.factories import RouteFactory, ShiftFactory, station_origin

# about 0.0027° of latitude is 300 m; 0.001° is about 111 m
NEAR, FAR = 0.0015, 0.01


def report(station, point, when, status="new"):
    return Report.objects.create(
        tenant=station,
        tracking_code=f"T{Report.objects.filter(tenant=station).count():09d}",
        category=Category.objects.get(tenant=station, slug="theft"),
        description="Bike stolen",
        location=point,
        public_location=point,
        created_at=when,
        status=status,
    )


@pytest.fixture
def setting(station_a):
    """A route along a street and reports on a recent evening (station time) near and far from it."""
    x, y = station_origin(station_a)
    tz = station_a.zoneinfo
    evening = (
        (timezone.now() - datetime.timedelta(days=3))
        .astimezone(tz)
        .replace(hour=21, minute=30, second=0, microsecond=0)
    )
    with scope(tenant=station_a):
        route = RouteFactory(
            tenant=station_a,
            name="Market street",
            path=LineString((x + 0.02, y + 0.02), (x + 0.03, y + 0.02)),
        )
        quiet = RouteFactory(
            tenant=station_a, name="Quiet lane", path=LineString((x + 0.06, y + 0.06), (x + 0.07, y + 0.06))
        )
        on_street = Point(x + 0.025, y + 0.02 + NEAR, srid=4326)
        report(station_a, on_street, evening)
        report(station_a, on_street, evening + datetime.timedelta(minutes=20))
        report(station_a, on_street, evening + datetime.timedelta(hours=2))  # 23:xx
        report(station_a, Point(x + 0.025, y + 0.02 + FAR, srid=4326), evening)  # 1 km away
        report(station_a, on_street, evening - datetime.timedelta(days=40))  # too old
        report(station_a, on_street, evening, status="rejected")
    return {"route": route, "quiet": quiet, "evening": evening}


def test_reports_near_a_route_are_counted_by_station_weekday_and_hour(station_a, setting):
    with CaptureQueriesContext(connection) as queries:
        spots = selectors.hotspots(tenant=station_a)
    assert len(queries) == 1
    evening = setting["evening"]
    assert [(s.route_name, s.weekday, s.hour, s.count) for s in spots] == [
        ("Market street", evening.isoweekday(), 21, 2),
        ("Market street", evening.isoweekday(), 23, 1),
    ]


def test_the_distance_is_in_metres(station_a, setting):
    assert selectors.hotspots(tenant=station_a, metres=100) == []  # the reports are ~165 m away
    assert sum(s.count for s in selectors.hotspots(tenant=station_a, metres=2000)) == 4


def test_the_station_time_zone_decides_the_hour(station_a, setting):
    station_a.time_zone = "Europe/Berlin"  # 7 hours behind China in November
    station_a.save(update_fields=["time_zone"])
    hours = {s.hour for s in selectors.hotspots(tenant=station_a)}
    assert hours == {14, 16}


def test_the_page_ranks_hot_spots_and_marks_covered_hours(login, officer_a, station_a, setting):
    evening = setting["evening"]
    next_week = evening + datetime.timedelta(days=7)
    with scope(tenant=station_a):
        ShiftFactory(
            tenant=station_a,
            route=setting["route"],
            starts_at=next_week.replace(hour=20, minute=0),
            ends_at=next_week.replace(hour=22, minute=0),
        )
    page = login(officer_a).get(reverse("patrols:hotspots", kwargs={"station": station_a.slug}))
    assert page.status_code == 200
    spots = page.context["spots"]
    assert [(s.hour, s.covered) for s in spots] == [(21, True), (23, False)]
    html = page.content.decode()
    assert "Market street" in html and "no shift" in html
    features = page.context["map_data"]["features"]
    assert {f["properties"]["layer"] for f in features} >= {"station", "route", "reports"}


def test_the_hot_spot_page_costs_the_same_queries_with_more_routes(login, officer_a, station_a, setting):
    client = login(officer_a)
    url = reverse("patrols:hotspots", kwargs={"station": station_a.slug})
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    x, y = station_origin(station_a)
    with scope(tenant=station_a):
        for n in range(5):
            RouteFactory(
                tenant=station_a, path=LineString((x + 0.02, y + 0.021 + n * 0.0001), (x + 0.03, y + 0.021))
            )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
