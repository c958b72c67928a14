"""Duplicates: a resident adds to an open report nearby, or an officer merges two reports of the same
incident. The report joined to another follows its public timeline; chains never form."""

from typing import Any

from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.db import transaction
from django.utils.translation import gettext as _

from jointdefense.core.services import audit
from jointdefense.tenancy.models import Tenant

from ..errors import ReportError
from ..models import Category, Report, ReportEvent
from ..selectors.duplicates import merge_candidate
from ..selectors.reports import NEARBY_METRES, OPEN
from ..selectors.rollups import last_resolution
from . import rollups
from .notifications import notify_reporter
from .triage import report_locked

S = Report.Status


def report_joinable(primary: Report, *, tenant: Tenant, category: Category, point: Point) -> Report:
    """The open report a resident adds to (locked): of this station and category, open, near the pin."""
    ok = Report.objects.filter(
        pk=primary.pk,
        tenant=tenant,
        category=category,
        status__in=OPEN,
        public_location__distance_lte=(point, D(m=NEARBY_METRES)),
    )
    locked = ok.select_for_update(of=("self",)).first()
    if locked is None:
        raise ReportError(
            _("That report is closed or not near your pin any more. File yours on its own."),
            field="add_to",
            code="add_to",
        )
    return locked


def report_join(duplicate: Report, primary: Report, *, actor: Any, counted: bool = True) -> None:
    """Join ``duplicate`` to ``primary``: its own duplicates follow, so chains never form.
    ``counted``: the rollups count the change here (``report_submit`` counts its new report once,
    already joined)."""
    Report.objects.filter(tenant=primary.tenant_id, duplicate_of=duplicate).update(duplicate_of=primary)
    previous = duplicate.status
    last_resolved = (
        last_resolution(duplicate) if counted and rollups.needs_last_resolution(previous, S.MERGED) else None
    )
    duplicate.status, duplicate.duplicate_of = S.MERGED, primary
    duplicate.save(update_fields=["status", "duplicate_of", "updated_at"])
    merged = ReportEvent.objects.create(
        tenant_id=duplicate.tenant_id,
        report=duplicate,
        kind=ReportEvent.Kind.MERGED,
        public=True,
        from_status=previous,
        to_status=S.MERGED,
        # the public id: the other report's tracking code is its own reporter's secret
        text=_("Joined to report %(code)s of the same incident; its updates show here.")
        % {"code": primary.public_id},
        actor=actor,
    )
    if counted:
        rollups.apply(
            duplicate.tenant,
            rollups.status_changed(
                duplicate,
                previous,
                S.MERGED,
                merged.created_at,
                last_resolved=last_resolved,
                status_event=False,
            ),
        )
    ReportEvent.objects.create(
        tenant_id=primary.tenant_id,
        report=primary,
        kind=ReportEvent.Kind.MERGED,
        public=True,
        text=_("Another resident reported the same incident."),
        actor=actor,
    )
    Report.objects.filter(pk=primary.pk).update(updated_at=duplicate.updated_at)


@transaction.atomic
def report_merge(*, duplicate: Report, into: Report, actor: Any) -> Report:
    """An officer merges a duplicate into the report that stays (``into``); the duplicate's
    reporter follows ``into`` from then on and hears of it on their tracking page."""
    if duplicate.tenant_id != into.tenant_id or duplicate.pk == into.pk:
        raise ReportError(_("Choose another report of this station to merge with."), code="merge")
    first, second = sorted([duplicate, into], key=lambda r: r.pk)  # lock in a fixed order
    locked = {r.pk: report_locked(r) for r in (first, second)}
    duplicate, into = locked[duplicate.pk], locked[into.pk]
    if S.MERGED in (duplicate.status, into.status):
        raise ReportError(_("One of these reports is already joined to another."), code="merge")
    if duplicate.status in (S.CLOSED, S.REJECTED) or into.status == S.REJECTED:
        raise ReportError(_("Closed and rejected reports are not merged."), code="merge")
    report_join(duplicate, into, actor=actor)
    audit(tenant=into.tenant, actor=actor, action="report.merged", target=into, duplicate=duplicate.pk)
    notify_reporter(
        duplicate,
        _("Your report is joined to report %(code)s of the same incident.") % {"code": into.public_id},
        f"merge:{duplicate.pk}",
        followers=False,
    )
    return into


def report_merge_with(
    *, report: Report, other_id: Any, into_other: bool, actor: Any, field: str | None = None
) -> Report:
    """Merge ``report`` with the station's report ``other_id`` an officer chose: ``report`` into the
    other one (``into_other``), or the other one into ``report``. Returns the report that stays.
    ``field`` names the input the refusal of an unknown report points at."""
    other = merge_candidate(tenant=report.tenant_id, pk=other_id)
    if other is None:
        raise ReportError(
            _("Choose another report of this station to merge with."), field=field, code="merge"
        )
    if into_other:
        return report_merge(duplicate=report, into=other, actor=actor)
    return report_merge(duplicate=other, into=report, actor=actor)
