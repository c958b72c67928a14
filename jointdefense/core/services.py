import logging
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import AuditEvent, EmailDelivery, RecipientDay, SmsDelivery
from .outbox import outbox_add_once
from .registry import kept_counts
from .sms import TextMessage, get_backend

log = logging.getLogger(__name__)


def audit(*, tenant, actor, action: str, target=None, **data) -> AuditEvent:
    """Record an audit row; call it inside the service's transaction."""
    return AuditEvent.objects.create(
        tenant=tenant,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data,
    )


def kept_counts_changed(tenant) -> None:
    """Inside a write that may change a kept count of the station (``core.registry.kept_counts``:
    training compliance after a volunteer's status, roles or teams changed): queue each count's
    task to count the station's today again after the commit, through the outbox, once per
    transaction however many rows the write changed."""
    for kept in kept_counts:
        outbox_add_once(kept.task, {"tenant_id": tenant.pk})


EMAIL, SMS = "email", "sms"
REFUSED_DAILY_LIMIT = "recipient_daily_limit"


def _daily_limit(channel: str) -> int:
    if channel == SMS:
        return settings.MAX_SMS_PER_RECIPIENT_PER_DAY
    return settings.MAX_EMAILS_PER_RECIPIENT_PER_DAY


def recipient_digest(recipient: str) -> str:
    """A keyed hash of an address or number: counts messages per recipient without keeping it."""
    return salted_hmac(
        "jointdefense.core.recipient", recipient.strip().lower(), algorithm="sha256"
    ).hexdigest()


def _recipients_under_limit(channel: str, recipients: list[str]) -> bool:
    """Count one more message to each recipient today, unless one of them had the day's limit.

    Each recipient's row for the day is locked (created first if missing, ``ON CONFLICT DO
    NOTHING``) until the caller's transaction ends: a second worker sending to the same recipient
    waits, then sees the count, so two of them never both pass the limit. Rows are locked in one
    order, so two messages to the same people cannot deadlock. A rollback (the send failed) takes
    the count back."""
    day = timezone.localdate()
    digests = sorted({recipient_digest(r) for r in recipients if r.strip()})
    if not digests:
        return True
    RecipientDay.objects.bulk_create(
        [RecipientDay(channel=channel, recipient=d, day=day) for d in digests], ignore_conflicts=True
    )
    rows = list(
        RecipientDay.objects.select_for_update()
        .filter(channel=channel, day=day, recipient__in=digests)
        .order_by("recipient")
    )
    if any(row.count >= _daily_limit(channel) for row in rows):
        return False
    RecipientDay.objects.filter(pk__in=[row.pk for row in rows]).update(count=F("count") + 1)
    return True


def _deliver_once(
    model, *, channel: str, key: str, recipients: list[str], defaults: dict, send, limited: bool
) -> bool:
    """Call ``send()`` unless a delivery with this key went out (or was refused) already. Returns
    whether it sent.

    The row is locked while sending, so two workers handed the same message send it once; if
    sending fails the transaction rolls back and a retry tries again. With ``limited``, a message
    to a recipient who had the day's limit already is refused for good (``refused_at``): it is not
    sent, and a retry or a second delivery of the task sends nothing either."""
    with transaction.atomic():
        delivery, _ = model.objects.get_or_create(key=key, defaults=defaults)
        delivery = model.objects.select_for_update().get(pk=delivery.pk)
        if delivery.sent_at is not None or delivery.refused_at is not None:
            return False
        if limited and not _recipients_under_limit(channel, recipients):
            delivery.refused_at = timezone.now()
            delivery.refusal = REFUSED_DAILY_LIMIT
            delivery.save(update_fields=["refused_at", "refusal"])
            log.warning("%s %s refused: its recipient had the day's limit of messages", channel, key)
            return False
        send()
        delivery.sent_at = timezone.now()
        delivery.save(update_fields=["sent_at"])
    return True


def email_send_once(
    *,
    key: str,
    to: list[str],
    subject: str,
    body: str,
    html_body: str | None = None,
    limited: bool = False,
) -> bool:
    """Send the email unless one with this key went out already. ``limited``: a message that anyone
    can cause (to a reporter, a password reset) counts against each recipient's daily limit,
    ``MAX_EMAILS_PER_RECIPIENT_PER_DAY``; staff's own reminders and alerts are not limited."""

    def send():
        message = EmailMultiAlternatives(subject=subject, body=body, to=to)
        if html_body:
            message.attach_alternative(html_body, "text/html")
        message.send()

    return _deliver_once(
        EmailDelivery,
        channel=EMAIL,
        key=key,
        recipients=list(to),
        defaults={"to": to, "subject": subject[:255]},
        send=send,
        limited=limited,
    )


def sms_send_once(*, key: str, to: str, text: str) -> bool:
    """Send the text message unless one with this key went out already; at most
    ``MAX_SMS_PER_RECIPIENT_PER_DAY`` messages to one number a day (text messages go only to
    reporters, whom anyone can name)."""
    return _deliver_once(
        SmsDelivery,
        channel=SMS,
        key=key,
        recipients=[to],
        defaults={"to": to},
        send=lambda: get_backend().send(TextMessage(to, text)),
        limited=True,
    )


def delivery_retention_days() -> int:
    """How long a delivery keeps its recipient: ``DELIVERY_RETENTION_DAYS``, or when that is not
    set the shortest time any station keeps its reporters' contacts (a delivery is written before
    the case closes, so it is erased no later than the report's own contact)."""
    if settings.DELIVERY_RETENTION_DAYS is not None:
        return int(settings.DELIVERY_RETENTION_DAYS)
    # looked up by name: core is the bottom layer and imports no other part of the platform
    tenant_model = apps.get_model("tenancy", "Tenant")
    shortest = tenant_model.objects.aggregate(days=Min("contact_retention_days"))["days"]
    return (
        shortest if shortest is not None else tenant_model._meta.get_field("contact_retention_days").default
    )


def delivery_recipients_erase() -> int:
    """Blank the recipient (and an e-mail's subject, which can hold a tracking code) of every
    delivery older than :func:`delivery_retention_days`, and forget the daily counts of past days.
    The key stays, so a task delivered again still sends once. Returns how many rows were erased;
    running it again erases nothing more."""
    now = timezone.now()
    cutoff = now - timedelta(days=delivery_retention_days())
    erased = EmailDelivery.objects.filter(created_at__lt=cutoff, erased_at__isnull=True).update(
        to=[], subject="", erased_at=now
    )
    erased += SmsDelivery.objects.filter(created_at__lt=cutoff, erased_at__isnull=True).update(
        to="", erased_at=now
    )
    RecipientDay.objects.filter(day__lt=timezone.localdate() - timedelta(days=1)).delete()
    return erased
