"""The kept count of training compliance (training.models.ComplianceCount, written by
training.services.compliance, read by the dashboard's figure): hand counts of a station where a
certificate lapses (the day before the lapse and the day of it), the figure read from one row and
equal to its raw twin (the join over the rows) for periods past and current, also after changes
of the past; beat's run idempotent under retries and two beats at once, closing each station's
own local day; a certificate issued seen in the count seconds after its commit (a real worker),
one refresh queued for a whole session's attendance and for a volunteer's suspension; one
station's counts never read for another; ``rebuild_rollups`` counting the station again."""

import datetime
import zoneinfo
from decimal import Decimal
from types import SimpleNamespace

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from jointdefense.celery import app
from jointdefense.core.models import OutboxMessage
from jointdefense.core.periods import Period
from jointdefense.core.registry import figures
from teams.services.screening import volunteer_suspend
from tests.factories import (
    TrainingSessionFactory,
    VolunteerFactory,
    certificate_for,
    enrolled,
    training_volunteer,
)
from tests.support import queued_messages, run_concurrently, wait_for
from training import tasks
from training.models import ComplianceCount
from training.selectors import figures as f
from training.services.attendance import AttendanceRow, attendance_record
from training.services.certificates import certificate_issue, certificate_revoke
from training.services.compliance import compliance_count_record
from training.services.courses import course_create

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
DAY = datetime.timedelta(days=1)
REFRESH = "training.refresh_compliance_count"


def noon(day):
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=SHANGHAI)


def figure():
    return next(figure for figure in figures if figure.key == "training.compliance")


def kept(station):
    """The station's kept counts, ``{day: (total, compliant, closed)}``."""
    with scopes_disabled():
        return {
            c.day: (c.total, c.compliant, c.computed_at >= f.day_end(station, c.day))
            for c in ComplianceCount.objects.filter(tenant=station)
        }


@pytest.fixture
def counted(station_a, officer_a, course_a):
    """Station A (Asia/Shanghai) and four active patrol volunteers, who need Patrol basics
    (course_a), counted by hand:

    * Ann's was issued 60 days ago: compliant every day below;
    * Ben holds nothing;
    * Cai's lapsed at noon ten days ago: compliant at the end of the day before, not of that day;
    * Dan's was issued at noon five days ago;

    and Eve, who only applied (not counted). At the end of the day before the lapse: 2 of 4 (Ann,
    Cai); of the lapse's day: 1 of 4 (Ann); today: 2 of 4 (Ann, Dan)."""
    today = timezone.localdate(timezone=SHANGHAI)
    people = {n: training_volunteer(station_a, officer_a, n) for n in ("ann", "ben", "cai", "dan")}
    certificate_for(people["ann"], course_a, issued_at=noon(today - 60 * DAY))
    certificate_for(
        people["cai"], course_a, issued_at=noon(today - 300 * DAY), expires_at=noon(today - 10 * DAY)
    )
    certificate_for(people["dan"], course_a, issued_at=noon(today - 5 * DAY))
    with scopes_disabled():
        VolunteerFactory(tenant=station_a, full_name="Eve")
    return SimpleNamespace(today=today, lapse=today - 10 * DAY, course=course_a, **people)


def one_day(day):
    return Period("custom", day, day, SHANGHAI)


def test_a_day_counts_who_held_every_certificate_they_need_at_its_end(station_a, counted):
    before, lapse, today = counted.lapse - DAY, counted.lapse, counted.today
    with scope(tenant=station_a):
        assert f.kept_compliance(station_a, before) == (4, 2)  # Ann and Cai
        assert f.kept_compliance(station_a, lapse) == (4, 1)  # Cai's lapsed at noon
        assert f.kept_compliance(station_a, today) == (4, 2)  # Ann and Dan
    # counted once and kept: the past days closed (counted after their end), today's open
    assert kept(station_a) == {before: (4, 2, True), lapse: (4, 1, True), today: (4, 2, False)}
    with scope(tenant=station_a), CaptureQueriesContext(connection) as queries:
        assert figure().compute(station_a, one_day(before)) == Decimal(50)
        assert figure().compute(station_a, one_day(lapse)) == Decimal(25)
        assert figure().compute(station_a, Period.containing("month", today, SHANGHAI)) == Decimal(50)
        # a period not begun yet shows today's count, as the join does
        assert figure().compute(station_a, one_day(today + 3 * DAY)) == Decimal(50)
    assert len(queries) == 4  # one row each


