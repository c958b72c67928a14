"""Clues: an officer marks a report as a valuable clue, or as having helped solve a case; a volunteer
who reported it earns the station's points for that, once (teams' points ledger)."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jointdefense.core.services import audit
from teams.models import PointEntry, Volunteer
from teams.services.points import points_award

from ..errors import ReportError
from ..models import Report
from . import rollups
from .triage import report_locked

CLUE_POINTS = {"valuable": "valuable_clue", "case": "case_assisted"}


@transaction.atomic
def report_mark_clue(*, report: Report, actor: Any, value: str) -> PointEntry | None:
    """Mark the clue; returns the volunteer reporter's point entry, or None (not a volunteer)."""
    if value not in CLUE_POINTS:
        raise ReportError(_("Choose how the clue helped."), field="value", code="clue")
    report = report_locked(report)
    if report.clue_value != value:
        previous, report.clue_value = report.clue_value, value
        report.save(update_fields=["clue_value", "updated_at"])
        rollups.apply(report.tenant, rollups.clue_marked(report, previous, value))
        audit(tenant=report.tenant, actor=actor, action="report.clue_marked", target=report, value=value)
    volunteer = (
        Volunteer.objects.filter(tenant=report.tenant_id, user=report.reporter_id, status="active").first()
        if report.reporter_id
        else None
    )
    if volunteer is None:
        return None
    entry, _created = points_award(
        tenant=report.tenant,
        volunteer=volunteer,
        kind=CLUE_POINTS[value],
        actor=actor,
        idempotency_key=f"clue:{report.pk}:{value}",
        reason=f"{report.category.name} {report.tracking_code}",
    )
    return entry
