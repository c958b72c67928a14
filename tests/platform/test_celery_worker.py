"""A real Celery worker (in a thread of this process) on the machine's Redis: tasks run after
commit, restore the tenant scope, and their effects happen once however often they are delivered."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction
from django.urls import reverse

from jointdefense.celery import app
from jointdefense.core.models import EmailDelivery
from jointdefense.core.tasks import send_email
from tests.support import race, wait_for


@pytest.fixture
def celery_worker(transactional_db):
    with start_worker(
        app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"
    ) as worker:
        assert wait_for(lambda: app.control.ping(timeout=0.5)), "the worker does not answer"
        yield worker


def test_password_reset_email_is_sent_by_the_worker(celery_worker, client, officer_a):
    response = client.post(reverse("accounts:password_reset"), {"email": "officer_a@example.org"})
    assert response.status_code == 302
    assert wait_for(lambda: len(mail.outbox) == 1)
    message = mail.outbox[0]
    assert message.to == ["officer_a@example.org"]
    link = next(line for line in message.body.splitlines() if "/accounts/reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path, follow=True)
    assert page.status_code == 200
    assert "Choose a new password" in page.content.decode()


def test_an_email_delivered_twice_at_the_same_moment_is_sent_once(transactional_db):
    # two deliveries of one message racing each other (a redelivery while the first still runs),
    # each in its own thread and database connection; both have finished when race() returns
    def deliver():
        send_email.apply(kwargs={"key": "k-1", "to": ["a@example.org"], "subject": "Hello", "body": "Once"})

    race(deliver, deliver)
    assert [(m.to, m.subject) for m in mail.outbox] == [(["a@example.org"], "Hello")]
    assert EmailDelivery.objects.filter(key="k-1", sent_at__isnull=False).count() == 1


def test_nothing_is_published_when_the_transaction_rolls_back(celery_worker):
    with pytest.raises(RuntimeError), transaction.atomic():
        send_email.enqueue_on_commit(key="k-rolled-back", to=["a@example.org"], subject="x", body="x")
        raise RuntimeError("the request failed")
    send_email.enqueue_on_commit(key="k-after", to=["b@example.org"], subject="y", body="y")
    assert wait_for(lambda: len(mail.outbox) == 1)
    time.sleep(0.3)
    assert [m.to for m in mail.outbox] == [["b@example.org"]]


def test_healthz_is_ok_with_a_worker(celery_worker, monitor):
    response = monitor.get(reverse("healthz"))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["database"]["ok"] and body["redis"]["ok"] and body["workers"]["ok"]
    assert body["workers"]["workers"]


def test_healthz_knows_the_workers_by_their_heartbeats_without_asking_them(
    transactional_db, monitor, monkeypatch
):
    """/healthz never pings the workers (that made each check wait a second): a worker says it
    is alive when it starts and from its own timer, and takes it back when it stops."""

    def no_ping(*args, **kwargs):
        raise AssertionError("/healthz pinged the workers")

    monkeypatch.setattr(app.control, "ping", no_ping)
    assert monitor.get(reverse("healthz")).json()["workers"] == {"ok": False, "workers": []}
    with start_worker(
        app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"
    ) as worker:
        response = monitor.get(reverse("healthz"))
        assert response.status_code == 200, response.json()
        assert response.json()["workers"] == {"ok": True, "workers": [worker.hostname]}
    body = monitor.get(reverse("healthz"))
    assert body.status_code == 503 and body.json()["workers"] == {"ok": False, "workers": []}


def test_a_worker_that_died_without_a_word_is_gone_after_the_max_age(db, monitor, settings):
    from jointdefense.core.tasks import worker_heartbeat_write

    settings.WORKER_HEARTBEAT_MAX_AGE = 3
    worker_heartbeat_write("celery@vanished")
    assert monitor.get(reverse("healthz")).json()["workers"]["workers"] == ["celery@vanished"]
    assert wait_for(lambda: monitor.get(reverse("healthz")).json()["workers"]["workers"] == [], timeout=10)


def test_beat_heartbeat_is_seen_by_healthz(celery_worker, monitor):
    from jointdefense.core.tasks import beat_heartbeat

    assert monitor.get(reverse("healthz")).json()["beat"]["ok"] is False
    beat_heartbeat.delay()
    assert wait_for(lambda: monitor.get(reverse("healthz")).json()["beat"]["ok"])


def test_a_checked_roster_is_imported_by_the_worker(celery_worker, login, officer_a, community_a, station_a):
    from django_scopes import scopes_disabled

    from teams.models import ImportJob, Volunteer
    from tests.teams.test_views_csv import csv_upload, row

    client = login(officer_a)
    import_url = reverse("teams:volunteer-import", kwargs={"station": station_a.slug})
    checked = client.post(import_url, {"file": csv_upload([row(1), row(2)])})
    assert checked.status_code == 200, checked.content.decode()[:500]
    job_page = client.post(import_url, {"confirm": "1", "token": checked.context["token"]}).url

    def imported():
        with scopes_disabled():
            return ImportJob.objects.get().status == "done"

    assert wait_for(imported, timeout=30)
    assert "Imported 2 volunteers." in client.get(job_page).content.decode()
    with scopes_disabled():
        assert set(Volunteer.objects.filter(tenant=station_a).values_list("status", flat=True)) == {"active"}
        assert ImportJob.objects.get().csv_text == ""  # the file with ID numbers is not kept
