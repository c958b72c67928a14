from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from .models import AuditEvent, EmailDelivery, SmsDelivery
from .sms import TextMessage, get_backend


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


def _deliver_once(model, *, key: str, defaults: dict, send) -> bool:
    """Call ``send()`` unless a delivery with this key went out already. Returns whether it sent.

    The row is locked while sending, so two workers handed the same message send it once; if
    sending fails the transaction rolls back and a retry tries again."""
    with transaction.atomic():
        delivery, _ = model.objects.get_or_create(key=key, defaults=defaults)
        delivery = model.objects.select_for_update().get(pk=delivery.pk)
        if delivery.sent_at is not None:
            return False
        send()
        delivery.sent_at = timezone.now()
        delivery.save(update_fields=["sent_at"])
    return True


def email_send_once(
    *, key: str, to: list[str], subject: str, body: str, html_body: str | None = None
) -> bool:
    """Send the email unless one with this key went out already."""

    def send():
        message = EmailMultiAlternatives(subject=subject, body=body, to=to)
        if html_body:
            message.attach_alternative(html_body, "text/html")
        message.send()

    return _deliver_once(EmailDelivery, key=key, defaults={"to": to, "subject": subject[:255]}, send=send)


def sms_send_once(*, key: str, to: str, text: str) -> bool:
    """Send the text message unless one with this key went out already."""
    return _deliver_once(
        SmsDelivery, key=key, defaults={"to": to}, send=lambda: get_backend().send(TextMessage(to, text))
    )
