"""The incidents app's dashboard figures (incidents/selectors/figures.py), each against a
hand-counted fixture in a station on Europe/Berlin, over the week that crosses the change to summer
time (Monday 25 March to Sunday 31 March 2024: 167 hours), with rows just before and after the
station's midnights; and the list each figure links to holds exactly the rows it counts."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from incidents.models import Report, ReportEvent, ReturnVisit
from incidents.selectors import figures as f
from incidents.services.mediation import mediation_record_outcome
from incidents.services.triage import report_transition
from jointdefense.core.periods import Period
from jointdefense.core.registry import figures
from tests.factories import mediation_opened, report_filed

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
UTC = datetime.UTC
# Monday 00:00 CET = Sunday 23:00 UTC; the next Monday 00:00 CEST = Sunday 22:00 UTC
JUST_BEFORE = datetime.datetime(2024, 3, 24, 22, 59, 59, tzinfo=UTC)  # Sunday 23:59:59 local, week before
FIRST_MOMENT = datetime.datetime(2024, 3, 24, 23, 0, tzinfo=UTC)  # Monday 00:00 local
LAST_MOMENT = datetime.datetime(2024, 3, 31, 21, 59, 59, tzinfo=UTC)  # Sunday 23:59:59 CEST
JUST_AFTER = datetime.datetime(2024, 3, 31, 22, 0, tzinfo=UTC)  # Monday 00:00 CEST: the week after
WEEK = Period.containing("week", datetime.date(2024, 3, 27), BERLIN)


@pytest.fixture
def berlin(station_a):
    station_a.time_zone = "Europe/Berlin"
    station_a.save(update_fields=["time_zone"])
    return station_a


def filed(station, when, slug="hazard", **fields):
    report = report_filed(station, slug=slug, **fields)
    with scopes_disabled():
        Report.objects.filter(pk=report.pk).update(created_at=when, **fields.pop("db", {}))
        ReportEvent.objects.filter(report=report).update(created_at=when)
    return report


def moved(report, actor, when, *steps):
    """Walk ``report`` through ``steps`` with the triage service; the events dated ``when``."""
    with scope(tenant=report.tenant):
        for to in steps:
            report = report_transition(report=Report.objects.get(pk=report.pk), actor=actor, to=to)
    with scopes_disabled():
        ReportEvent.objects.filter(report=report, kind="status", created_at__gt=when).update(created_at=when)
    return report


def test_the_week_is_seven_local_days_across_the_change_to_summer_time():
    assert WEEK.start == FIRST_MOMENT and WEEK.end == JUST_AFTER
    assert WEEK.end.astimezone(UTC) - WEEK.start.astimezone(UTC) == datetime.timedelta(hours=167)
    assert WEEK.previous().first_day == datetime.date(2024, 3, 18)


def test_reports_received_count_the_station_s_local_week(berlin, station_b):
    for when in (JUST_BEFORE, FIRST_MOMENT, LAST_MOMENT, JUST_AFTER):
        filed(berlin, when)
    filed(station_b, FIRST_MOMENT)  # another station's report never counts
    with scope(tenant=berlin):
        assert f.reports_received(berlin, WEEK) == 2
        assert f.reports_received(berlin, WEEK.previous()) == 1
        assert f.reports_received(berlin, WEEK, status="new") == 2
        assert f.reports_received(berlin, WEEK, status="closed") == 0


def test_hazards_removed_count_hazards_resolved_in_the_week(berlin, officer_a):
    inside = filed(berlin, JUST_BEFORE)  # reported before, resolved inside: counts
    moved(inside, officer_a, FIRST_MOMENT, "triaged", "assigned", "resolved")
    closed = filed(berlin, FIRST_MOMENT)  # resolved and closed inside: counts once
    moved(closed, officer_a, LAST_MOMENT, "triaged", "assigned", "resolved", "closed")
    late = filed(berlin, FIRST_MOMENT)  # resolved at the next Monday's midnight: not this week
    moved(late, officer_a, JUST_AFTER, "triaged", "assigned", "resolved")
    theft = filed(berlin, FIRST_MOMENT, slug="theft")  # not a hazard
    moved(theft, officer_a, FIRST_MOMENT, "triaged", "assigned", "resolved")
    filed(berlin, FIRST_MOMENT)  # an open hazard
    with scope(tenant=berlin):
        assert f.hazards_removed(berlin, WEEK) == 2
        assert f.hazards_removed(berlin, WEEK.previous()) == 0


def test_clues_provided_and_found_valuable(berlin):
    filed(berlin, FIRST_MOMENT, slug="suspicious")
    valuable = filed(berlin, LAST_MOMENT, slug="suspicious")
    case = filed(berlin, LAST_MOMENT, slug="suspicious")
    filed(berlin, JUST_AFTER, slug="suspicious")
    filed(berlin, FIRST_MOMENT, slug="hazard")
    with scopes_disabled():
        Report.objects.filter(pk=valuable.pk).update(clue_value="valuable")
        Report.objects.filter(pk=case.pk).update(clue_value="case")
    with scope(tenant=berlin):
        assert f.clues_provided(berlin, WEEK) == 3
        assert f.clues_valuable(berlin, WEEK) == 2


def settled(station, actor, opened_at, closed_at, status="settled"):
    mediation = mediation_opened(station, actor, opened_at=opened_at)
    if closed_at:
        with scope(tenant=station):
            mediation_record_outcome(
                mediation=mediation,
                actor=actor,
                status=status,
                outcome="ok",
                agreement="signed",
                closed_at=closed_at,
            )
    return mediation


def test_disputes_mediated_and_settled(berlin, officer_a):
    settled(berlin, officer_a, JUST_BEFORE, FIRST_MOMENT)  # opened before, settled inside
    settled(berlin, officer_a, FIRST_MOMENT, LAST_MOMENT, status="partly_settled")
    settled(berlin, officer_a, FIRST_MOMENT, LAST_MOMENT, status="not_settled")
    settled(berlin, officer_a, LAST_MOMENT, None)  # still open
    settled(berlin, officer_a, LAST_MOMENT, JUST_AFTER)  # settled the week after
    with scope(tenant=berlin):
        assert f.disputes_mediated(berlin, WEEK) == 4
        assert f.disputes_settled(berlin, WEEK) == 2


def visit(report, level, due_at, visited_at=None, rating="", rated_at=None):
    with scopes_disabled():
        ReturnVisit.objects.filter(report=report, level=level).delete()
        return ReturnVisit.objects.create(
            tenant=report.tenant,
            report=report,
            level=level,
            due_at=due_at,
            visited_at=visited_at,
            rating=rating,
            rated_at=rated_at,
        )


def test_return_visits_due_on_time_late_and_satisfaction(berlin):
    hour = datetime.timedelta(hours=1)
    reports = [filed(berlin, JUST_BEFORE) for _ in range(5)]
    visit(reports[0], "officer", FIRST_MOMENT, FIRST_MOMENT - hour, "satisfied", FIRST_MOMENT)  # on time
    visit(
        reports[1], "officer", LAST_MOMENT - 3 * hour, LAST_MOMENT - hour, "unsatisfied", LAST_MOMENT - hour
    )
    visit(reports[1], "chief", JUST_AFTER + hour, JUST_AFTER, "satisfied", JUST_AFTER)  # next week
    visit(reports[2], "officer", LAST_MOMENT)  # not made, past due: late
    visit(reports[3], "officer", JUST_BEFORE, JUST_BEFORE, "satisfied", JUST_BEFORE)  # the week before
    visit(reports[4], "officer", JUST_AFTER, JUST_BEFORE, "satisfied", LAST_MOMENT)  # rated inside
    with scope(tenant=berlin):
        assert f.return_visits_due(berlin, WEEK) == 3
        assert f.return_visits_on_time(berlin, WEEK) == 1
        assert f.return_visits_late(berlin, WEEK) == 2
        # rated at the first visit in the week: reports 0 (satisfied), 1 (not), 4 (satisfied)
        assert round(f.satisfaction_first_visit(berlin, WEEK), 1) == Decimal("66.7")
        assert (
            f.satisfaction_first_visit(berlin, Period.containing("week", datetime.date(2024, 1, 3), BERLIN))
            is None
        )


def test_median_time_to_triage_is_computed_by_the_database(berlin, officer_a):
    for minutes in (10, 20, 60, 90):
        report = filed(berlin, FIRST_MOMENT)
        moved(report, officer_a, FIRST_MOMENT + datetime.timedelta(minutes=minutes), "triaged")
    filed(berlin, FIRST_MOMENT)  # not triaged yet: left out
    with scope(tenant=berlin):
        assert f.triage_minutes(berlin, WEEK) == pytest.approx(40.0)
        assert f.triage_minutes(berlin, WEEK.previous()) is None


def rows_listed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.context["paginator"].count


def test_each_linked_figure_s_list_holds_exactly_the_rows_it_counts(berlin, chief_a, officer_a, login):
    filed(berlin, JUST_BEFORE)
    filed(berlin, FIRST_MOMENT)
    moved(filed(berlin, LAST_MOMENT), officer_a, LAST_MOMENT, "triaged", "assigned", "resolved")
    moved(filed(berlin, JUST_BEFORE), officer_a, FIRST_MOMENT, "triaged", "assigned", "resolved", "closed")
    moved(filed(berlin, FIRST_MOMENT), officer_a, JUST_AFTER, "triaged", "assigned", "resolved")
    rejected = filed(berlin, FIRST_MOMENT, slug="theft")
    moved(rejected, officer_a, FIRST_MOMENT, "triaged")
    filed(berlin, JUST_AFTER)
    valuable = filed(berlin, LAST_MOMENT, slug="suspicious")
    filed(berlin, FIRST_MOMENT, slug="suspicious")
    with scopes_disabled():
        Report.objects.filter(pk=valuable.pk).update(clue_value="valuable")
    settled(berlin, officer_a, JUST_BEFORE, FIRST_MOMENT)
    settled(berlin, officer_a, FIRST_MOMENT, LAST_MOMENT, status="partly_settled")
    settled(berlin, officer_a, LAST_MOMENT, None)
    settled(berlin, officer_a, LAST_MOMENT, JUST_AFTER)
    client = login(chief_a)
    checked = 0
    for figure in figures:
        if not figure.key.startswith("incidents.") or figure.link is None:
            continue
        for period in (WEEK, WEEK.previous()):
            with scope(tenant=berlin):
                counted = figure.compute(berlin, period)
            assert rows_listed(client, figure.link(berlin, period)) == counted, figure.key
        checked += 1
    assert checked >= 12
    with scope(tenant=berlin):
        assert f.hazards_removed(berlin, WEEK) == 2 and f.disputes_settled(berlin, WEEK) == 2
        assert f.reports_received(berlin, WEEK) == 6 and f.clues_valuable(berlin, WEEK) == 1


def test_a_list_link_reads_the_days_in_the_station_s_time_zone(berlin, chief_a, login):
    filed(berlin, JUST_AFTER)
    url = reverse("incidents:triage", kwargs={"station": berlin.slug})
    client = login(chief_a)
    assert rows_listed(client, url + "?start=2024-03-25&end=2024-03-31") == 0
    assert rows_listed(client, url + "?start=2024-04-01&end=2024-04-01") == 1
    assert rows_listed(client, url + "?start=1900-01-01") == 1  # refused, so not applied: no 500
