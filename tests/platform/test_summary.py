"""The weekly station summary (jointdefense/tenancy/summaries.py, archive.py, tasks.py): what it
holds against a hand-counted week, when it is due in each station's time zone, once per station
and week with a real worker, a query count that does not grow with the rows, the archive's pages,
PDF and API, sending again, and who may read what."""

import datetime
import threading
import time
import zoneinfo

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from incidents.models import Report, ReturnVisit
from jointdefense.celery import app
from jointdefense.core.models import EmailDelivery, OutboxMessage
from jointdefense.tenancy import summaries, tasks
from jointdefense.tenancy.models import Role, StationSummary
from tests.factories import (
    RouteFactory,
    ShiftFactory,
    StationFactory,
    certificate_made,
    course_made,
    member,
    report_filed,
    station_defaults,
    training_volunteer,
)
from tests.support import rollups_rebuilt, wait_for

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
DAY = datetime.timedelta(days=1)


def last_monday(tz=SHANGHAI, weeks_back=1):
    today = timezone.localtime(timezone.now(), tz).date()
    return today - datetime.timedelta(days=today.weekday()) - datetime.timedelta(weeks=weeks_back)


def local(day, hour=0, minute=0, tz=SHANGHAI):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=tz)


def reported(station, when, n=1):
    reports = []
    for _ in range(n):
        report = report_filed(station)
        with scopes_disabled():
            Report.objects.filter(pk=report.pk).update(created_at=when)
        reports.append(report)
    rollups_rebuilt(station)  # backdated: counted again as rebuild_rollups would
    return reports


def visit(report, due_at, visited=False, assignee=None):
    with scopes_disabled():
        Report.objects.filter(pk=report.pk).update(status=Report.Status.RESOLVED, assigned_officer=assignee)
        made = ReturnVisit.objects.create(
            tenant=report.tenant,
            report=report,
            level=ReturnVisit.Level.OFFICER,
            assignee=assignee,
            due_at=due_at,
            visited_at=due_at if visited else None,
        )
    rollups_rebuilt(report.tenant)  # written straight to the tables: counted as a rebuild would
    return made


@pytest.fixture
def week_a(station_a, officer_a, chief_a, community_a):
    """Station A's week (two weeks ago, Shanghai), counted by hand:

    * reports received: 3 in the week (one at Monday 00:10, one at Sunday 23:50), 1 the week
      before, and one at the next Monday 00:00 (the week after: not counted); 2 in station B;
    * open cases past their deadline at the week's end: 1 (its visit due on the week's Saturday;
      a visit made late and a visit due after the week do not count);
    * return visits due in the coming week: 1;
    * shifts short of people next week: 1 (another is full, another starts after next week);
    * certificates expiring in the 30 days after the week: 1 (another expires after 40 days).
    """
    monday = last_monday(weeks_back=2)
    end = local(monday + 7 * DAY)
    reported(station_a, local(monday, 0, 10))
    reported(station_a, local(monday + 2 * DAY, 12))
    reported(station_a, local(monday + 6 * DAY, 23, 50))
    reported(station_a, local(monday - 3 * DAY, 9))
    reported(station_a, end)
    late, made_late, next_week = reported(station_a, local(monday - 10 * DAY), n=3)
    visit(late, end - 2 * DAY, assignee=officer_a)
    visit(made_late, end - 3 * DAY, visited=True)
    visit(next_week, end + 3 * DAY, assignee=officer_a)
    with scopes_disabled():
        route = RouteFactory(tenant=station_a, name="Garden ring")
        ShiftFactory(route=route, starts_at=end + 2 * DAY, headcount=2)
        ShiftFactory(route=route, starts_at=end + 9 * DAY, headcount=2)
        ShiftFactory(route=route, starts_at=end + DAY, headcount=0)
    course = course_made(station_a, name="Patrol basics")
    ann = training_volunteer(station_a, officer_a, "ann")
    ben = training_volunteer(station_a, officer_a, "ben")
    certificate_made(ann, course, issued_at=end - 300 * DAY, expires_at=end + 10 * DAY)
    certificate_made(ben, course, issued_at=end - 300 * DAY, expires_at=end + 40 * DAY)
    return monday