def test_the_kept_figure_equals_its_raw_twin_for_periods_past_and_current(station_a, officer_a, counted):
    today = counted.today
    periods = [
        one_day(counted.lapse - DAY),
        one_day(counted.lapse),
        Period.containing("week", counted.lapse, SHANGHAI),
        Period.containing("week", today - 7 * DAY, SHANGHAI),
        Period.containing("week", today, SHANGHAI),
        Period.containing("month", today, SHANGHAI),
        Period.containing("month", today, SHANGHAI).previous(),
        Period.containing("year", today, SHANGHAI),
        Period("custom", today - 400 * DAY, today - 380 * DAY, SHANGHAI),  # before anyone was active
    ]

    def assert_equal(label):
        with scope(tenant=station_a):
            for period in periods:
                for _ in range(2):  # counted the first time, read from the row the second
                    assert figure().compute(station_a, period) == figure().raw(station_a, period), (
                        label,
                        period.label,
                    )

    assert_equal("as built")
    # changes of the past: a certificate issued for a session of three weeks ago, one revoked
    with scope(tenant=station_a):
        certificate_issue(volunteer=counted.ben, course=counted.course, issued_at=noon(today - 21 * DAY))
        assert f.kept_compliance(station_a, counted.lapse) == (4, 2)  # Ann and now Ben
        ann_s = counted.ann.certificates.get()
        certificate_revoke(certificate=ann_s, actor=officer_a, reason="Forged signature")
    assert_equal("after the changes")
    with scope(tenant=station_a):
        assert f.kept_compliance(station_a, counted.lapse) == (4, 1)  # Ben only
        assert f.kept_compliance(station_a, today) == (4, 2)  # Ben and Dan


def test_a_closed_day_keeps_the_volunteers_of_its_end(station_a, officer_a, counted):
    """The raw twin counts today's volunteers for any day; a closed day keeps those it counted."""
    before = counted.lapse - DAY
    with scope(tenant=station_a):
        assert f.compliance_share(station_a, one_day(before)) == Decimal(50)
        volunteer_suspend(volunteer=counted.ben, actor=officer_a, reason="Moved away")
        assert f.compliance_share(station_a, one_day(before)) == Decimal(50)  # as counted then
        assert f.compliance_share_raw(station_a, one_day(before)) == Decimal(100 * 2) / Decimal(3)


def test_no_active_volunteer_is_no_share_and_a_kept_zero(station_b):
    with scope(tenant=station_b):
        assert (
            f.compliance_share(station_b, Period.containing("week", timezone.localdate(), SHANGHAI)) is None
        )
    assert [v[:2] for v in kept(station_b).values()] == [(0, 0)]


# ---- beat ----------------------------------------------------------------------------------------


@pytest.fixture
def berlin_b(station_b, officer_b):
    station_b.time_zone = "Europe/Berlin"
    station_b.save(update_fields=["time_zone"])
    training_volunteer(station_b, officer_b, "bea")  # needs nothing: compliant
    return station_b


