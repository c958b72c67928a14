"""Return visits: after a report is resolved the resident is visited; they rate the visit, and an
unsatisfied resident is visited again one level up (the chief, then the bureau)."""

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from jointdefense.core.outbox import outbox_add_many
from jointdefense.core.services import audit

from ..errors import ReportError
from ..models import Report, ReportEvent, ReturnVisit
from ..selectors.reports import MAX_DESCRIPTION
from ..selectors.return_visits import VISIT_LEVELS, visit_to_record
from . import rollups
from .triage import S, report_locked, report_transition, return_visit_again, return_visit_open

DUE_SOON = timedelta(hours=24)


@transaction.atomic
def return_visit_record(*, visit: ReturnVisit, actor: Any, notes: str) -> ReturnVisit:
    """The visitor records the visit; the resident can then rate it on the tracking page."""
    visit = ReturnVisit.objects.select_for_update().get(pk=visit.pk, tenant=visit.tenant_id)
    if visit.visited_at is not None:
        raise ReportError(_("This visit is recorded already."), code="visited")
    notes = (notes or "").strip()
    if not notes:
        raise ReportError(_("Write what was said at the visit."), field="notes", code="notes")
    visit.visited_at, visit.notes = timezone.now(), notes[:MAX_DESCRIPTION]
    visit.save(update_fields=["visited_at", "notes"])
    rollups.apply(visit.report.tenant, rollups.visit_recorded(visit))
    ReportEvent.objects.create(
        tenant_id=visit.tenant_id,
        report=visit.report,
        kind=ReportEvent.Kind.PUBLIC_UPDATE,
        public=True,
        actor=actor,
        text=_("A return visit took place. Please tell us whether you are satisfied."),
    )
    audit(tenant=visit.report.tenant, actor=actor, action="return_visit.recorded", target=visit)
    return visit


def report_visit_record(*, report: Report, actor: Any, notes: str) -> ReturnVisit:
    """Record the report's visit not made yet (the case page); refused when there is none."""
    visit = visit_to_record(report=report)
    if visit is None:
        raise ReportError(_("There is no return visit to record."), code="no_visit")
    return return_visit_record(visit=visit, actor=actor, notes=notes)


@transaction.atomic
def return_visit_rate(*, report: Report, rating: str) -> Report:
    """The resident rates the latest visit: satisfied closes the case; unsatisfied opens a visit one
    level up (the chief, then the bureau) until the resident is satisfied."""
    if rating not in ReturnVisit.Rating.values:
        raise ReportError(_("Choose whether you are satisfied."), field="rating", code="rating")
    visit = (
        ReturnVisit.objects.select_for_update()
        .filter(tenant=report.tenant_id, report=report, visited_at__isnull=False, rating="")
        .order_by("-created_at")
        .first()
    )
    if visit is None:
        raise ReportError(_("There is no return visit to rate yet."), code="no_visit")
    visit.rating, visit.rated_at = rating, timezone.now()
    visit.save(update_fields=["rating", "rated_at"])
    bumps = rollups.visit_rated(visit)
    report = report_locked(report)
    ReportEvent.objects.create(
        tenant_id=report.tenant_id,
        report=report,
        kind=ReportEvent.Kind.REPORTER_INFO,
        public=True,
        text=visit.get_rating_display(),
    )
    if rating == ReturnVisit.Rating.SATISFIED:
        report = report_transition(report=report, actor=None, to=S.CLOSED, bumps=bumps)
    else:
        level = VISIT_LEVELS[min(VISIT_LEVELS.index(visit.level) + 1, len(VISIT_LEVELS) - 1)]
        if level == visit.level:  # the bureau visits again until the resident is satisfied
            return_visit_again(visit, report=report, actor=None, bumps=bumps)
        else:
            return_visit_open(report, level, actor=None, bumps=bumps)
    rollups.apply(report.tenant, bumps)
    return report


def return_visit_alerts_send() -> None:
    """Alert each visitor once when a return visit is due within a day, and once when it is overdue.

    One conditional UPDATE per kind claims the visits (``…_alert_sent_at IS NULL``), so two beats
    firing together, or a retried task, claim each visit once; the email itself is keyed by visit,
    kind and due date, so a redelivered email task sends once too, and a visit to be made again
    (a fresh due date) is alerted again. A fixed number of queries per run, whatever the
    number of stations or visits."""
    now = timezone.now()
    kinds: list[tuple[str, str, dict[str, Any]]] = [
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
                outbox_add_many(
                    "core.send_email",
                    [_alert(visit, kind) for visit in claimed if visit.assignee and visit.assignee.email],
                )


def _alert(visit: ReturnVisit, kind: str) -> dict[str, Any]:
    tenant = visit.report.tenant
    assignee = visit.assignee
    assert assignee is not None  # claimed visits have one
    with (
        translation.override(assignee.language or tenant.default_language),
        timezone.override(tenant.zoneinfo),
    ):
        context = {"visit": visit, "report": visit.report, "kind": kind, "tenant": tenant}
        subject = render_to_string("incidents/email/return_visit_subject.txt", context).strip()
        body = render_to_string("incidents/email/return_visit_body.txt", context)
    return {
        # one alert of each kind per due date: a visit to be made again (a new round) is alerted anew
        "key": f"return-visit:{visit.pk}:{kind}:{visit.due_at.isoformat()}",
        "to": [assignee.email],
        "subject": subject,
        "body": body,
    }
