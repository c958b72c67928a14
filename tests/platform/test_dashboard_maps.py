"""The dashboard's trend charts and heat map (jointdefense/tenancy/dashboard.py, the includes
tenancy/dashboard_trends.html and dashboard_map.html): every week of the period in each chart's
table, zero when a week has nothing; the heat points as JSON from dashboard/heat/ (bad input → 400
with the translated reason, another station → 404, the bureau viewer reads); the breakdown table on
the page and as CSV."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from incidents.models import Report
from tests.factories import report_filed
from tests.support import rollups_rebuilt


def dashboard(station, suffix=""):
    return reverse("tenancy:dashboard", kwargs={"station": station.slug}) + suffix


def reported(station, when, n=1, **kwargs):
    for _ in range(n):
        report = report_filed(station, **kwargs)
        with scopes_disabled():
            Report.objects.filter(pk=report.pk).update(created_at=when)
    rollups_rebuilt(station)  # backdated: counted as rebuild_rollups would


def local(station, day, hour=12):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=station.zoneinfo)


# ---- trend charts -----------------------------------------------------------------------------------


def test_a_trend_chart_has_every_week_of_the_period_with_its_numbers(station_a, chief_a, login, community_a):
    # March 2024 touches five weeks: from Monday 26 February to the week of Monday 25 March
    reported(station_a, local(station_a, datetime.date(2024, 3, 1)), 2)  # the week of 26 February
    reported(station_a, local(station_a, datetime.date(2024, 3, 20)), 3)  # the week of 18 March
    reported(station_a, local(station_a, datetime.date(2024, 4, 1)))  # April: not in March
    response = login(chief_a).get(dashboard(station_a, "?period=month&date=2024-03-01"))
    assert response.status_code == 200
    (trend,) = [t for t in response.context["trends"] if t["figure"].key == "incidents.reports_received"]
    assert trend["data"]["weeks"] == ["2024-02-26", "2024-03-04", "2024-03-11", "2024-03-18", "2024-03-25"]
    assert trend["data"]["values"] == [2, 0, 0, 3, 0]
    page = response.content.decode()
    # the chart's data block (json_script, never inline script) and its table with the same numbers
    assert f'<script id="{trend["id"]}" type="application/json">' in page
    assert f'data-chart="{trend["id"]}"' in page
    assert "<caption>Reports received, week by week</caption>" in page
    assert '<th scope="row"><time datetime="2024-03-18">2024-03-18</time></th><td class="num">3</td>' in page
    assert "vendor/chartjs/chart.umd.js" in page


def test_the_trend_stops_at_the_week_holding_today(station_a, chief_a, login):
    today = timezone.localdate()
    response = login(chief_a).get(dashboard(station_a, f"?period=year&date={today.isoformat()}"))
    (trend,) = [t for t in response.context["trends"] if t["figure"].key == "incidents.reports_received"]
    last = datetime.date.fromisoformat(trend["data"]["weeks"][-1])
    assert last <= today < last + datetime.timedelta(days=7)


# ---- the heat map -----------------------------------------------------------------------------------


def test_the_heat_points_come_as_json_for_the_period(station_a, chief_a, login, community_a):
    today = timezone.localdate()
    reported(station_a, timezone.now(), 3)
    reported(station_a, timezone.now(), 1, dx=0.0513, dy=0.0517)
    reported(station_a, timezone.now() - datetime.timedelta(days=400))  # another year
    response = login(chief_a).get(dashboard(station_a, f"heat/?period=month&date={today.isoformat()}"))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert [weight for _lat, _lng, weight in body["points"]] == [3, 1] and body["max"] == 3
    with scopes_disabled():
        exact = {(round(r.location.y, 6), round(r.location.x, 6)) for r in Report.objects.all()}
    assert not exact & {(lat, lng) for lat, lng, _w in body["points"]}
    # the outlines drawn under the points come with them, not in the page
    layers = sorted((f["properties"]["layer"], f["properties"]["name"]) for f in body["areas"]["features"])
    assert layers == [("community", community_a.name), ("station", station_a.name)]
    page = login(chief_a).get(dashboard(station_a)).content.decode()
    assert '"FeatureCollection"' not in page


def test_bad_period_input_gives_400_with_the_translated_reason(station_a, chief_a, login):
    client = login(chief_a)
    response = client.get(dashboard(station_a, "heat/?period=fortnight"))
    assert response.status_code == 400
    assert response.json() == {"detail": "Choose a week, month, quarter, year or dates."}
    response = client.get(dashboard(station_a, "heat/?start=2024-03-01&end=2024-02-01"))
    assert response.status_code == 400
    assert response.json() == {"detail": "The last day comes before the first day."}
    assert client.get(dashboard(station_a, "map-csv/?period=week&date=x")).status_code == 400


def test_another_station_s_heat_map_is_404_and_an_unknown_map_too(station_a, chief_b, chief_a, login):
    assert login(chief_b).get(dashboard(station_a, "heat/")).status_code == 404
    assert login(chief_b).get(dashboard(station_a, "map-csv/")).status_code == 404
    assert login(chief_a).get(dashboard(station_a, "heat/?map=nothing.here")).status_code == 404


def test_an_officer_may_not_read_the_heat_map(station_a, officer_a, login):
    assert login(officer_a).get(dashboard(station_a, "heat/")).status_code == 403


def test_the_bureau_viewer_reads_the_heat_map_and_its_table_without_list_links(
    station_a, bureau_viewer, login, community_a
):
    reported(station_a, timezone.now(), 2)
    client = login(bureau_viewer)
    assert [p[2] for p in client.get(dashboard(station_a, "heat/")).json()["points"]] == [2]
    response = client.get(dashboard(station_a))
    (shown,) = response.context["maps"]
    rows = [row for section in shown["sections"] for row in section["rows"]]
    assert [row["count"] for row in rows] == [2, 2] and all(row["url"] == "" for row in rows)


def test_the_breakdown_is_on_the_page_linking_to_the_queue_and_downloads_as_csv(
    station_a, chief_a, login, community_a, cell_a
):
    reported(station_a, timezone.now(), 2)
    reported(station_a, timezone.now(), 1, dx=0.05, dy=0.05)  # outside every community
    client = login(chief_a)
    response = client.get(dashboard(station_a, "?period=month"))
    page = response.content.decode()
    assert 'data-heat-url="heat/?map=incidents.reports_heat&amp;period=month' in page
    assert (
        "<caption>Reports by community</caption>" in page
        and "<caption>Reports by grid cell</caption>" in page
    )
    (shown,) = response.context["maps"]
    community_rows, cell_rows = (section["rows"] for section in shown["sections"])
    assert [(row["label"], row["count"]) for row in community_rows] == [
        ("Garden Community", 2),
        ("Outside every community", 1),
    ]
    assert f"community={community_a.pk}" in community_rows[0]["url"] and community_rows[1]["url"] == ""
    assert f"grid_cell={cell_a.pk}" in cell_rows[0]["url"]
    listed = client.get(community_rows[0]["url"])
    assert listed.status_code == 200 and listed.context["paginator"].count == 2
    csv = client.get(dashboard(station_a, "map-csv/?map=incidents.reports_heat&period=month"))
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    body = csv.content.decode("utf-8").replace("\r\n", "\n")
    assert "Reports by community,Garden Community,2\n" in body
    assert "Reports by community,Outside every community,1\n" in body
    assert f"Reports by grid cell,{cell_a},2\n" in body