def test_beat_counts_today_and_closes_each_station_s_own_yesterday_once(station_a, berlin_b, counted):
    # 16:30 UTC: 00:30 tomorrow in Shanghai, the afternoon in Berlin
    now = datetime.datetime.combine(counted.today - 3 * DAY, datetime.time(16, 30), tzinfo=datetime.UTC)
    utc_day = now.date()
    for _ in range(2):  # a retry, or the next beat before anything changed
        tasks.compliance_counts(now=now.isoformat())
    assert kept(station_a) == {utc_day: (4, 2, True), utc_day + DAY: (4, 2, False)}
    assert kept(berlin_b) == {utc_day - DAY: (1, 1, True), utc_day: (1, 1, False)}
    # a quarter of an hour later: today's counted again, the closed days left as they were
    with scopes_disabled():
        closed_at = ComplianceCount.objects.get(tenant=station_a, day=utc_day).computed_at
    tasks.compliance_counts(now=(now + datetime.timedelta(minutes=15)).isoformat())
    with scopes_disabled():
        rows = {(c.tenant_id, c.day): c.computed_at for c in ComplianceCount.objects.all()}
    assert rows[station_a.pk, utc_day] == closed_at
    assert rows[station_a.pk, utc_day + DAY] == now + datetime.timedelta(minutes=15)
    assert rows[berlin_b.pk, utc_day] == now + datetime.timedelta(minutes=15)
    assert len(rows) == 4


def test_an_inactive_station_is_not_counted(station_a, station_b):
    station_b.is_active = False
    station_b.save(update_fields=["is_active"])
    tasks.compliance_counts()
    assert kept(station_b) == {}
    assert len(kept(station_a)) == 2


def test_a_count_is_never_moved_back_in_time(station_a, counted):
    now = timezone.now()
    with scope(tenant=station_a):
        compliance_count_record(tenant=station_a, now=now)
        # a task that counted before the last one but wrote after it
        ComplianceCount.objects.filter(tenant=station_a).update(compliant=3)  # what the later one saw
        compliance_count_record(tenant=station_a, now=now - datetime.timedelta(minutes=1))
    assert kept(station_a) == {counted.today: (4, 3, False)}


def test_rebuild_rollups_counts_the_station_again(station_a, counted, capsys):
    with scope(tenant=station_a):
        # a count gone wrong (a bulk import since, a change of time zone)
        ComplianceCount.objects.create(
            tenant=station_a, day=counted.lapse, total=9, compliant=9, computed_at=timezone.now()
        )
    call_command("rebuild_rollups", station=["station-a"])
    assert "station-a:" in capsys.readouterr().out
    yesterday = counted.today - DAY
    assert kept(station_a) == {yesterday: (4, 2, True), counted.today: (4, 2, False)}
    with scope(tenant=station_a):
        assert f.kept_compliance(station_a, counted.lapse) == (4, 1)


# ---- one station's counts --------------------------------------------------------------------------


def test_a_station_s_count_is_never_read_for_another(
    station_a, station_b, officer_b, chief_b, counted, login
):
    for n in range(3):
        training_volunteer(station_b, officer_b, f"b{n}")  # station B requires no course
    with scope(tenant=station_a):
        assert f.kept_compliance(station_a, counted.today) == (4, 2)
        assert f.kept_compliance(station_a, counted.lapse) == (4, 1)
    with scope(tenant=station_b):
        assert f.kept_compliance(station_b, counted.today) == (3, 3)
        assert f.kept_compliance(station_b, counted.lapse) == (3, 3)
        assert set(ComplianceCount.objects.values_list("tenant_id", flat=True)) == {station_b.pk}
    response = login(chief_b).get(reverse("tenancy:dashboard", kwargs={"station": station_b.slug}))
    row = next(
        r for s in response.context["sections"] for r in s["rows"] if r["figure"].key == "training.compliance"
    )
    assert row["value"] == 100.0
    assert {day: v[:2] for day, v in kept(station_a).items()} == {
        counted.today: (4, 2),
        counted.lapse: (4, 1),
    }


# ---- after the commit ------------------------------------------------------------------------------


@pytest.fixture
def worker(transactional_db):
    with start_worker(
        app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"
    ) as w:
        assert wait_for(lambda: app.control.ping(timeout=0.5)), "the worker does not answer"
        yield w


