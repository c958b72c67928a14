"""Telling reporters about their report: by e-mail, or by text message to a phone-only contact,
once per event and reporter, after commit, through the outbox (core.send_email, core.send_sms).
A landline gets no text message; core sends at most the day's limit to one address or number."""

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from jointdefense.core.outbox import outbox_add_many
from jointdefense.core.phones import phone_can_text
from jointdefense.tenancy.models import Tenant

from ..models import Report

SMS_TEXT_LENGTH = 120


def notify_reporter(report: Report, text: str, event_key: Any, *, followers: bool = True) -> None:
    """Tell the reporter of ``report`` (and, with ``followers``, the reporters of the reports joined
    to it) about a public update."""
    recipients = [report]
    if followers:
        recipients += list(
            Report.objects.filter(tenant=report.tenant_id, duplicate_of=report).exclude(
                Q(anonymous=True) | Q(contact_erased_at__isnull=False)
            )
        )
    _send_to_reporters(
        recipients,
        tenant=report.tenant,
        key=lambda r: f"report-update:{event_key}:{r.pk}",
        subject=lambda r: (
            _("Your report %(code)s: an update from %(station)s")
            % {"code": r.tracking_code, "station": report.tenant.name}
        ),
        text=text,
    )


def notify_receipt(report: Report) -> None:
    """A receipt with the tracking code, so a reporter who closes the page can still follow up."""
    _send_to_reporters(
        [report],
        tenant=report.tenant,
        key=lambda r: f"report-received:{r.pk}",
        subject=lambda r: (
            _("Your report %(code)s is with %(station)s")
            % {"code": r.tracking_code, "station": report.tenant.name}
        ),
        text=_("Thank you. Keep this tracking code to follow your report: %(code)s")
        % {"code": report.tracking_code},
    )


def _send_to_reporters(
    reports: Iterable[Report],
    *,
    tenant: Tenant,
    key: Callable[[Report], str],
    subject: Callable[[Report], str],
    text: str,
) -> None:
    emails: list[dict[str, Any]] = []
    texts: list[dict[str, Any]] = []
    for r in reports:
        if r.anonymous or r.contact_erased_at or not (r.contact_email or r.contact_phone):
            continue
        link = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
            "incidents:track", kwargs={"station": tenant.slug, "code": r.tracking_code}
        )
        if r.contact_email:
            emails.append(
                {
                    "key": key(r),
                    "to": [r.contact_email],
                    "subject": subject(r),
                    "body": f"{text}\n\n{link}\n",
                    "limited": True,  # anyone can type an address: within its daily limit
                }
            )
        elif phone_can_text(r.contact_phone):  # a mobile number only: a short text message
            short = text if len(text) <= SMS_TEXT_LENGTH else text[: SMS_TEXT_LENGTH - 1] + "…"
            texts.append(
                {"key": "sms:" + key(r), "to": r.contact_phone, "text": f"{tenant.name}: {short} {link}"}
            )
    if emails:
        outbox_add_many("core.send_email", emails)
    if texts:
        outbox_add_many("core.send_sms", texts)
