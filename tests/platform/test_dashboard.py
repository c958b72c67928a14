"""The chief's dashboard (/s/<station>/dashboard/, jointdefense/tenancy/dashboard.py) and its
period parsing (jointdefense/core/periods.py): who sees it, the period picker and its refusals, the
figures against the period before, the CSV, and a query count that does not grow with the rows."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from incidents.models import Report
from jointdefense.core.periods import Period, period_from_query
from jointdefense.core.spreadsheets import formula_safe
from tests.factories import report_filed
from tests.support import rollups_rebuilt

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2024, 5, 15)


def dashboard(station, suffix=""):
    return reverse("tenancy:dashboard", kwargs={"station": station.slug}) + suffix


def reported(station, when, n=1):
    for _ in range(n):
        report = report_filed(station)
        with scopes_disabled():
            Report.objects.filter(pk=report.pk).update(created_at=when)
    rollups_rebuilt(station)  # the figures read the rollups, which no .update() reaches


# ---- periods ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query,kind,first,last",
    [
        ({}, "month", "2024-05-01", "2024-05-31"),
        ({"period": "week", "date": "2024-05-15"}, "week", "2024-05-13", "2024-05-19"),
        ({"period": "quarter", "date": "2024-08-31"}, "quarter", "2024-07-01", "2024-09-30"),
        ({"period": "year"}, "year", "2024-01-01", "2024-12-31"),
        ({"start": "2024-02-10", "end": "2024-03-09"}, "custom", "2024-02-10", "2024-03-09"),
    ],
)
def test_period_from_query_reads_the_picker(query, kind, first, last):
    period = period_from_query(query, SHANGHAI, TODAY)
    assert (period.kind, period.first_day.isoformat(), period.last_day.isoformat()) == (kind, first, last)
    assert period.start == datetime.datetime.fromisoformat(first).replace(tzinfo=SHANGHAI)


def test_the_period_before_has_the_same_length_and_kind():
    march = Period.containing("month", datetime.date(2024, 3, 9), SHANGHAI)
    assert (march.previous().first_day, march.previous().last_day) == (
        datetime.date(2024, 2, 1),
        datetime.date(2024, 2, 29),
    )
    q1 = Period.containing("quarter", datetime.date(2024, 2, 1), SHANGHAI).previous()
    assert (q1.first_day, q1.last_day) == (datetime.date(2023, 10, 1), datetime.date(2023, 12, 31))
    custom = period_from_query({"start": "2024-02-10", "end": "2024-03-09"}, SHANGHAI, TODAY).previous()
    assert (custom.first_day, custom.last_day, custom.days) == (
        datetime.date(2024, 1, 12),
        datetime.date(2024, 2, 9),
        29,
    )


@pytest.mark.parametrize(
    "query,code",
    [
        ({"period": "fortnight"}, "period"),
        ({"period": "week", "date": "15/05/2024"}, "date"),
        ({"period": "week", "date": "1850-01-01"}, "date_range"),
        ({"start": "2024-03-01"}, "dates_missing"),
        ({"start": "2024-03-01", "end": "2024-02-01"}, "dates_order"),
        ({"start": "2000-01-01", "end": "2020-01-01"}, "dates_too_long"),
        ({"period": "custom", "start": "x", "end": "2024-01-01"}, "date"),
    ],
)
def test_bad_period_input_is_refused_with_a_code(query, code):
    with pytest.raises(ValidationError) as refused:
        period_from_query(query, SHANGHAI, TODAY)
    assert refused.value.code == code


# ---- who sees it ----------------------------------------------------------------------------------


def test_the_chief_sees_their_station_s_figures_against_the_period_before(station_a, chief_a, login):
    now = timezone.now()
    reported(station_a, now, 3)
    reported(station_a, now - datetime.timedelta(days=7), 1)
    response = login(chief_a).get(dashboard(station_a, "?period=week"))
    assert response.status_code == 200
    row = next(
        r
        for s in response.context["sections"]
        for r in s["rows"]
        if r["figure"].key == "incidents.reports_received"
    )
    assert (row["value"], row["previous"], row["change"], row["value_text"], row["change_text"]) == (
        3,
        1,
        2,
        "3",
        "+2",
    )
    page = response.content.decode()
    assert 'data-figure="incidents.reports_received"' in page and row["link"] in page.replace("&amp;", "&")


def test_the_dashboard_is_the_chief_s_landing_page(station_a, chief_a, login):
    response = login(chief_a).get(reverse("tenancy:home", kwargs={"station": station_a.slug}))
    assert response.context["nav"]["landing"]["url_name"] == "tenancy:dashboard"


def test_another_station_s_chief_gets_404(station_a, chief_b, login):
    assert login(chief_b).get(dashboard(station_a)).status_code == 404


def test_an_officer_gets_403_and_no_menu_entry(station_a, officer_a, login):
    client = login(officer_a)
    assert client.get(dashboard(station_a)).status_code == 403
    assert client.get(dashboard(station_a, "csv/")).status_code == 403
    page = client.get(reverse("tenancy:home", kwargs={"station": station_a.slug})).content.decode()
    assert dashboard(station_a) not in page


def test_the_bureau_viewer_reads_a_station_s_dashboard_without_links_to_lists_it_may_not_open(
    station_a, bureau_viewer, login
):
    reported(station_a, timezone.now())
    response = login(bureau_viewer).get(dashboard(station_a))
    assert response.status_code == 200
    row = next(
        r
        for s in response.context["sections"]
        for r in s["rows"]
        if r["figure"].key == "incidents.reports_received"
    )
    assert row["value"] == 1 and row["link"] == ""  # the report queue is for the station's staff


def test_the_dashboard_in_a_bureau_lists_its_stations(bureau, station_a, station_b, bureau_viewer, login):
    page = login(bureau_viewer).get(dashboard(bureau)).content.decode()
    assert dashboard(station_a) in page and dashboard(station_b) in page


# ---- bad input --------------------------------------------------------------------------------------


def test_bad_period_input_gives_400_with_the_translated_message(station_a, chief_a, login):
    client = login(chief_a)
    response = client.get(dashboard(station_a, "?start=2024-03-01&end=2024-02-01"))
    assert response.status_code == 400
    assert "The last day comes before the first day." in response.content.decode()
    response = client.get(dashboard(station_a, "?period=week&date=yesterday"))
    assert response.status_code == 400
    assert "“yesterday” is not a date: use YYYY-MM-DD." in response.content.decode()
    assert client.get(dashboard(station_a, "csv/?start=2000-01-01&end=2030-01-01")).status_code == 400


# ---- CSV --------------------------------------------------------------------------------------------


def test_the_csv_opens_in_excel_and_holds_the_figures(station_a, chief_a, login):
    reported(station_a, timezone.now(), 2)
    response = login(chief_a).get(dashboard(station_a, "csv/?period=month"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    assert "Reports received,count,2,0,2" in body.replace("\r\n", "\n")


def test_text_cells_that_a_spreadsheet_would_run_get_a_quote():
    assert [formula_safe(v) for v in ("=1+2", "+3", "-4", "@SUM(A1)", "Hazards", 5)] == [
        "'=1+2",
        "'+3",
        "'-4",
        "'@SUM(A1)",
        "Hazards",
        5,
    ]


# ---- cost -------------------------------------------------------------------------------------------


def test_the_page_costs_the_same_queries_for_1_report_and_for_40(station_a, chief_a, login):
    client = login(chief_a)
    reported(station_a, timezone.now(), 1)
    client.get(dashboard(station_a))  # warm the session and the per-user caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(dashboard(station_a)).status_code == 200
    reported(station_a, timezone.now(), 39)
    with CaptureQueriesContext(connection) as many:
        assert client.get(dashboard(station_a)).status_code == 200
    # the session and user, the station, the memberships (roles), then one aggregate per figure and
    # period (this one and the one before): nothing per row
    assert len(many) == len(few)