def test_a_certificate_issued_is_in_today_s_count_seconds_after_the_commit(worker, station_a, counted):
    with scope(tenant=station_a):
        assert f.kept_compliance(station_a, counted.today) == (4, 2)
        certificate_issue(volunteer=counted.ben, course=counted.course)
    assert wait_for(lambda: kept(station_a).get(counted.today) == (4, 3, False), timeout=15), kept(station_a)
    with scope(tenant=station_a), CaptureQueriesContext(connection) as queries:
        assert figure().compute(station_a, Period.containing("week", counted.today, SHANGHAI)) == Decimal(75)
    assert len(queries) == 1  # the row the worker kept


def test_two_beats_at_once_keep_one_row_a_day(transactional_db, station_a, counted):
    now = timezone.now().isoformat()
    _results, errors = run_concurrently(
        lambda: tasks.compliance_counts(now=now), lambda: tasks.compliance_counts(now=now)
    )
    assert errors == []
    assert kept(station_a) == {counted.today - DAY: (4, 2, True), counted.today: (4, 2, False)}


def refreshes():
    return OutboxMessage.objects.filter(task=REFRESH).count()


def test_a_whole_session_s_attendance_queues_one_refresh(transactional_db, station_a, officer_a, counted):
    with scopes_disabled():
        session = TrainingSessionFactory(
            course=counted.course, starts_at=timezone.now() - datetime.timedelta(hours=3)
        )
    rows = [AttendanceRow(enrolled(session, v).pk, "present") for v in (counted.ben, counted.cai)]
    before = refreshes()
    with scope(tenant=station_a):
        attendance_record(session=session, actor=officer_a, rows=rows)
    assert refreshes() == before + 1
    assert (REFRESH, {"tenant_id": station_a.pk}) in queued_messages()


def test_a_volunteer_suspended_queues_a_refresh(transactional_db, station_a, officer_a, counted):
    before = refreshes()
    with scope(tenant=station_a):
        volunteer_suspend(volunteer=counted.dan, actor=officer_a, reason="Moved away")
    assert refreshes() == before + 1
    tasks.refresh_compliance_count.apply(
        kwargs={"tenant_id": station_a.pk}, throw=True
    )  # what the worker runs
    assert kept(station_a)[counted.today][:2] == (3, 1)  # Ann of Ann, Ben, Cai


def test_a_course_required_of_a_role_changes_today_s_count(station_a, officer_a, counted):
    with scope(tenant=station_a):
        assert f.kept_compliance(station_a, counted.today) == (4, 2)
    with scope(tenant=station_a):
        course_create(
            tenant=station_a,
            actor=officer_a,
            name="Night patrol",
            topic="security_patrol",
            required_for_roles=["patrol"],
        )
        assert f.kept_compliance(station_a, counted.today) == (4, 0)  # nobody holds it yet


def test_a_block_of_stations_reads_their_kept_counts_in_one_query(station_a, station_b, counted):
    """A bureau's side by side or a batch of weekly summaries: each station's share of both periods
    from one query a period once the counts are kept; a missing count is computed and kept."""
    from jointdefense.core import rollups

    before, lapse = one_day(counted.lapse - DAY), one_day(counted.lapse)
    with rollups.prefetched([station_a, station_b], [lapse, before]):  # the first read counts the days
        assert f.compliance_share(station_a, lapse) == Decimal(25)  # Ann of four
    with rollups.prefetched([station_a, station_b], [lapse, before]), CaptureQueriesContext(connection) as q:
        assert f.compliance_share(station_a, lapse) == Decimal(25)
        assert f.compliance_share(station_a, before) == Decimal(50)  # Ann and Cai
        assert f.compliance_share(station_b, lapse) is None  # no active volunteer there
        assert f.compliance_share(station_b, before) is None
    compliance = [query["sql"] for query in q.captured_queries if "training_compliancecount" in query["sql"]]
    assert len(compliance) == 2  # one a period, both stations in each
