"""The incidents app's dashboard figures (incidents/selectors/figures.py), each against a
hand-counted fixture in a station on Europe/Berlin, over the week that crosses the change to summer
time (Monday 25 March to Sunday 31 March 2024: 167 hours), with rows just before and after the
station's midnights; the list each figure links to holds exactly the rows it counts. The rows are
written by the real services and backdated (then the station's rollups rebuilt, as no service sees
an ``.update()``); each figure read from the rollups equals its plain GROUP BY twin (``raw``).

Then, with no backdating at all: after a random run of the real services every figure equals its
raw twin and a rebuild changes no rollup (what the services wrote is what a rebuild computes), and
two reports submitted at once both count."""

import datetime
import random
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from incidents.errors import MediationError, ReportError
from incidents.models import Mediation, Report, ReportEvent, ReturnVisit
from incidents.selectors import figures as f
from incidents.selectors import rollups as r
from incidents.services.clues import report_mark_clue
from incidents.services.duplicates import report_merge
from incidents.services.mediation import mediation_open, mediation_record_outcome
from incidents.services.return_visits import return_visit_rate, return_visit_record
from incidents.services.triage import TRANSITIONS, report_transition
from jointdefense.core import rollups
from jointdefense.core.periods import Period
from jointdefense.core.registry import figures
from tests.factories import mediation_opened, report_filed
from tests.support import race, rollup_rows, rollups_rebuilt

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
UTC = datetime.UTC
# Monday 00:00 CET = Sunday 23:00 UTC; the next Monday 00:00 CEST = Sunday 22:00 UTC
JUST_BEFORE = datetime.datetime(2024, 3, 24, 22, 59, 59, tzinfo=UTC)  # Sunday 23:59:59 local, week before
FIRST_MOMENT = datetime.datetime(2024, 3, 24, 23, 0, tzinfo=UTC)  # Monday 00:00 local
LAST_MOMENT = datetime.datetime(2024, 3, 31, 21, 59, 59, tzinfo=UTC)  # Sunday 23:59:59 CEST
JUST_AFTER = datetime.datetime(2024, 3, 31, 22, 0, tzinfo=UTC)  # Monday 00:00 CEST: the week after
WEEK = Period.containing("week", datetime.date(2024, 3, 27), BERLIN)
NEXT = Period.containing("week", datetime.date(2024, 4, 1), BERLIN)


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
    rollups_rebuilt(station)
    return report


def moved(report, actor, when, *steps):
    """Walk ``report`` through ``steps`` with the triage service; the events dated ``when``."""
    with scope(tenant=report.tenant):
        for to in steps:
            report = report_transition(report=Report.objects.get(pk=report.pk), actor=actor, to=to)
    with scopes_disabled():
        ReportEvent.objects.filter(report=report, kind="status", created_at__gt=when).update(created_at=when)
    rollups_rebuilt(report.tenant)
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


def test_clues_provided_found_valuable_and_cases_assisted(berlin, officer_a):
    filed(berlin, FIRST_MOMENT, slug="suspicious")
    valuable = filed(berlin, LAST_MOMENT, slug="suspicious")
    case = filed(berlin, LAST_MOMENT, slug="suspicious")
    filed(berlin, JUST_AFTER, slug="suspicious")
    filed(berlin, FIRST_MOMENT, slug="hazard")
    with scope(tenant=berlin):
        report_mark_clue(report=valuable, actor=officer_a, value="valuable")
        report_mark_clue(report=case, actor=officer_a, value="valuable")
        report_mark_clue(report=case, actor=officer_a, value="case")  # moved, not counted twice
        hazard = Report.objects.filter(category__slug="hazard").get()
        report_mark_clue(report=hazard, actor=officer_a, value="case")  # not a clue, but a case assisted
        assert f.clues_provided(berlin, WEEK) == 3
        assert f.clues_valuable(berlin, WEEK) == 2
        assert f.cases_assisted(berlin, WEEK) == 2
        assert f.cases_assisted(berlin, WEEK.previous()) == 0


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
        made = ReturnVisit.objects.create(
            tenant=report.tenant,
            report=report,
            level=level,
            due_at=due_at,
            visited_at=visited_at,
            rating=rating,
            rated_at=rated_at,
            created_at=rated_at or due_at,
        )
    rollups_rebuilt(report.tenant)
    return made


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
        # one visit up, rated in the week: the chief's of report 1 is the week after
        assert f.satisfaction_after_escalation(berlin, WEEK) is None
        assert f.satisfaction_after_escalation(berlin, NEXT) == 100
        assert f.never_satisfied(berlin, WEEK) == 0