def built(station, week):
    with scope(tenant=station.scope_tenants()), timezone.override(station.zoneinfo):
        return summaries.summary_build(tenant=station, week_start=week)


def section(content, key):
    return next(s for s in content["sections"] if s["key"] == key)


# ---- what it holds -----------------------------------------------------------------------------------


def test_the_summary_holds_the_hand_counted_week(week_a, station_a, station_b, officer_a):
    reported(station_b, local(week_a, 12), n=2)
    summary = built(station_a, week_a)
    content = summary.content
    assert content["week"] == {
        "first_day": week_a.isoformat(),
        "last_day": (week_a + 6 * DAY).isoformat(),
    }
    received = content["figures"]["incidents.reports_received"]
    assert (received["unit"], received["value"], received["previous"], received["change"]) == (
        "count",
        3,
        1,
        2,
    )
    assert received["label"] == {"en": "Reports received", "zh-hans": received["label"]["zh-hans"]}
    counts = {s["key"]: s["count"] for s in content["sections"]}
    assert counts == {
        "incidents.cases_past_deadline": 1,
        "incidents.visits_due": 1,
        "patrols.short_shifts": 1,
        "training.certificates_expiring": 1,
    }
    assert section(content, "patrols.short_shifts")["rows"][0]["route"] == "Garden ring"
    assert section(content, "training.certificates_expiring")["rows"][0]["holder"] == "Ann"
    assert section(content, "incidents.cases_past_deadline")["rows"][0]["officer"] == officer_a.full_name


def test_the_week_before_is_what_its_own_summary_said(week_a, station_a):
    before = built(station_a, week_a - 7 * DAY)
    assert before.content["figures"]["incidents.reports_received"]["value"] == 1
    reported(station_a, local(week_a - 5 * DAY, 12), n=2)  # found later: the week before now has 3
    content = built(station_a, week_a).content
    received = content["figures"]["incidents.reports_received"]
    assert (received["value"], received["previous"], received["change"]) == (3, 1, 2)


def test_the_archive_shows_what_was_stored_when_the_rows_change(week_a, station_a, chief_a, login):
    summary = built(station_a, week_a)
    with scopes_disabled():
        Report.objects.filter(tenant=station_a).delete()  # everything behind it is gone
    page = login(chief_a).get(detail_url(station_a, week_a))
    assert page.status_code == 200
    html = page.content.decode()
    row = html.split('data-figure="incidents.reports_received"')[1].split("</tr>")[0]
    assert ">3<" in row and ">1<" in row and "+2" in row
    assert "Garden ring" in html and "Ann" in html
    with scopes_disabled():
        assert StationSummary.objects.get(pk=summary.pk).content == summary.content


def test_the_summary_reads_in_chinese(week_a, station_a, chief_a, login):
    summary = built(station_a, week_a)
    label = summary.content["figures"]["incidents.reports_received"]["label"]
    assert label["zh-hans"] and label["zh-hans"] != label["en"]
    chief_a.language = "zh-hans"
    chief_a.save(update_fields=["language"])
    html = login(chief_a).get(detail_url(station_a, week_a)).content.decode()
    assert label["zh-hans"] in html and label["en"] not in html


# ---- when it is due ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tz,monday",
    [
        ("Asia/Shanghai", datetime.date(2026, 11, 30)),
        ("Europe/Berlin", datetime.date(2026, 11, 30)),
        # Berlin's clocks went back on Sunday 25 October 2026: that week has 169 hours
        ("Europe/Berlin", datetime.date(2026, 10, 26)),
        # and forward on Sunday 29 March 2026: 167 hours
        ("Europe/Berlin", datetime.date(2026, 3, 30)),
    ],
)
def test_the_summary_is_due_at_monday_0800_station_time(tz, monday):
    zone = zoneinfo.ZoneInfo(tz)
    station = StationFactory.build(time_zone=tz)
    week_before = monday - 7 * DAY
    just_before = local(monday, 7, 59, zone)
    at_eight = local(monday, 8, 0, zone)
    assert summaries.due_week(station, just_before) == week_before - 7 * DAY
    assert summaries.due_week(station, at_eight) == week_before
    assert summaries.due_week(station, local(monday + 6 * DAY, 23, 59, zone)) == week_before
    period = summaries.week_period(station, week_before)
    assert period.start == local(week_before, 0, 0, zone)
    assert period.end == local(monday, 0, 0, zone)


