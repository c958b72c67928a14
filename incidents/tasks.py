"""Background work of the incidents app."""

from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from jointdefense.core.tasks import send_email

from .models import ReturnVisit

DUE_SOON = timedelta(hours=24)


@shared_task(name="incidents.return_visit_alerts", ignore_result=True)
def return_visit_alerts():
    """Alert each visitor once when a return visit is due within a day, and once when it is overdue.

    One conditional UPDATE per kind claims the visits (``…_alert_sent_at IS NULL``), so two beats
    firing together, or a retried task, claim each visit once; the email itself is keyed by visit and
    kind, so a redelivered email task sends once too. A fixed number of queries per run, whatever the
    number of stations or visits."""
    now = timezone.now()
    kinds = [
        ("overdue", "overdue_alert_sent_at", {"due_at__lt": now}),
        ("due_soon", "due_soon_alert_sent_at", {"due_at__gte": now, "due_at__lt": now + DUE_SOON}),
    ]
    with scopes_disabled():  # a sweep across every station; each row names its own
        for kind, field, window in kinds:
            # the claim and the e-mails to send are written in one transaction (the outbox), so an
            # alert is neither lost when Redis is down nor sent twice when two beats fire
            with transaction.atomic():
                claimed = list(
                    ReturnVisit.objects.select_for_update(skip_locked=True)
                    .filter(
                        visited_at__isnull=True,
                        assignee__isnull=False,
                        **{f"{field}__isnull": True},
                        **window,
                    )
                    .select_related("assignee", "report", "report__tenant", "report__category")
                )
                ReturnVisit.objects.filter(pk__in=[v.pk for v in claimed]).update(**{field: now})
                send_email.enqueue_many_on_commit(
                    [_alert(visit, kind) for visit in claimed if visit.assignee.email]
                )


def _alert(visit, kind) -> dict:
    tenant = visit.report.tenant
    with (
        translation.override(visit.assignee.language or tenant.default_language),
        timezone.override(tenant.zoneinfo),
    ):
        context = {"visit": visit, "report": visit.report, "kind": kind, "tenant": tenant}
        subject = render_to_string("incidents/email/return_visit_subject.txt", context).strip()
        body = render_to_string("incidents/email/return_visit_body.txt", context)
    return {
        "key": f"return-visit:{visit.pk}:{kind}",
        "to": [visit.assignee.email],
        "subject": subject,
        "body": body,
    }


@shared_task(name="incidents.erase_old_contacts", ignore_result=True)
def erase_old_contacts():
    """Erase reporters' contacts a station-set number of days after their case closed; the report
    stays. One UPDATE for every station; running it twice changes nothing more."""
    from django.db.models import DurationField, ExpressionWrapper, F

    from .models import Report

    now = timezone.now()
    retention = ExpressionWrapper(
        F("tenant__contact_retention_days") * timedelta(days=1), output_field=DurationField()
    )
    with scopes_disabled():
        due = (
            Report.objects.filter(status__in=["closed", "rejected"], contact_erased_at__isnull=True)
            .annotate(keep_until=F("updated_at") + retention)
            .filter(keep_until__lt=now)
            .values("pk")
        )
        return Report.objects.filter(pk__in=due).update(
            contact_name="", contact_phone="", contact_email="", contact_erased_at=now
        )