def test_a_visit_not_made_is_late_from_its_deadline_in_a_week_still_running(berlin):
    # "now" is Wednesday 27 March 2024, 12:00 in Berlin: the week is half gone
    now = datetime.datetime(2024, 3, 27, 11, 0, tzinfo=UTC)
    hour = datetime.timedelta(hours=1)
    reports = [filed(berlin, JUST_BEFORE) for _ in range(5)]
    visit(reports[0], "officer", FIRST_MOMENT + hour)  # Monday: late
    visit(reports[1], "officer", now - hour)  # today before now: late
    visit(reports[2], "officer", now + hour)  # today, later on: not yet
    visit(reports[3], "officer", LAST_MOMENT)  # Sunday: not yet
    visit(reports[4], "officer", FIRST_MOMENT + hour, FIRST_MOMENT)  # made on time
    with scope(tenant=berlin):
        assert f.return_visits_late(berlin, WEEK, now=now) == 2
        assert f.return_visits_late(berlin, WEEK, now=JUST_AFTER) == 4  # once the week is over
        assert f.return_visits_late(berlin, WEEK, now=FIRST_MOMENT) == 0
        assert (
            f.return_visits_late(berlin, WEEK, now=now) == f.return_visits_raw(berlin, WEEK, now=now)["late"]
        )


def test_satisfaction_after_escalation_and_never_satisfied(berlin):
    reports = [filed(berlin, JUST_BEFORE) for _ in range(4)]
    hour = datetime.timedelta(hours=1)
    for report in reports:
        visit(report, "officer", FIRST_MOMENT, FIRST_MOMENT, "unsatisfied", FIRST_MOMENT)
    visit(reports[0], "chief", LAST_MOMENT, FIRST_MOMENT + hour, "satisfied", FIRST_MOMENT + hour)
    visit(reports[1], "chief", LAST_MOMENT, FIRST_MOMENT + hour, "unsatisfied", LAST_MOMENT - hour)
    visit(reports[1], "bureau", JUST_AFTER, LAST_MOMENT, "satisfied", LAST_MOMENT)  # opened inside
    visit(reports[2], "chief", LAST_MOMENT, LAST_MOMENT, "unsatisfied", JUST_AFTER)  # rated the week after
    visit(reports[2], "bureau", JUST_AFTER + hour)  # opened the week after
    with scope(tenant=berlin):
        assert f.satisfaction_first_visit(berlin, WEEK) == 0
        # chief 0 satisfied, chief 1 not, bureau 1 satisfied: 2 of 3
        assert round(f.satisfaction_after_escalation(berlin, WEEK), 1) == Decimal("66.7")
        assert f.never_satisfied(berlin, WEEK) == 1
        assert f.never_satisfied(berlin, NEXT) == 1


def test_median_and_90th_percentile_time_to_triage(berlin, officer_a):
    for minutes in (10, 20, 60, 90):
        report = filed(berlin, FIRST_MOMENT)
        moved(report, officer_a, FIRST_MOMENT + datetime.timedelta(minutes=minutes), "triaged")
    filed(berlin, FIRST_MOMENT)  # not triaged yet: left out
    with scope(tenant=berlin):
        assert f.triage_minutes(berlin, WEEK) == pytest.approx(40.0)
        # 90th percentile of 10, 20, 60, 90: 60 + 0.7 * 30
        assert f.triage_minutes(berlin, WEEK, 0.9) == pytest.approx(81.0)
        assert f.triage_minutes(berlin, WEEK.previous()) is None