def test_each_station_gets_its_summary_at_its_own_monday_0800(db, bureau):
    shanghai = station_defaults(StationFactory(slug="east", parent=bureau, time_zone="Asia/Shanghai"))
    berlin = station_defaults(StationFactory(slug="west", parent=bureau, time_zone="Europe/Berlin"))
    from jointdefense.tenancy.models import Tenant

    # opened on Monday 23 November (UTC 01:00: 09:00 in Shanghai, 02:00 in Berlin): the week of
    # the 16th is before their time, the week of the 23rd is their first
    opened = datetime.datetime(2026, 11, 23, 1, 0, tzinfo=datetime.UTC)
    Tenant.objects.filter(pk__in=[shanghai.pk, berlin.pk]).update(created_at=opened)
    monday = datetime.date(2026, 11, 30)
    # 08:00 in Shanghai is 01:00 in Berlin: only Shanghai's is due
    assert summaries.summaries_send_due(now=local(monday, 8, 0, SHANGHAI)) == (1, 0)
    # 07:59 in Berlin: still only Shanghai's
    assert summaries.summaries_send_due(now=local(monday, 7, 59, BERLIN)) == (0, 0)
    assert summaries.summaries_send_due(now=local(monday, 8, 0, BERLIN)) == (1, 0)
    assert summaries.summaries_send_due(now=local(monday, 9, 0, BERLIN)) == (0, 0)
    with scopes_disabled():
        weeks = dict(StationSummary.objects.values_list("tenant__slug", "week_start"))
    assert weeks == {"east": datetime.date(2026, 11, 23), "west": datetime.date(2026, 11, 23)}


def test_a_bureau_and_a_new_station_get_no_summary(db, bureau):
    new = station_defaults(StationFactory(slug="new", parent=bureau))
    assert summaries.summaries_due(now=timezone.now()) == []
    assert not new.is_bureau


def test_each_run_takes_a_bounded_batch(db, bureau):
    stations = [station_defaults(StationFactory(slug=f"s{n}", parent=bureau)) for n in range(3)]
    with scopes_disabled():
        from jointdefense.tenancy.models import Tenant

        Tenant.objects.filter(pk__in=[s.pk for s in stations]).update(
            created_at=timezone.now() - datetime.timedelta(days=60)
        )
    assert summaries.summaries_send_due(limit=2) == (2, 1)
    assert summaries.summaries_send_due(limit=2) == (1, 0)
    with scopes_disabled():
        assert StationSummary.objects.count() == 3


# ---- once per station and week -------------------------------------------------------------------------


@pytest.fixture
def worker(transactional_db):
    with start_worker(
        app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"
    ) as w:
        assert wait_for(lambda: app.control.ping(timeout=0.5)), "the worker does not answer"
        yield w


def settle(expected, timeout=30):
    assert wait_for(lambda: len(mail.outbox) >= expected, timeout=timeout), [m.subject for m in mail.outbox]
    time.sleep(1.5)  # give any duplicate delivery time to (not) happen


def old_enough(*stations):
    from jointdefense.tenancy.models import Tenant

    Tenant.objects.filter(pk__in=[s.pk for s in stations]).update(
        created_at=timezone.now() - datetime.timedelta(days=60)
    )


