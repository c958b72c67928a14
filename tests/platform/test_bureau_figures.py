"""The bureau's side by side (/s/<bureau>/dashboard/ on a bureau, jointdefense/tenancy/bureau.py),
the rankings (/s/<station>/rankings/, jointdefense/tenancy/rankings.py), the dashboard's top teams
and volunteers, and their API (/api/s/<station>/figures/ and /rankings/), against a hand-counted
week: stations A and B under the bureau, station C outside it.

Station A: 3 reports, 2.5 patrol hours (North 2.5), 40 points (Ann); station B: 1 report, 10
patrol hours (River), no points; station C: 7 reports, 4 patrol hours, never shown."""

import csv
import datetime
import html
import io
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from incidents.models import Report
from jointdefense.core import rollups
from jointdefense.core.numbers import shown
from jointdefense.tenancy.models import Role, Tenant
from tests.factories import (
    BureauFactory,
    CheckpointFactory,
    RouteFactory,
    StationFactory,
    active_volunteer,
    member,
    patrol_walked,
    points_given,
    report_filed,
    station_defaults,
    team_with,
)
from tests.support import answer_as_documented, rollups_rebuilt

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MONDAY = datetime.datetime(2024, 5, 13, 8, 0, tzinfo=SHANGHAI)
WEEK = "?period=week&date=2024-05-15"
WEEK_PICKER = "period=week&date=2024-05-13"
REPORTS, HOURS, COVERAGE, POINTS = (
    "incidents.reports_received",
    "patrols.hours",
    "patrols.shift_coverage",
    "teams.points_awarded",
)


def url(name, tenant, suffix=""):
    return reverse(name, kwargs={"station": tenant.slug}) + suffix


def reported(station, n, when=MONDAY):
    for _ in range(n):
        report = report_filed(station)
        with scopes_disabled():
            Report.objects.filter(pk=report.pk).update(created_at=when)


def walked(station, officer, walker_name, team_name, hours):
    walker = active_volunteer(station, officer, full_name=walker_name)
    team = team_with(station, team_name, walker)
    with scopes_disabled():
        route = RouteFactory(tenant=station)
        checkpoint = CheckpointFactory(route=route, position=1)
    patrol_walked(walker, route, MONDAY, [(0, checkpoint), (hours, checkpoint)], team=team, hours=12)
    return walker, team


@pytest.fixture
def station_c(db):
    outside = BureauFactory(name="Other Bureau", slug="other-bureau")
    return station_defaults(StationFactory(name="Station C", slug="station-c", parent=outside))


@pytest.fixture
def week(station_a, station_b, station_c, officer_a, officer_b):
    officer_c = member(station_c, Role.OFFICER, username="officer_c")
    reported(station_a, 3)
    reported(station_b, 1)
    reported(station_c, 7)
    ann, north = walked(station_a, officer_a, "Ann", "North", 2.5)
    _dee, river = walked(station_b, officer_b, "Dee", "River", 10)
    walked(station_c, officer_c, "Eve", "Hill", 4)
    points_given(ann, 40, MONDAY)
    for station in (station_a, station_b, station_c):
        rollups_rebuilt(station)  # the reports were backdated
    return {"ann": ann, "north": north, "river": river}


def side(response):
    """{station slug: {figure key: cell}} of the side by side, and the stations in their order."""
    lines = response.context["lines"]
    order = [line["station"].slug for line in lines]
    return order, {line["station"].slug: {c["key"]: c for c in line["cells"]} for line in lines}


def totals(response):
    return {t["key"]: t for t in response.context["totals"]}


# ---- the side by side ------------------------------------------------------------------------------