def test_median_and_90th_percentile_time_to_resolve(berlin, officer_a):
    day = datetime.timedelta(days=1)
    for days in (1, 2, 3):  # received on Monday, resolved 1, 2, 3 days later
        report = filed(berlin, FIRST_MOMENT)
        moved(report, officer_a, FIRST_MOMENT + days * day, "triaged", "assigned", "resolved")
    reopened = filed(berlin, FIRST_MOMENT)  # resolved after 4 days, reopened, resolved again: its first
    moved(reopened, officer_a, FIRST_MOMENT + 4 * day, "triaged", "assigned", "resolved")
    with scope(tenant=berlin):
        report_transition(report=reopened, actor=officer_a, to="in_progress")
        report_transition(report=reopened, actor=officer_a, to="resolved")
        # 1440, 2880, 4320, 5760 minutes (whole hours: their own buckets)
        assert f.resolve_minutes(berlin, WEEK) == pytest.approx(3600.0)
        assert f.resolve_minutes(berlin, WEEK, 0.9) == pytest.approx(5328.0)
        assert f.resolve_minutes_raw(berlin, WEEK, 0.9) == pytest.approx(5328.0)
        assert f.resolve_minutes(berlin, WEEK.previous()) is None


def test_reports_by_category(berlin):
    filed(berlin, FIRST_MOMENT, slug="theft")
    filed(berlin, LAST_MOMENT, slug="theft")
    filed(berlin, JUST_AFTER, slug="theft")
    filed(berlin, FIRST_MOMENT, slug="fraud")
    with scope(tenant=berlin):
        assert f.reports_in_category(berlin, WEEK, "theft") == 2
        assert f.reports_in_category(berlin, WEEK, "fraud") == 1
        assert f.reports_in_category(berlin, WEEK, "fire") == 0
        assert f.reports_in_category(berlin, WEEK, "no-such-category") == 0