def test_sent_once_per_station_and_week_under_two_beats_and_a_retry(
    worker, station_a, chief_a, officer_a, volunteer_a, officer_b
):
    with scopes_disabled():
        old_enough(station_a, officer_b.memberships.get().tenant)

    def beat():
        try:
            tasks.weekly_summaries()
        finally:
            connection.close()  # the thread's own connection

    runs = [threading.Thread(target=beat) for _ in range(2)]  # two beats at once
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    tasks.weekly_summaries.delay()  # and a retry, through the worker
    # station A: its chief and its officer; station B: its officer. Not the volunteer.
    settle(3)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([chief_a.email, officer_a.email, officer_b.email])
    with scopes_disabled():
        assert StationSummary.objects.count() == 2
    message = next(m for m in mail.outbox if m.to == [chief_a.email])
    assert message.subject.startswith("Weekly summary of Station A: the week of")
    html, kind = message.alternatives[0]
    assert kind == "text/html" and "<table" in html and "Reports received" in message.body


def test_a_worker_dying_mid_build_leaves_nothing_and_the_next_run_sends(
    db, station_a, chief_a, monkeypatch, django_capture_on_commit_callbacks
):
    old_enough(station_a)
    real = summaries._emails

    def dies(*args, **kwargs):
        raise SystemExit("the worker was killed")

    monkeypatch.setattr(summaries, "_emails", dies)
    with pytest.raises(SystemExit):
        summaries.summaries_send_due()
    with scopes_disabled():
        assert not StationSummary.objects.exists()
    assert not OutboxMessage.objects.filter(task="core.send_email").exists()
    monkeypatch.setattr(summaries, "_emails", real)
    assert summaries.summaries_send_due() == (1, 0)
    assert OutboxMessage.objects.filter(task="core.send_email").count() == 1


def test_the_query_count_does_not_grow_with_the_rows(db, bureau, django_assert_max_num_queries):
    def stations(prefix, rows):
        made = []
        for n in range(2):
            station = station_defaults(StationFactory(slug=f"{prefix}{n}", parent=bureau))
            member(station, Role.CHIEF)
            member(station, Role.OFFICER)
            _bulk_rows(station, rows)
            made.append(station)
        old_enough(*made)
        return made

    week = last_monday()
    now = local(week + 7 * DAY, 9)
    few = stations("few", 10)
    with CaptureQueriesContext(connection) as small:
        assert summaries.summaries_send_due(now=now) == (2, 0)
    with scopes_disabled():
        StationSummary.objects.all().delete()
    from jointdefense.tenancy.models import Tenant

    Tenant.objects.filter(pk__in=[s.pk for s in few]).update(is_active=False)
    stations("many", 10_000)
    with CaptureQueriesContext(connection) as large:
        assert summaries.summaries_send_due(now=now) == (2, 0)
    assert len(small) == len(large), _diff(small, large)
    with scopes_disabled():
        many = StationSummary.objects.filter(tenant__slug="many0").get().content
    assert section(many, "incidents.cases_past_deadline")["count"] == 10_000
    assert len(section(many, "incidents.cases_past_deadline")["rows"]) == 50
    assert section(many, "patrols.short_shifts")["count"] == 10_000
    assert section(many, "training.certificates_expiring")["count"] == 10_000


def test_a_batch_of_stations_counts_and_cuts_each_stations_sections_apart(db, bureau):
    """The sections of a batch are read in one query each, but every station keeps its own rows,
    its own count and its own first rows, in the section's order, as if summarised alone."""
    many = station_defaults(StationFactory(slug="many", parent=bureau))
    few = station_defaults(StationFactory(slug="few", parent=bureau))
    for station, rows in ((many, 60), (few, 3)):
        member(station, Role.CHIEF)
        _bulk_rows(station, rows)
    old_enough(many, few)
    week = last_monday()
    with CaptureQueriesContext(connection) as batch:
        assert summaries.summaries_send_due(now=local(week + 7 * DAY, 9)) == (2, 0)
    with scopes_disabled():
        content = {s.tenant.slug: s.content for s in StationSummary.objects.select_related("tenant")}
    for slug, count, shown in (("many", 60, 50), ("few", 3, 3)):
        for key in (
            "incidents.cases_past_deadline",
            "patrols.short_shifts",
            "training.certificates_expiring",
        ):
            part = section(content[slug], key)
            assert (part["count"], len(part["rows"])) == (count, shown), (slug, key)
            assert all(f"/s/{slug}/" in row["url"] for row in part["rows"]), (slug, key)
        expiring = [
            row["expires"] for row in section(content[slug], "training.certificates_expiring")["rows"]
        ]
        assert expiring == sorted(expiring)  # the soonest first, as the section orders them
    # one query a section for both stations: the report table is read once, not once a station
    late_cases = [
        q
        for q in batch.captured_queries
        if 'FROM "incidents_report"' in q["sql"] and "ROW_NUMBER" in q["sql"]
    ]
    assert len(late_cases) == 1


