"""Reporters hear of their report: the receipt with the tracking code and the public updates, by
e-mail or text message, once, after commit."""

from django.core import mail
from django_scopes import scope

from incidents.models import Category
from incidents.services.reports import report_submit
from jointdefense.core.models import OutboxMessage
from tests.factories import (
    case_action,
    report_filed,
)


def test_public_updates_are_emailed_to_the_reporter_once_after_commit(
    login, officer_a, station_a, community_a, django_capture_on_commit_callbacks
):
    from tests.support import queued_messages

    with scope(tenant=station_a):
        point = community_a.boundary.centroid
        report = report_submit(
            tenant=station_a,
            category=Category.objects.get(tenant=station_a, slug="theft"),
            description="Bike stolen.",
            lat=point.y,
            lng=point.x,
            contact_email="resident@example.org",
        )
    client = login(officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        case_action(client, report, "comment", text="We found your bike.", public="on")
        case_action(client, report, "comment", text="Internal: owner known to us.")
    [(task, kwargs)] = queued_messages()
    assert task == "core.send_email" and kwargs["to"] == ["resident@example.org"]
    assert "We found your bike." in kwargs["body"] and report.tracking_code in kwargs["body"]
    assert "Internal" not in kwargs["body"]


def test_a_receipt_with_the_tracking_code_goes_out_by_email_or_text_message(
    station_a, django_capture_on_commit_callbacks
):
    from tests.support import queued_messages

    with django_capture_on_commit_callbacks(execute=True):
        by_email = report_filed(station_a, contact_email="r@example.org", contact_phone="13700001111")
        by_phone = report_filed(station_a, dx=0.006, contact_phone="13700002222")
        report_filed(station_a, dx=0.007)  # no contact: nothing to send
    sent = queued_messages()
    assert sorted(task for task, _ in sent) == ["core.send_email", "core.send_sms"]
    email = next(kw for task, kw in sent if task == "core.send_email")
    sms = next(kw for task, kw in sent if task == "core.send_sms")
    assert email["to"] == ["r@example.org"] and by_email.tracking_code in email["body"]
    assert sms["to"] == "+8613700002222" and by_phone.tracking_code in sms["text"] and len(sms["text"]) < 200
    assert mail.outbox == []  # the worker sends, not the request
    assert OutboxMessage.objects.filter(published_at__isnull=True).count() == 0


def test_a_landline_gets_no_text_message(station_a, django_capture_on_commit_callbacks):
    from tests.support import queued_messages

    with django_capture_on_commit_callbacks(execute=True):
        report = report_filed(station_a, contact_phone="010 6552 9988")
    assert report.contact_phone == "+861065529988"  # kept for the officers to call back
    assert queued_messages() == []


def test_receipts_to_one_address_stop_at_its_daily_limit(
    station_a, django_capture_on_commit_callbacks, settings
):
    from jointdefense.core.tasks import send_email
    from tests.support import queued_messages

    settings.MAX_EMAILS_PER_RECIPIENT_PER_DAY = 2
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):  # someone files reports in another person's name
            report_filed(station_a, dx=0.001 * (n + 1), contact_email="victim@example.org")
        report_filed(station_a, dx=0.006, contact_email="other@example.org")
    for _task, kwargs in queued_messages():  # what the worker runs
        send_email.apply(kwargs=kwargs)
    assert sorted(m.to[0] for m in mail.outbox) == ["other@example.org"] + ["victim@example.org"] * 2