def test_a_reopened_hazard_is_no_longer_removed_until_resolved_again(berlin, officer_a):
    report = filed(berlin, FIRST_MOMENT)
    moved(report, officer_a, FIRST_MOMENT, "triaged", "assigned", "resolved")
    with scope(tenant=berlin):
        assert f.hazards_removed(berlin, WEEK) == 1
        report_transition(report=report, actor=officer_a, to="in_progress")
        assert f.hazards_removed(berlin, WEEK) == 0
        report_transition(report=report, actor=officer_a, to="resolved")  # today, not that week
        assert f.hazards_removed(berlin, WEEK) == 0
        today = Period.containing("week", datetime.date.today(), BERLIN)
        assert f.hazards_removed(berlin, today) == f.hazards_removed_raw(berlin, today) == 1


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
    with scope(tenant=berlin):
        report_mark_clue(report=valuable, actor=officer_a, value="case")
    settled(berlin, officer_a, JUST_BEFORE, FIRST_MOMENT)
    settled(berlin, officer_a, FIRST_MOMENT, LAST_MOMENT, status="partly_settled")
    settled(berlin, officer_a, LAST_MOMENT, None)
    settled(berlin, officer_a, LAST_MOMENT, JUST_AFTER)
    hour = datetime.timedelta(hours=1)
    visited = [filed(berlin, JUST_BEFORE) for _ in range(4)]
    visit(visited[0], "officer", FIRST_MOMENT, FIRST_MOMENT - hour, "satisfied", FIRST_MOMENT)
    visit(visited[1], "officer", FIRST_MOMENT, LAST_MOMENT, "unsatisfied", LAST_MOMENT)  # late
    visit(visited[1], "chief", LAST_MOMENT, LAST_MOMENT, "unsatisfied", LAST_MOMENT)
    visit(visited[1], "bureau", JUST_AFTER)
    visit(visited[2], "officer", LAST_MOMENT)  # not made, past due: late
    visit(visited[3], "officer", JUST_BEFORE, JUST_BEFORE, "satisfied", JUST_BEFORE)  # the week before
    client = login(chief_a)
    checked = 0
    for figure in figures:
        if not figure.key.startswith("incidents.") or figure.link is None:
            continue
        for period in (WEEK, WEEK.previous()):
            with scope(tenant=berlin):
                if figure.unit == "minutes":  # a percentile: the list holds the reports it is taken over
                    key = r.TRIAGE_MINUTES if "triage" in figure.key else r.RESOLVE_MINUTES
                    counted = rollups.counted(berlin, key, period)
                elif figure.unit == "percent":  # a share: the list holds the ratings it is taken of
                    levels = ["officer"] if "first" in figure.key else ["chief", "bureau"]
                    counted = sum(
                        n
                        for dim, (n, _t) in rollups.by_dimension(berlin, r.RATINGS, period).items()
                        if dim.split(":")[0] in levels
                    )
                else:
                    counted = figure.compute(berlin, period)
                    assert counted == figure.raw(berlin, period), figure.key
                link = figure.link(berlin, period)
            assert rows_listed(client, link) == counted, figure.key
        checked += 1
    assert checked >= 30
    with scope(tenant=berlin):
        assert f.hazards_removed(berlin, WEEK) == 2 and f.disputes_settled(berlin, WEEK) == 2
        assert f.reports_received(berlin, WEEK) == 6 and f.clues_valuable(berlin, WEEK) == 1
        assert f.cases_assisted(berlin, WEEK) == 1 and rollups.counted(berlin, r.TRIAGE_MINUTES, WEEK) == 3
        assert f.return_visits_due(berlin, WEEK) == 4 and f.return_visits_late(berlin, WEEK) == 2
        assert f.never_satisfied(berlin, WEEK) == 0 and f.never_satisfied(berlin, NEXT) == 1


def test_a_list_link_reads_the_days_in_the_station_s_time_zone(berlin, chief_a, login):
    filed(berlin, JUST_AFTER)
    url = reverse("incidents:triage", kwargs={"station": berlin.slug})
    client = login(chief_a)
    assert rows_listed(client, url + "?start=2024-03-25&end=2024-03-31") == 0
    assert rows_listed(client, url + "?start=2024-04-01&end=2024-04-01") == 1
    assert rows_listed(client, url + "?start=1900-01-01") == 1  # refused, so not applied: no 500


# ---- the rollups as the services write them ----------------------------------------------------------


def incidents_figures():
    return [figure for figure in figures if figure.key.startswith("incidents.")]


def assert_every_figure_equals_its_raw_twin(station, periods):
    with scope(tenant=station):
        for figure in incidents_figures():
            assert figure.raw is not None, figure.key
            for period in periods:
                computed, raw = figure.compute(station, period), figure.raw(station, period)
                if isinstance(computed, float) or isinstance(raw, float):
                    assert computed == pytest.approx(raw), (figure.key, period)
                else:
                    assert computed == raw, (figure.key, period)