def _diff(small, large):
    return [q["sql"][:120] for q in large.captured_queries][len(small) :][:10]


def _bulk_rows(station, n):
    """``n`` reports received last week each with a late return visit, ``n`` short shifts next
    week and ``n`` certificates expiring soon, bulk-created."""
    from patrols.models import Shift
    from teams.models import Volunteer
    from training.models import Certificate, Course

    week = last_monday()
    end = local(week + 7 * DAY)
    seed = report_filed(station)
    with scopes_disabled():
        template = Report.objects.get(pk=seed.pk)
        reports = []
        for i in range(n):
            template.pk = None
            template.public_id = f"p{station.pk}x{i}"[:12]
            template.tracking_code = f"t{station.pk}x{i}"[:16]
            template.status = Report.Status.RESOLVED
            template.created_at = end - 3 * DAY
            reports.append(
                Report(**{f.attname: getattr(template, f.attname) for f in Report._meta.concrete_fields})
            )
        reports = Report.objects.bulk_create(reports, batch_size=2000)
        ReturnVisit.objects.bulk_create(
            [ReturnVisit(tenant=station, report=r, level="officer", due_at=end - DAY) for r in reports],
            batch_size=2000,
        )
        route = RouteFactory(tenant=station)
        Shift.objects.bulk_create(
            [
                Shift(tenant=station, route=route, starts_at=end + DAY, ends_at=end + 2 * DAY, headcount=1)
                for _ in range(n)
            ],
            batch_size=2000,
        )
        # a course each: a newer certificate of the same course would count as its renewal
        courses = Course.objects.bulk_create(
            [Course(tenant=station, name=f"Course {i}", topic="security_patrol") for i in range(n)],
            batch_size=2000,
        )
    holder = training_volunteer(station, member(station, Role.OFFICER), f"holder-{station.slug}")
    with scopes_disabled():
        Certificate.objects.bulk_create(
            [
                Certificate(
                    tenant=station,
                    course=course,
                    volunteer=holder,
                    code=f"c{station.pk}x{i}",
                    issued_at=end - 300 * DAY,
                    expires_at=end + DAY + i * datetime.timedelta(seconds=1),
                )
                for i, course in enumerate(courses)
            ],
            batch_size=2000,
        )
        assert Volunteer.objects.filter(tenant=station).exists()


# ---- the archive's pages ---------------------------------------------------------------------------------


def list_url(station):
    return reverse("tenancy:summary-list", kwargs={"station": station.slug})


def detail_url(station, week, suffix=""):
    return (
        reverse("tenancy:summary-detail", kwargs={"station": station.slug, "week": week.isoformat()}) + suffix
    )


def pdf_url(station, week):
    return reverse("tenancy:summary-pdf", kwargs={"station": station.slug, "week": week.isoformat()})


def resend_url(station, week):
    return reverse("tenancy:summary-resend", kwargs={"station": station.slug, "week": week.isoformat()})