def test_the_bureau_sees_its_stations_figures_side_by_side_with_totals(bureau, bureau_viewer, login, week):
    response = login(bureau_viewer).get(url("tenancy:dashboard", bureau, WEEK))
    assert response.status_code == 200
    order, cells = side(response)
    assert order == ["station-a", "station-b"]  # by name; station C is another bureau's
    assert (cells["station-a"][REPORTS]["text"], cells["station-b"][REPORTS]["text"]) == ("3", "1")
    assert (cells["station-a"][HOURS]["text"], cells["station-b"][HOURS]["text"]) == ("2.5 h", "10.0 h")
    assert (cells["station-a"][POINTS]["text"], cells["station-b"][POINTS]["text"]) == ("40", "0")
    total = totals(response)
    assert (total[REPORTS]["text"], total[HOURS]["text"], total[POINTS]["text"]) == ("4", "12.5 h", "40")
    # a share the stations' counts give is pooled (here no place of a shift was filled); one read
    # from a count kept per station is not summed
    assert not total[COVERAGE]["note"] and total[COVERAGE]["text"] == "0.0 %"
    assert total["training.compliance"]["note"] and total["training.compliance"]["text"] == "—"
    page = response.content.decode()
    assert "Station C" not in page and "not summed" in page
    assert 'data-testid="bureau-total"' in page


def test_the_bureau_total_of_a_share_or_a_time_pools_its_stations(
    bureau, station_a, station_b, bureau_viewer, login
):
    """Station A needed 4 people on its shifts and had 3, station B needed 6 and had 1: the
    bureau had 4 of 10 (40 %), not the mean of 75 % and 16.7 %. Triage took 10, 10 and 10
    minutes in A, 30 and 50 in B: the bureau's median is 10 minutes, its 90th percentile 42."""
    day = datetime.date(2024, 5, 14)
    rollups.bump_all(
        station_a,
        [
            rollups.Bump("patrols.places", day, 4, dimension="needed"),
            rollups.Bump("patrols.places", day, 3, dimension="filled"),
            rollups.Bump("incidents.triage_minutes", day, 3, dimension="10"),
        ],
    )
    rollups.bump_all(
        station_b,
        [
            rollups.Bump("patrols.places", day, 6, dimension="needed"),
            rollups.Bump("patrols.places", day, 1, dimension="filled"),
            rollups.Bump("incidents.triage_minutes", day, 1, dimension="30"),
            rollups.Bump("incidents.triage_minutes", day, 1, dimension="50"),
        ],
    )
    response = login(bureau_viewer).get(url("tenancy:dashboard", bureau, WEEK))
    _order, cells = side(response)
    assert (cells["station-a"][COVERAGE]["text"], cells["station-b"][COVERAGE]["text"]) == (
        "75.0 %",
        "16.7 %",
    )
    total = totals(response)
    assert total[COVERAGE]["text"] == "40.0 %" and not total[COVERAGE]["note"]
    assert total["incidents.triage_median"]["text"] == shown(10.0, "minutes")
    assert total["incidents.triage_p90"]["text"] == shown(42.0, "minutes")  # 30 + 0.6 × (50 − 30)
    # and in the CSV, the same numbers
    rows = list(
        csv.reader(
            io.StringIO(
                login(bureau_viewer)
                .get(url("tenancy:dashboard-csv", bureau, WEEK))
                .content.decode("utf-8-sig")
            )
        )
    )
    header, last = rows[0], rows[-1]
    assert float(last[header.index(next(h for h in header if h.startswith("Shift coverage")))]) == 40.0


def test_the_side_by_side_sorts_by_any_figure_both_ways(bureau, bureau_viewer, login, week):
    client = login(bureau_viewer)
    sorted_by = lambda key, order: side(  # noqa: E731
        client.get(url("tenancy:dashboard", bureau, f"{WEEK}&sort={key}&order={order}"))
    )[0]
    assert sorted_by(REPORTS, "desc") == ["station-a", "station-b"]
    assert sorted_by(REPORTS, "asc") == ["station-b", "station-a"]
    assert sorted_by(HOURS, "desc") == ["station-b", "station-a"]
    assert sorted_by(HOURS, "asc") == ["station-a", "station-b"]
    assert sorted_by("name", "desc") == ["station-b", "station-a"]
    page = client.get(url("tenancy:dashboard", bureau, f"{WEEK}&sort={HOURS}&order=desc")).content.decode()
    header = page[page.index(f'data-figure="{HOURS}"') - 60 : page.index(f'data-figure="{HOURS}"') + 250]
    assert 'aria-sort="descending"' in header
    assert f"sort={HOURS}&amp;order=asc" in header  # choosing it again reverses the order
    assert page.count("aria-sort=") == 1


