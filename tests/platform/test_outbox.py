"""The transactional outbox and text messages. With Redis unreachable a resident's report and an
officer's update are still saved at once; the notifications wait in the outbox and go out, once,
when the broker is back. Text messages reach a real HTTP gateway."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connection
from django.urls import reverse
from django_scopes import scopes_disabled

from incidents.models import Report
from jointdefense.celery import app
from jointdefense.core import outbox, sms
from jointdefense.core.models import OutboxMessage, SmsDelivery
from jointdefense.core.services import sms_send_once
from jointdefense.core.tasks import relay_outbox, send_email
from tests.factories import report_category as category
from tests.factories import report_point_inside as inside
from tests.support import queued_messages, wait_for


@pytest.fixture
def broker_down(monkeypatch):
    """Publishing goes to a broker where nothing listens: a real connection refusal, as when Redis
    is stopped (the machine's Redis is shared, so the suite does not stop it). A Celery app of its
    own with the project's publishing settings, so the suite's worker and pools are left alone."""
    from celery import Celery

    down = Celery("broker-down", broker="redis://127.0.0.1:1/0", set_as_current=False)
    for name in ("broker_transport_options", "task_publish_retry_policy", "broker_connection_retry"):
        down.conf[name] = app.conf[name]
    monkeypatch.setattr(
        outbox, "_publish", lambda message: down.send_task(message.task, kwargs=message.kwargs)
    )
    outbox._broker_down_until = 0.0
    yield
    outbox._broker_down_until = 0.0


def test_with_redis_down_the_report_is_saved_and_its_notifications_wait_then_go_out_once(
    transactional_db, station_a, community_a, officer_a, login, broker_down, monkeypatch, monitor
):
    client = login(officer_a)
    resident = client.__class__()
    response = resident.post(
        reverse("incidents:report", kwargs={"station": station_a.slug}),
        {
            "category": category(station_a, "theft").pk,
            "description": "Someone is trying car doors in the car park.",
            **inside(station_a),
            "contact_email": "resident@example.org",
        },
    )
    assert response.status_code == 302  # the resident gets their tracking page, not an error
    with scopes_disabled():
        report = Report.objects.get(tenant=station_a)
    comment = client.post(
        reverse("incidents:case", kwargs={"station": station_a.slug, "pk": report.pk}),
        {"action": "comment", "comment-text": "A patrol is on its way.", "comment-public": "on"},
    )
    assert comment.status_code == 302
    pending = OutboxMessage.objects.filter(published_at__isnull=True)
    assert sorted(m.task for m in pending) == ["core.send_email", "core.send_email"]
    health = monitor.get(reverse("healthz")).json()
    assert health["outbox"]["pending"] == 2 and health["redis"]["ok"] is True  # (its own client)

    # Redis is back: the relay (beat, every few seconds) publishes; the worker sends each once
    monkeypatch.undo()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"):
        relay_outbox.delay()
        relay_outbox.delay()  # two beats firing together
        assert wait_for(lambda: len(mail.outbox) == 2, timeout=15)
        wait_for(lambda: False, timeout=0.5)
    assert sorted(m.subject for m in mail.outbox) == [
        f"Your report {report.tracking_code} is with Station A",
        f"Your report {report.tracking_code}: an update from Station A",
    ]
    assert [m.to for m in mail.outbox] == [["resident@example.org"]] * 2
    bodies = " ".join(m.body for m in mail.outbox)
    assert "A patrol is on its way." in bodies and report.tracking_code in bodies
    assert not OutboxMessage.objects.filter(published_at__isnull=True).exists()


def test_two_relays_at_once_publish_each_message_once(transactional_db):
    for n in range(40):
        OutboxMessage.objects.create(
            task="core.send_email", kwargs={"key": f"k{n}", "to": [], "subject": "", "body": ""}
        )
    counts = []

    def relay():
        counts.append(outbox.relay_pending())
        connection.close()

    threads = [threading.Thread(target=relay) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(counts) == 40
    keys = sorted(kw["key"] for _task, kw in queued_messages())
    assert keys == sorted(f"k{n}" for n in range(40))
    assert outbox.relay_pending() == 0


def test_a_published_message_keeps_no_recipient_or_text(db):
    """Once the broker has it, the outbox row forgets what it carried (a reporter's address, a
    tracking link): only the broker's copy, consumed by the worker, holds it."""
    message = OutboxMessage.objects.create(
        task="core.send_email",
        kwargs={"key": "k", "to": ["resident@example.org"], "subject": "Your report", "body": "/track/X1"},
    )
    assert outbox.relay_pending() == 1
    message.refresh_from_db()
    assert message.published_at is not None and message.kwargs == {}
    [(task, kwargs)] = queued_messages()
    assert task == "core.send_email" and kwargs["to"] == ["resident@example.org"]


def test_nothing_is_written_to_the_outbox_when_the_transaction_rolls_back(db):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        send_email.enqueue_on_commit(key="k", to=["a@example.org"], subject="x", body="x")
        raise RuntimeError
    assert not OutboxMessage.objects.exists()


def test_messages_relayed_together_go_out_once_the_block_ends(transactional_db, monkeypatch):
    """A batch of small transactions (a run of weekly summaries) publishes its messages in one relay
    when the block ends, in relays of RELAY_BATCH; a rolled-back transaction's message never goes."""
    from django.db import transaction

    monkeypatch.setattr(outbox, "RELAY_BATCH", 3)
    with outbox.relayed_together():
        for n in range(7):
            with transaction.atomic():
                outbox.outbox_add("core.send_email", {"key": f"k{n}", "to": ["a@example.org"]})
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox.outbox_add("core.send_email", {"key": "rolled-back", "to": ["a@example.org"]})
            raise RuntimeError
        assert queued_messages() == []  # committed, waiting for the block's end
        assert OutboxMessage.objects.filter(published_at__isnull=True).count() == 7
    assert sorted(kw["key"] for _task, kw in queued_messages()) == [f"k{n}" for n in range(7)]
    assert not OutboxMessage.objects.filter(published_at__isnull=True).exists()


def test_published_messages_are_forgotten_after_a_week(db):
    from datetime import timedelta

    from django.utils import timezone

    old = OutboxMessage.objects.create(task="t", published_at=timezone.now() - timedelta(days=8))
    recent = OutboxMessage.objects.create(task="t", published_at=timezone.now() - timedelta(days=1))
    waiting = OutboxMessage.objects.create(task="t", created_at=timezone.now() - timedelta(days=9))
    assert outbox.purge_published() == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    assert old.pk not in OutboxMessage.objects.values_list("pk", flat=True)


def test_a_text_message_is_sent_once_per_key(db):
    sms.outbox.clear()
    assert sms_send_once(key="sms:1", to="13700001111", text="Your report ABC") is True
    assert sms_send_once(key="sms:1", to="13700001111", text="Your report ABC") is False
    assert [m.to for m in sms.outbox] == ["13700001111"]
    assert SmsDelivery.objects.get(key="sms:1").sent_at is not None


class _Gateway(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Gateway.received.append((self.headers["Authorization"], json.loads(body)))
        self.send_response(_Gateway.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Gateway.received, _Gateway.status = [], 200
    settings.SMS_BACKEND = "jointdefense.core.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_GATEWAY_TOKEN = "secret-token"
    yield _Gateway
    server.shutdown()


def test_the_http_gateway_receives_the_message_and_a_refusal_is_retried(db, gateway):
    assert sms_send_once(key="sms:2", to="13700002222", text="Update on ABC") is True
    assert gateway.received == [("Bearer secret-token", {"to": "13700002222", "text": "Update on ABC"})]
    gateway.status = 503
    with pytest.raises(OSError):  # the task retries on OSError
        sms_send_once(key="sms:3", to="13700003333", text="Later")
    assert SmsDelivery.objects.filter(key="sms:3", sent_at__isnull=False).count() == 0