def service_run(station, officer, seed, steps=100):
    """A random run of the real services: reports filed (some added to an open one), triaged,
    assigned, resolved, reopened, rejected, merged, visited and rated, clues marked, mediations
    opened and closed."""
    rng = random.Random(seed)
    slugs = ["hazard", "theft", "suspicious", "dispute", "fire"]
    with scope(tenant=station):
        for _ in range(steps):
            reports = list(Report.objects.filter(tenant=station))
            action = rng.choice(
                ["file"] * 2 + ["move"] * 6 + ["merge", "clue", "visit", "rate", "mediate", "close"]
            )
            try:
                if action == "file" or not reports:
                    report_filed(station, slug=rng.choice(slugs))
                elif action == "move":
                    report = rng.choice(reports)
                    allowed = sorted(TRANSITIONS[Report.Status(report.status)])
                    if allowed:
                        to = rng.choice(allowed)
                        report_transition(report=report, actor=officer, to=to, public_text="Not for us.")
                elif action == "merge" and len(reports) > 1:
                    duplicate, into = rng.sample(reports, 2)
                    report_merge(duplicate=duplicate, into=into, actor=officer)
                elif action == "clue":
                    report_mark_clue(
                        report=rng.choice(reports), actor=officer, value=rng.choice(["valuable", "case"])
                    )
                elif action == "visit":
                    visit = ReturnVisit.objects.filter(tenant=station, visited_at__isnull=True).first()
                    if visit:
                        return_visit_record(visit=visit, actor=officer, notes="Talked at the door.")
                elif action == "rate":
                    visit = ReturnVisit.objects.filter(
                        tenant=station, visited_at__isnull=False, rating=""
                    ).first()
                    if visit:
                        return_visit_rate(
                            report=visit.report, rating=rng.choice(["satisfied", "unsatisfied"])
                        )
                elif action == "mediate":
                    mediation_open(
                        tenant=station,
                        actor=officer,
                        kind="neighbours",
                        summary="Noise.",
                        mediator_officer=officer,
                    )
                elif action == "close":
                    mediation = Mediation.objects.filter(tenant=station, status="open").first()
                    if mediation:
                        mediation_record_outcome(
                            mediation=mediation,
                            actor=officer,
                            status=rng.choice(["settled", "partly_settled", "not_settled"]),
                            outcome="Agreed.",
                            agreement="Signed.",
                        )
            except (ReportError, MediationError):
                pass  # refused as a person would be: nothing written


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_after_a_random_run_of_the_services_the_rollups_are_what_a_rebuild_computes(
    berlin, officer_a, station_b, seed
):
    service_run(berlin, officer_a, seed)
    service_run(station_b, None, seed + 100, steps=5)  # another station's writes stay its own
    with scope(tenant=berlin):
        assert f.reports_received(berlin, Period.containing("year", datetime.date.today(), BERLIN)) > 0
    today = datetime.datetime.now(BERLIN).date()
    periods = [Period.containing(kind, today, BERLIN) for kind in ("week", "month", "year")]
    assert_every_figure_equals_its_raw_twin(berlin, periods)
    written = rollup_rows(berlin)
    # the run went through every series: resolutions, reopenings or merges, visits and ratings
    assert {key for key, _dimension, _day in written} >= {r.RECEIVED, r.RESOLVED, r.VISITS, r.TRIAGE_MINUTES}
    rollups_rebuilt(berlin)
    assert rollup_rows(berlin) == written


@pytest.mark.django_db(transaction=True)
def test_two_reports_of_one_category_submitted_at_once_both_count(station_a):
    station = station_a
    race(lambda: report_filed(station, slug="theft"), lambda: report_filed(station, slug="theft"))
    today = Period.containing("week", datetime.datetime.now(station.zoneinfo).date(), station.zoneinfo)
    with scope(tenant=station):
        assert f.reports_received(station, today) == 2 == f.reports_received_raw(station, today)
        assert f.reports_in_category(station, today, "theft") == 2


def test_a_report_submission_pays_one_statement_for_its_rollups(station_a):
    with CaptureQueriesContext(connection) as queries:
        report_filed(station_a, slug="theft")
    rollup_statements = [q["sql"] for q in queries if "core_dailycount" in q["sql"] or "advisory" in q["sql"]]
    assert len(rollup_statements) == 1, rollup_statements
    assert "pg_advisory_xact_lock_shared" in rollup_statements[0]  # the station's lock, in the same statement