def test_names_lead_to_the_station_s_dashboard_and_values_to_the_lists_the_viewer_may_open(
    bureau, station_a, bureau_viewer, login, week
):
    client = login(bureau_viewer)
    response = client.get(url("tenancy:dashboard", bureau, WEEK))
    line = next(line for line in response.context["lines"] if line["station"] == station_a)
    assert line["url"] == url("tenancy:dashboard", station_a, "?" + WEEK_PICKER)
    _order, cells = side(response)
    hours_list = url("patrols:patrol-list", station_a, "?start=2024-05-13&end=2024-05-19")
    assert cells["station-a"][HOURS]["link"] == hours_list
    assert cells["station-a"][REPORTS]["link"] == ""  # the report queue is the station's staff's
    # the station's own dashboard opens read-only for the same period, and the list holds the patrols
    assert client.get(line["url"]).status_code == 200
    listed = client.get(hours_list)
    assert listed.status_code == 200 and listed.context["page_obj"].paginator.count == 1


def test_the_csv_holds_the_table_and_is_formula_safe(bureau, station_b, bureau_viewer, login, week):
    Tenant.objects.filter(pk=station_b.pk).update(name="=HYPERLINK(1)")
    response = login(bureau_viewer).get(
        url("tenancy:dashboard", bureau, f"csv/{WEEK}&sort={HOURS}&order=desc")
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    header = rows[0]
    reports, hours, coverage = (
        header.index(f"{label} ({unit})")
        for label, unit in (
            ("Reports received", "count"),
            ("Patrol hours", "hours"),
            ("Shift coverage", "percent"),
        )
    )
    assert [row[0] for row in rows[1:]] == ["'=HYPERLINK(1)", "Station A", "Bureau total"]
    assert [row[reports] for row in rows[1:]] == ["1", "3", "4"]
    assert [row[hours] for row in rows[1:]] == ["10.0", "2.5", "12.5"]
    assert rows[-1][coverage] == "0.0"  # pooled: no place of the two stations' shifts filled


def test_bad_sort_and_bad_period_are_refused_with_the_reason(bureau, bureau_viewer, login, week):
    client = login(bureau_viewer)
    bad_sort = client.get(url("tenancy:dashboard", bureau, f"{WEEK}&sort=drop table"))
    assert (
        bad_sort.status_code == 400
        and "Choose a figure of the table to sort by." in bad_sort.content.decode()
    )
    bad_order = client.get(url("tenancy:dashboard", bureau, f"{WEEK}&sort={HOURS}&order=up"))
    assert bad_order.status_code == 400
    bad_day = client.get(url("tenancy:dashboard", bureau, "csv/?period=week&date=15/05/2024"))
    assert bad_day.status_code == 400 and "is not a date" in bad_day.content.decode()


def test_the_query_count_does_not_grow_with_the_rows(
    bureau, station_a, officer_a, bureau_viewer, login, week
):
    client = login(bureau_viewer)
    pages = [
        url("tenancy:dashboard", bureau, WEEK),
        url("tenancy:dashboard", station_a, WEEK),  # with its top teams and volunteers
        url("tenancy:rankings", bureau, f"{WEEK}&measure=teams.volunteer_points"),
        url("api:figures", bureau, WEEK),
    ]

    def queries():
        counts = []
        for page in pages:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(page).status_code == 200
            counts.append(len(captured))
        return counts

    with scopes_disabled():
        ann = week["ann"]
    points_given(ann, 1, MONDAY)
    queries()  # warm: the first read of a past day counts its training compliance, once
    few = queries()  # 2 ledger rows
    for _ in range(18):
        points_given(ann, 1, MONDAY)
    bo = active_volunteer(station_a, officer_a, full_name="Bo")  # one more volunteer ranked
    points_given(bo, 5, MONDAY)
    reported(station_a, 2)
    assert queries() == few  # 20 ledger rows


# ---- who may see what --------------------------------------------------------------------------------


def test_a_bureau_viewer_reads_only_its_own_stations(bureau, station_c, bureau_viewer, login, week):
    client = login(bureau_viewer)
    assert client.get(url("tenancy:dashboard", station_c, WEEK)).status_code == 404
    assert client.get(url("tenancy:rankings", station_c)).status_code == 404
    assert client.get(url("api:figures", station_c)).status_code == 404
    assert client.get(url("api:rankings", station_c)).status_code == 404
    refused = client.get(url("tenancy:rankings", bureau, "?station=station-c"))
    assert refused.status_code == 400
    assert "Choose one of the bureau's stations." in html.unescape(refused.content.decode())


def test_a_station_s_map_has_no_bureau_side(bureau, station_a, bureau_viewer, login, week):
    client = login(bureau_viewer)
    for name in ("tenancy:dashboard-heat", "tenancy:dashboard-map-csv"):
        assert client.get(url(name, bureau, "?map=incidents.reports_heat")).status_code == 404, name
        # the bureau's own stations' maps open, read-only
        assert client.get(url(name, station_a, "?map=incidents.reports_heat")).status_code == 200, name


def test_another_bureau_s_viewer_gets_404(bureau, station_a, station_c, login, week):
    other = member(station_c.parent, Role.BUREAU_VIEWER, username="other_viewer")
    client = login(other)
    for name in ("tenancy:dashboard", "tenancy:rankings", "api:figures", "api:rankings"):
        assert client.get(url(name, bureau)).status_code == 404, name
        assert client.get(url(name, station_a)).status_code == 404, name


def test_a_bureau_viewer_cannot_post_anything(bureau, station_a, bureau_viewer, login, week):
    client = login(bureau_viewer)
    for name in ("tenancy:dashboard", "tenancy:dashboard-csv", "tenancy:rankings", "tenancy:rankings-csv"):
        for tenant in (bureau, station_a):
            assert client.post(url(name, tenant)).status_code in (403, 405), (name, tenant)
    for name in ("api:figures", "api:rankings"):
        assert client.post(url(name, bureau)).status_code == 405


def test_a_chief_sees_only_their_station(bureau, station_a, station_b, chief_a, login, week):
    client = login(chief_a)
    assert client.get(url("tenancy:dashboard", bureau)).status_code == 404
    assert client.get(url("api:figures", station_b)).status_code == 404
    assert client.get(url("tenancy:rankings", station_b)).status_code == 404
    answer = client.get(url("api:figures", station_a, WEEK)).json()
    assert answer["stations"] == []
    reports = next(f for f in answer["figures"] if f["key"] == REPORTS)
    assert (reports["value"], reports["previous"], reports["change"]) == (3, 0, 3)


def test_an_officer_gets_what_the_dashboard_gives_officers(station_a, officer_a, login, week):
    client = login(officer_a)
    for name in ("tenancy:rankings", "tenancy:rankings-csv", "api:figures", "api:rankings"):
        assert client.get(url(name, station_a)).status_code == 403, name


# ---- rankings ----------------------------------------------------------------------------------------


def test_the_bureau_ranks_its_stations_on_a_chosen_figure(bureau, bureau_viewer, login, week):
    client = login(bureau_viewer)
    response = client.get(url("tenancy:rankings", bureau, f"{WEEK}&figure={HOURS}"))
    assert response.status_code == 200
    rows = [(row.rank, row.name, row.value) for row, _url in response.context["station_rows"]]
    assert rows == [(1, "Station B", 10.0), (2, "Station A", 2.5)]
    ascending = client.get(url("tenancy:rankings", bureau, f"{WEEK}&figure={REPORTS}&order=asc"))
    assert [row.name for row, _url in ascending.context["station_rows"]] == ["Station B", "Station A"]
    page = response.content.decode()
    assert f'<option value="{HOURS}" selected>' in page
    bad = client.get(url("tenancy:rankings", bureau, "?figure=nothing"))
    assert bad.status_code == 400 and "Choose a figure from the list." in bad.content.decode()


def test_teams_are_ranked_across_the_bureau_or_in_one_station(bureau, station_b, bureau_viewer, login, week):
    client = login(bureau_viewer)
    across = client.get(url("tenancy:rankings", bureau, f"{WEEK}&measure=patrols.team_hours"))
    assert [(r.rank, r.name, r.station.slug) for r in across.context["team_rows"]] == [
        (1, "River", "station-b"),
        (2, "North", "station-a"),
    ]
    assert across.context["team_rows"][0].link == f"/s/station-b/teams/{week['river'].pk}/"
    one = client.get(url("tenancy:rankings", bureau, f"{WEEK}&measure=patrols.team_hours&station=station-b"))
    assert [r.name for r in one.context["team_rows"]] == ["River"]
    bad = client.get(url("tenancy:rankings", bureau, f"{WEEK}&measure=nothing"))
    assert bad.status_code == 400 and "Choose a measure from the list." in bad.content.decode()


def test_a_station_ranks_its_own_teams_only(station_a, chief_a, login, week):
    response = login(chief_a).get(url("tenancy:rankings", station_a, f"{WEEK}&measure=patrols.team_hours"))
    assert response.status_code == 200
    assert [r.name for r in response.context["team_rows"]] == ["North"]
    assert response.context["station_rows"] == [] and 'name="figure"' not in response.content.decode()


def test_rankings_download_as_csv(bureau, bureau_viewer, login, week):
    client = login(bureau_viewer)
    teams = client.get(url("tenancy:rankings", bureau, f"csv/{WEEK}&measure=patrols.team_hours&table=teams"))
    rows = list(csv.reader(io.StringIO(teams.content.decode("utf-8").lstrip("\ufeff"))))
    assert rows == [
        ["Rank", "Teams", "Station", "Patrol hours (hours)"],
        ["1", "River", "Station B", "10.0"],
        ["2", "North", "Station A", "2.5"],
    ]
    stations = client.get(url("tenancy:rankings", bureau, f"csv/{WEEK}&figure={REPORTS}&table=stations"))
    assert stations.content.decode("utf-8").startswith("\ufeffRank,Station,Reports received (count)")
    assert client.get(url("tenancy:rankings", bureau, f"csv/{WEEK}&table=other")).status_code == 400


def test_the_chief_s_dashboard_shows_the_top_teams_and_volunteers(station_a, chief_a, login, week):
    response = login(chief_a).get(url("tenancy:dashboard", station_a, WEEK))
    top = {measure.key: rows for measure, rows in response.context["top"]}
    assert [(r.rank, r.name) for r in top["patrols.team_hours"]] == [(1, "North")]
    assert [(r.name, r.value) for r in top["teams.volunteer_points"]] == [("Ann", 40)]
    assert [(r.name, r.value) for r in top["patrols.volunteer_hours"]] == [("Ann", 2.5)]
    page = response.content.decode()
    assert 'data-testid="dashboard-top"' in page
    assert f'href="/s/station-a/teams/{week["north"].pk}/"' in page
    assert f'href="/s/station-a/volunteers/{week["ann"].pk}/"' in page


# ---- the API -----------------------------------------------------------------------------------------


def test_the_api_gives_the_bureau_s_stations_and_totals(bureau, bureau_viewer, login, week):
    answer = login(bureau_viewer).get(url("api:figures", bureau, WEEK))
    assert answer.status_code == 200
    data = answer.json()
    assert data["period"] == {
        "kind": "week",
        "first_day": "2024-05-13",
        "last_day": "2024-05-19",
        "label": "2024-05-13 – 2024-05-19",
    }
    assert [s["slug"] for s in data["stations"]] == ["station-a", "station-b"]
    hours = {s["slug"]: next(f for f in s["figures"] if f["key"] == HOURS) for s in data["stations"]}
    assert (hours["station-a"]["value"], hours["station-b"]["value"]) == (2.5, 10.0)
    assert hours["station-a"]["link"] == "/s/station-a/patrols/walked/?start=2024-05-13&end=2024-05-19"
    total = {f["key"]: f for f in data["figures"]}
    assert (total[HOURS]["value"], total[REPORTS]["value"], total[REPORTS]["unit"]) == (12.5, 4, "count")
    assert total[COVERAGE]["value"] == 0.0 and not total[COVERAGE]["note"]
    compliance = total["training.compliance"]
    assert compliance["value"] is None and compliance["note"]  # kept per station: not summed
    assert {"key", "label", "group", "unit", "value", "previous", "change", "link"} <= set(total[HOURS])


def test_the_api_refuses_a_bad_period_in_the_user_s_language(bureau, bureau_viewer, login, week):
    client = login(bureau_viewer)
    english = client.get(url("api:figures", bureau, "?period=week&date=15/05/2024"))
    assert english.status_code == 400
    assert english.json() == {"detail": "“15/05/2024” is not a date: use YYYY-MM-DD.", "code": "date"}
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get(url("api:rankings", bureau, "?start=2024-03-01"))
    assert chinese.status_code == 400 and chinese.json()["code"] == "dates_missing"
    assert chinese.json()["detail"] == "请同时填写起始日和截止日。"  # the page's message, translated


def test_the_api_ranks_stations_and_teams(bureau, bureau_viewer, login, week):
    answer = login(bureau_viewer).get(
        url("api:rankings", bureau, f"{WEEK}&figure={REPORTS}&measure=teams.volunteer_points")
    )
    data = answer.json()
    assert [(r["rank"], r["station"], r["value"]) for r in data["stations"]] == [
        (1, "station-a", 3),
        (2, "station-b", 1),
    ]
    assert data["measure"]["subject"] == "volunteer"
    assert [(r["rank"], r["name"], r["station"], r["value"]) for r in data["teams"]] == [
        (1, "Ann", "station-a", 40)
    ]


def test_the_api_answers_as_the_schema_says(bureau, station_a, bureau_viewer, chief_a, week):
    answer_as_documented(bureau_viewer, "GET", "/api/s/{station}/figures/", station=bureau.slug)
    answer_as_documented(chief_a, "GET", "/api/s/{station}/figures/", station=station_a.slug)
    answer_as_documented(bureau_viewer, "GET", "/api/s/{station}/rankings/", station=bureau.slug)
    answer_as_documented(chief_a, "GET", "/api/s/{station}/rankings/", station=station_a.slug)


@pytest.mark.parametrize("language", ["en", "zh-hans", "de", "fr"])
def test_numbers_are_written_as_the_languages_number_format_writes_them(language):
    """The figures' quick formatter (``core.numbers.grouped``) writes every number as Django's
    ``number_format`` does in that language (grouped by threes, or not at all in Chinese), and a
    zero never with a minus sign."""
    import random
    from decimal import Decimal

    from django.utils import translation
    from django.utils.formats import number_format

    from jointdefense.core.numbers import grouped, shown

    rng = random.Random(13)
    values = [1, -1, 999, 1000, -1000, 1_234_567, 12.5, -12.35, 2.25, Decimal("1234.5"), 10**12]
    values += [rng.uniform(-1e7, 1e7) for _ in range(300)] + [
        rng.randint(-(10**9), 10**9) for _ in range(300)
    ]
    with translation.override(language):
        for value in values:
            for places in (0, 1):
                rounded = round(value, places)
                assert grouped(rounded, places) == number_format(rounded, places, force_grouping=True)
        assert grouped(Decimal("-0.0"), 1) == number_format(0.0, 1, force_grouping=True)
        assert shown(-0.04, "hours") == number_format(0.0, 1, force_grouping=True) + " h"
    with translation.override("en"):
        assert shown(1234567, "count") == "1,234,567" and shown(2.5, "percent", signed=True) == "+2.5 %"


def test_figure_links_quote_their_query_as_django_does():
    """The figures' links (``core.links.query_string``, its words quoted once and kept) read as
    ``urlencode(query, doseq=True)`` writes them, lists, dates, numbers and odd characters alike."""
    import datetime

    from django.utils.http import urlencode

    from jointdefense.core.links import query_string

    query = {
        "status": ["new", "triaged", "in progress"],
        "start": datetime.date(2026, 3, 29),
        "category": 12,
        "q": "a&b=c/ä 100%",
        "review": ("flagged",),
        "empty": "",
    }
    assert query_string(query) == urlencode(query, doseq=True)
    with pytest.raises(TypeError):
        query_string({"status": None})
