"""Beat work of training with a real Celery worker: expiry notices to the holder 30 and 7 days
before, to the team leaders on expiry, reminders the day before; each once under retries and two
beats, and a fixed number of queries per run."""

import datetime
import re
import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from jointdefense.celery import app
from teams.models import TeamMember
from tests.factories import TrainingSessionFactory, certificate_for, enrolled, training_volunteer
from tests.support import wait_for
from training import tasks
from training.services import notices

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def worker(transactional_db):
    with start_worker(
        app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"
    ) as w:
        assert wait_for(lambda: app.control.ping(timeout=0.5)), "the worker does not answer"
        yield w


def settle(expected, timeout=20):
    assert wait_for(lambda: len(mail.outbox) >= expected, timeout=timeout), [m.subject for m in mail.outbox]
    time.sleep(1.5)  # give any duplicate delivery time to (not) happen


def expiring(station, officer, course, team):
    """Ann's certificate expires in 20 days, Ben's in 5, Cai's expired yesterday (Lea leads Cai's
    team), Dan's in 200 days."""
    now = timezone.now()
    people = {n: training_volunteer(station, officer, n) for n in ("ann", "ben", "cai", "dan", "lea")}
    for name, left in (("ann", 20), ("ben", 5), ("cai", -1), ("dan", 200)):
        certificate_for(people[name], course, issued_at=now - 300 * DAY, expires_at=now + left * DAY)
    with scope(tenant=station):
        TeamMember.objects.create(tenant=station, team=team, volunteer=people["cai"])
        TeamMember.objects.create(tenant=station, team=team, volunteer=people["lea"], is_leader=True)
    return people


def test_expiry_notices_go_once_to_holders_and_on_expiry_to_the_leader(
    worker, station_a, officer_a, course_a, team_a
):
    people = expiring(station_a, officer_a, course_a, team_a)
    for _ in range(3):  # two beats, then a retry
        tasks.certificate_expiry_notices.delay()
    settle(3)
    got = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert got == [
        (people["ann"].user.email, f"Your certificate of Patrol basics expires on {_date(people, 'ann')}"),
        (people["ben"].user.email, f"Your certificate of Patrol basics expires on {_date(people, 'ben')}"),
        (people["lea"].user.email, "Cai's certificate of Patrol basics has expired"),
    ]
    # 13 days later Ann's certificate is within 7 days: her second notice, once
    later = (timezone.now() + 14 * DAY).isoformat()
    tasks.certificate_expiry_notices.delay(now=later)
    tasks.certificate_expiry_notices.delay(now=later)
    settle(4)
    assert len(mail.outbox) == 4 and mail.outbox[-1].to == [people["ann"].user.email]


def _date(people, name):
    with scopes_disabled():
        certificate = people[name].certificates.get()
    return timezone.localtime(certificate.expires_at, people[name].tenant.zoneinfo).strftime("%Y-%m-%d")


def test_a_renewed_certificate_is_not_noticed(db, station_a, officer_a, course_a, team_a):
    people = expiring(station_a, officer_a, course_a, team_a)
    certificate_for(people["ann"], course_a)  # renewed: valid for another year
    with scope(tenant=station_a):
        assert notices.certificate_expiry_notices(tenant=station_a) == 2  # Ben, and Lea about Cai


def test_the_day_before_each_enrolled_volunteer_is_reminded_once(worker, station_a, officer_a, course_a):
    now = timezone.now()
    with scopes_disabled():
        tomorrow = TrainingSessionFactory(course=course_a, starts_at=now + 20 * datetime.timedelta(hours=1))
        later = TrainingSessionFactory(course=course_a, starts_at=now + 3 * DAY)
    ann, ben, cai = (training_volunteer(station_a, officer_a, n) for n in ("ann", "ben", "cai"))
    enrolled(tomorrow, ann)
    enrolled(tomorrow, ben, status="waiting")  # not on it yet
    enrolled(later, cai)  # not yet
    runs = [threading.Thread(target=tasks.session_reminders) for _ in range(2)]  # two beats at once
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    tasks.session_reminders.delay()  # and a retry
    settle(1)
    assert [m.to for m in mail.outbox] == [[ann.user.email]]
    assert mail.outbox[0].subject.startswith("Training tomorrow: Patrol basics")
    assert "/s/station-a/training/" in mail.outbox[0].body


def test_each_run_costs_a_fixed_number_of_queries(db, station_a, officer_a, course_a, team_a):
    expiring(station_a, officer_a, course_a, team_a)
    with scope(tenant=station_a), CaptureQueriesContext(connection) as few:
        notices.certificate_expiry_notices(tenant=station_a)
    for n in range(4):
        more = training_volunteer(station_a, officer_a, f"more{n}")
        certificate_for(more, course_a, issued_at=timezone.now() - 300 * DAY, expires_at=timezone.now() - DAY)
        with scope(tenant=station_a):
            TeamMember.objects.create(tenant=station_a, team=team_a, volunteer=more)
    with scope(tenant=station_a), CaptureQueriesContext(connection) as many:
        # nothing was delivered in between (no worker): the first three again, and Lea about each
        assert notices.certificate_expiry_notices(tenant=station_a) == 7
    # certificates, their teams, the leaders, the keys sent, the outbox insert
    assert len(few) == len(many) == 5


def queued_links(task="core.send_email"):
    """recipient -> the portal link in the body of each e-mail queued in the outbox."""
    from jointdefense.core.models import OutboxMessage

    base = settings.PORTAL_BASE_URL.rstrip("/")
    found = {}
    for kwargs in OutboxMessage.objects.filter(task=task).values_list("kwargs", flat=True):
        match = re.search(re.escape(base) + r"(/\S*)", kwargs["body"])
        found[kwargs["to"][0]] = match.group(1) if match else None
    return found


def test_the_e_mails_link_to_the_session_the_training_page_and_the_record(
    db, login, station_a, officer_a, course_a, team_a
):
    people = expiring(station_a, officer_a, course_a, team_a)
    with scopes_disabled():
        tomorrow = TrainingSessionFactory(course=course_a, starts_at=timezone.now() + 20 * HOUR)
    enrolled(tomorrow, people["dan"])
    with scope(tenant=station_a):
        notices.session_reminders(tenant=station_a)
        notices.certificate_expiry_notices(tenant=station_a)
    links = queued_links()
    ann, dan, lea = people["ann"], people["dan"], people["lea"]
    training = f"/s/{station_a.slug}/training"
    assert links[dan.user.email] == f"{training}/sessions/{tomorrow.pk}/"
    assert links[ann.user.email] == f"{training}/me/"
    assert links[lea.user.email] == f"{training}/records/{people['cai'].pk}/"
    # each opens the page it names for the one it was sent to
    session_page = login(dan.user).get(links[dan.user.email])
    assert session_page.status_code == 200 and session_page.context["session"] == tomorrow
    assert login(ann.user).get(links[ann.user.email]).context["volunteer"] == ann