def test_the_chief_browses_the_archive_and_prints(week_a, station_a, chief_a, login):
    built(station_a, week_a)
    client = login(chief_a)
    listing = client.get(list_url(station_a))
    assert listing.status_code == 200
    assert detail_url(station_a, week_a) in listing.content.decode()
    page = client.get(detail_url(station_a, week_a))
    html = page.content.decode()
    assert "data-print" in html and "portal-summary.css" in html and "Send again" in html
    # a day inside the week leads to its Monday
    assert client.get(detail_url(station_a, week_a + 3 * DAY)).url == detail_url(station_a, week_a)
    assert client.get(detail_url(station_a, week_a - 7 * DAY)).status_code == 404  # not built
    assert client.get(f"/s/{station_a.slug}/summaries/2026-13-45/").status_code == 404


def test_the_pdf_downloads_with_chinese_text(week_a, station_a, chief_a, login):
    with scopes_disabled():
        from jointdefense.tenancy.models import Tenant

        Tenant.objects.filter(pk=station_a.pk).update(name_zh_hans="花园路派出所")
    built(station_a, week_a)
    response = login(chief_a).get(pdf_url(station_a, week_a), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    # the Chinese glyphs come from an embedded CJK font (not the boxes of a font without them)
    assert b"WenQuanYi" in inflated(response.content) or b"NotoSansCJK" in inflated(response.content)


def inflated(pdf):
    """The PDF with each of its compressed streams inflated (fonts' names sit in object streams)."""
    import re
    import zlib

    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            parts.append(zlib.decompressobj().decompress(pdf[match.end() :]))
        except zlib.error:
            continue
    return b"".join(parts)


def test_send_again_e_mails_the_archived_summary_and_leaves_it(
    week_a, station_a, chief_a, officer_a, login, django_capture_on_commit_callbacks
):
    summary = built(station_a, week_a)
    first = set(OutboxMessage.objects.filter(task="core.send_email").values_list("pk", flat=True))
    client = login(chief_a)
    for _ in range(2):
        response = client.post(resend_url(station_a, week_a))
        assert response.status_code == 302
    queued = OutboxMessage.objects.filter(task="core.send_email").exclude(pk__in=first)
    keys = [m.kwargs["key"] for m in queued]
    assert len(keys) == 4 and len(set(keys)) == 4  # two people, twice, each under a new key
    assert {tuple(m.kwargs["to"]) for m in queued} == {(chief_a.email,), (officer_a.email,)}
    with scopes_disabled():
        again = StationSummary.objects.get(pk=summary.pk)
    assert (again.content, again.created_at) == (summary.content, summary.created_at)


def test_the_resent_e_mail_is_delivered_again(week_a, station_a, chief_a, officer_a):
    from jointdefense.core.services import email_send_once

    summary = built(station_a, week_a)
    for message in OutboxMessage.objects.filter(task="core.send_email"):
        email_send_once(**message.kwargs)
    with scope(tenant=station_a):
        assert summaries.summary_resend(summary=summary, actor=chief_a) == 2
    for message in OutboxMessage.objects.filter(task="core.send_email", kwargs__has_key="key"):
        email_send_once(**message.kwargs)
    assert EmailDelivery.objects.filter(sent_at__isnull=False).count() == 4
    assert len(mail.outbox) == 4


# ---- who reads what -------------------------------------------------------------------------------------


def test_another_stations_summary_is_a_404(week_a, station_a, station_b, chief_b, officer_b, login):
    built(station_a, week_a)
    client = login(chief_b)
    for url in (detail_url(station_a, week_a), pdf_url(station_a, week_a), list_url(station_a)):
        assert client.get(url).status_code == 404
    assert client.post(resend_url(station_a, week_a)).status_code == 404
    assert client.get(detail_url(station_a, week_a + 2 * DAY)).status_code == 404  # no redirect either
    # station B's own archive does not hold station A's week
    assert client.get(detail_url(station_b, week_a)).status_code == 404
    assert detail_url(station_a, week_a) not in client.get(list_url(station_b)).content.decode()


def test_an_officer_is_e_mailed_but_neither_browses_nor_sends_again(week_a, station_a, officer_a, login):
    built(station_a, week_a)
    client = login(officer_a)
    assert client.get(detail_url(station_a, week_a)).status_code == 403
    assert client.post(resend_url(station_a, week_a)).status_code == 403
    body = OutboxMessage.objects.get(kwargs__to=[officer_a.email]).kwargs["body"]
    assert "/summaries/" not in body  # no link to an archive the officer may not open


def test_the_bureau_reads_its_stations_archives_read_only(
    week_a, station_a, station_b, bureau, bureau_viewer, login
):
    built(station_a, week_a)
    built(station_b, week_a)
    other = station_defaults(StationFactory(slug="elsewhere"))
    built(other, week_a)
    client = login(bureau_viewer)
    listing = client.get(list_url(bureau)).content.decode()
    assert detail_url(station_a, week_a) in listing and detail_url(station_b, week_a) in listing
    assert detail_url(other, week_a) not in listing
    page = client.get(detail_url(station_a, week_a))
    assert page.status_code == 200 and "Send again" not in page.content.decode()
    assert client.post(resend_url(station_a, week_a)).status_code == 403
    assert client.get(pdf_url(station_b, week_a)).status_code == 200
    assert client.get(detail_url(other, week_a)).status_code == 404


# ---- the API -------------------------------------------------------------------------------------------


def api_url(station, week=None):
    if week is None:
        return reverse("api:summary-list", kwargs={"station": station.slug})
    return reverse("api:summary-detail", kwargs={"station": station.slug, "week_start": week.isoformat()})


def test_the_api_lists_the_archive_newest_first_and_gives_one_week(week_a, station_a, chief_a, login):
    built(station_a, week_a - 7 * DAY)
    built(station_a, week_a)
    client = login(chief_a)
    listing = client.get(api_url(station_a)).json()
    weeks = [row["week_start"] for row in listing["results"]]
    assert weeks == [week_a.isoformat(), (week_a - 7 * DAY).isoformat()]
    one = client.get(api_url(station_a, week_a)).json()
    received = next(f for f in one["figures"] if f["key"] == "incidents.reports_received")
    assert (received["value"], received["previous"], received["change"], received["unit"]) == (
        3,
        1,
        2,
        "count",
    )
    assert received["label"] == "Reports received"
    counts = {s["key"]: s["count"] for s in one["sections"]}
    assert counts["patrols.short_shifts"] == 1
    assert client.get(api_url(station_a, week_a - 14 * DAY)).status_code == 404


def test_the_api_keeps_stations_apart(week_a, station_a, station_b, chief_b, bureau, bureau_viewer, login):
    built(station_a, week_a)
    assert login(chief_b).get(api_url(station_a)).status_code == 404
    assert login(chief_b).get(api_url(station_a, week_a)).status_code == 404
    assert login(chief_b).get(api_url(station_b)).json()["results"] == []
    viewer = login(bureau_viewer)
    assert [r["station"] for r in viewer.get(api_url(bureau)).json()["results"]] == [station_a.slug]
    assert viewer.get(api_url(station_a, week_a)).status_code == 200


def test_the_summaries_are_in_the_openapi_schema(client):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    paths = schema["paths"]
    assert "/api/s/{station}/summaries/" in paths
    assert "/api/s/{station}/summaries/{week_start}/" in paths


# ---- the command -----------------------------------------------------------------------------------------


def test_the_command_sends_a_chosen_week_once(week_a, station_a, chief_a, capsys):
    call_command(
        "send_weekly_summaries", "--station", station_a.slug, "--week", (week_a + 2 * DAY).isoformat()
    )
    call_command("send_weekly_summaries", "--station", station_a.slug, "--week", week_a.isoformat())
    out = capsys.readouterr().out
    assert "built and sent" in out and "already" in out
    with scopes_disabled():
        assert list(StationSummary.objects.values_list("week_start", flat=True)) == [week_a]


@pytest.mark.parametrize(
    "args,message",
    [
        (["--station", "nowhere"], "No active station"),
        (["--week", "2026-02-30"], "not a date"),
    ],
)
def test_the_command_refuses_bad_input(db, args, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("send_weekly_summaries", *args)
