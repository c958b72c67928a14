"""E-mail and text-message deliveries (core.services): at most a day's limit of messages to one
recipient, also when two workers send at once; a recipient is kept no longer than a station keeps
a reporter's contact; keys hold no secret and keep sending once after the recipient is erased."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from jointdefense.core import sms
from jointdefense.core.models import EmailDelivery, RecipientDay, SmsDelivery
from jointdefense.core.services import delivery_recipients_erase, email_send_once, sms_send_once
from jointdefense.core.tasks import erase_delivery_recipients, send_email
from tests.support import run_concurrently


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def test_the_sixth_text_in_a_day_to_one_number_is_refused_and_another_number_gets_its_own(db, settings):
    settings.MAX_SMS_PER_RECIPIENT_PER_DAY = 5
    sent = [sms_send_once(key=f"sms:receipt:{n}", to="+8613700001111", text=f"Receipt {n}") for n in range(6)]
    assert sent == [True] * 5 + [False]
    assert [m.text for m in sms.outbox] == [f"Receipt {n}" for n in range(5)]
    refused = SmsDelivery.objects.get(key="sms:receipt:5")
    assert refused.sent_at is None and refused.refused_at is not None
    assert refused.refusal == "recipient_daily_limit"
    # refused for good: a retry or a second delivery of the same task sends nothing
    assert sms_send_once(key="sms:receipt:5", to="+8613700001111", text="Receipt 5") is False
    assert sms_send_once(key="sms:other", to="+8613700002222", text="Yours") is True
    assert [m.to for m in sms.outbox][-1] == "+8613700002222" and len(sms.outbox) == 6


def test_the_daily_count_keeps_no_number(db):
    sms_send_once(key="sms:1", to="+8613700001111", text="Receipt")
    [row] = RecipientDay.objects.all()
    assert row.count == 1 and "13700001111" not in row.recipient and len(row.recipient) == 64


def test_a_failed_send_does_not_use_up_the_day(db, settings, monkeypatch):
    settings.MAX_SMS_PER_RECIPIENT_PER_DAY = 1

    def gateway_down(self, message):
        raise OSError("gateway down")

    monkeypatch.setattr(sms.LocmemBackend, "send", gateway_down)
    with pytest.raises(OSError):
        sms_send_once(key="sms:1", to="+8613700001111", text="Receipt")
    monkeypatch.undo()
    assert sms_send_once(key="sms:1", to="+8613700001111", text="Receipt") is True  # the retry


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_do_not_both_pass_the_limit(settings):
    settings.MAX_SMS_PER_RECIPIENT_PER_DAY = 5
    for n in range(4):
        assert sms_send_once(key=f"sms:early:{n}", to="+8613700001111", text="Earlier")

    def send(n):
        return lambda: sms_send_once(key=f"sms:race:{n}", to="+8613700001111", text=f"Race {n}")

    results, errors = run_concurrently(send(1), send(2))
    assert errors == []
    assert sorted(results) == [False, True]  # the fifth went out, the sixth was refused
    assert SmsDelivery.objects.filter(key__startswith="sms:race:", sent_at__isnull=False).count() == 1
    assert SmsDelivery.objects.filter(key__startswith="sms:race:", refused_at__isnull=False).count() == 1
    assert len(sms.outbox) == 5


def test_emails_anyone_can_cause_are_limited_and_staff_alerts_are_not(db, settings):
    settings.MAX_EMAILS_PER_RECIPIENT_PER_DAY = 2
    for n in range(3):
        email_send_once(key=f"report-update:{n}:1", to=["r@example.org"], subject="s", body="b", limited=True)
    for n in range(3):
        email_send_once(key=f"patrol-reminder:{n}:1", to=["v@example.org"], subject="s", body="b")
    assert [m.to for m in mail.outbox] == [["r@example.org"]] * 2 + [["v@example.org"]] * 3
    # the limit is per address, whatever its case
    assert not email_send_once(key="x", to=["R@Example.org"], subject="s", body="b", limited=True)


def test_the_limited_flag_travels_with_the_task(db, settings):
    settings.MAX_EMAILS_PER_RECIPIENT_PER_DAY = 1
    for n in range(2):
        send_email.apply(
            kwargs={"key": f"k{n}", "to": ["r@example.org"], "subject": "s", "body": "b", "limited": True}
        )
    assert len(mail.outbox) == 1
    assert EmailDelivery.objects.get(key="k1").refused_at is not None


def _age(model, key, days):
    model.objects.filter(key=key).update(created_at=timezone.now() - timedelta(days=days))


def test_old_recipients_are_erased_and_the_key_still_sends_once(db, station_a, settings):
    settings.DELIVERY_RETENTION_DAYS = None  # follow the stations' contact retention
    station_a.contact_retention_days = 30
    station_a.save(update_fields=["contact_retention_days"])
    email_send_once(key="report-received:1", to=["r@example.org"], subject="Your report ABC", body="b")
    email_send_once(key="report-received:2", to=["new@example.org"], subject="Your report DEF", body="b")
    sms_send_once(key="sms:report-received:3", to="+8613700001111", text="t")
    _age(EmailDelivery, "report-received:1", 31)
    _age(SmsDelivery, "sms:report-received:3", 31)
    _age(EmailDelivery, "report-received:2", 29)

    assert erase_delivery_recipients.apply().get() == 2
    old = EmailDelivery.objects.get(key="report-received:1")
    assert old.to == [] and old.subject == "" and old.erased_at is not None and old.sent_at is not None
    assert SmsDelivery.objects.get(key="sms:report-received:3").to == ""
    assert EmailDelivery.objects.get(key="report-received:2").to == ["new@example.org"]
    assert delivery_recipients_erase() == 0  # running again changes nothing
    # the task delivered again after the erasure: still sent once
    mail.outbox.clear()
    sms.outbox.clear()
    assert email_send_once(key="report-received:1", to=["r@example.org"], subject="s", body="b") is False
    assert sms_send_once(key="sms:report-received:3", to="+8613700001111", text="t") is False
    assert mail.outbox == [] and sms.outbox == []


def test_a_platform_retention_setting_overrides_the_stations(db, station_a, settings):
    settings.DELIVERY_RETENTION_DAYS = 7
    sms_send_once(key="sms:1", to="+8613700001111", text="t")
    _age(SmsDelivery, "sms:1", 8)
    assert delivery_recipients_erase() == 1


def test_the_counts_of_past_days_are_forgotten(db):
    sms_send_once(key="sms:1", to="+8613700001111", text="t")
    RecipientDay.objects.update(day=timezone.localdate() - timedelta(days=2))
    sms_send_once(key="sms:2", to="+8613700001111", text="t")
    delivery_recipients_erase()
    assert list(RecipientDay.objects.values_list("day", "count")) == [(timezone.localdate(), 1)]


def test_the_erasure_is_scheduled(settings):
    assert any(
        entry["task"] == "core.erase_delivery_recipients" for entry in settings.CELERY_BEAT_SCHEDULE.values()
    )


def test_no_delivery_key_holds_a_password_reset_token_after_the_migration(db):
    """Rows written before the fix carried ``password-reset:<uid>:<token>``; the migration keeps
    them unique without the token."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    before = [("core", "0002_outbox_and_sms")]
    after = [("core", "0003_delivery_erasure_and_daily_limits")]
    executor.migrate(before)
    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO core_emaildelivery (key, "to", subject, created_at) '
            "VALUES ('password-reset:MQ:cdxyz1-0123456789abcdef', '[]', 's', now())"
        )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    with transaction.atomic():
        keys = list(EmailDelivery.objects.values_list("key", flat=True))
    assert len(keys) == 1 and keys[0].startswith("password-reset:legacy:")
    assert "cdxyz1" not in keys[0] and "MQ" not in keys[0]
