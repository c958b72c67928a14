"""The officers' work on a report: the status flow, assigning, public updates and internal notes."""

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jointdefense.core.rollups import Bump
from jointdefense.core.services import audit
from jointdefense.tenancy.models import Role
from jointdefense.tenancy.roles import roles_for
from teams.models import Team

from ..errors import ReportError
from ..models import Report, ReportEvent, ReturnVisit
from ..selectors.reports import MAX_DESCRIPTION
from ..selectors.return_visits import visit_assignee
from ..selectors.rollups import last_resolution
from ..selectors.triage import team_by_id, user_by_id
from . import rollups
from .notifications import notify_reporter

S = Report.Status
TRANSITIONS = {
    S.NEW: {S.TRIAGED, S.ASSIGNED, S.REJECTED},
    S.TRIAGED: {S.ASSIGNED, S.REJECTED},
    S.ASSIGNED: {S.IN_PROGRESS, S.RESOLVED, S.REJECTED},
    S.IN_PROGRESS: {S.RESOLVED},
    S.RESOLVED: {S.CLOSED, S.IN_PROGRESS},
    S.CLOSED: set(),
    S.REJECTED: set(),
    S.MERGED: set(),  # only report_merge joins a report to another; it never comes back
}


def report_locked(report: Report) -> Report:
    """``report`` read again and locked for the rest of the transaction."""
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("tenant", "category")
        .get(pk=report.pk, tenant=report.tenant_id)
    )


@transaction.atomic
def report_transition(
    *,
    report: Report,
    actor: Any,
    to: str,
    public_text: str = "",
    priority: str | None = None,
    bumps: list[Bump] | None = None,
) -> Report:
    """Move a report along its flow; the change and its public text appear on the tracking page.
    The rollups are bumped here, or added to ``bumps`` for a caller that writes them with its own."""
    report = report_locked(report)
    if to not in TRANSITIONS[S(report.status)]:
        raise ReportError(
            _("A report that is “%(status)s” cannot become “%(to)s”.")
            % {"status": report.get_status_display(), "to": S(to).label if to in S.values else to},
            code="transition",
        )
    public_text = (public_text or "").strip()
    if to == S.REJECTED and not public_text:
        raise ReportError(
            _("Tell the reporter why the report is rejected."), field="public_text", code="reason"
        )
    fields = ["status", "updated_at"]
    previous, report.status = report.status, to
    if to == S.REJECTED:
        report.rejection_reason = public_text
        fields.append("rejection_reason")
    if priority:
        if priority not in Report.Priority.values:
            raise ReportError(_("Unknown priority."), field="priority")
        report.priority = priority
        fields.append("priority")
    last_resolved = last_resolution(report) if rollups.needs_last_resolution(previous, to) else None
    report.save(update_fields=fields)
    event = ReportEvent.objects.create(
        tenant_id=report.tenant_id,
        report=report,
        kind=ReportEvent.Kind.STATUS,
        public=True,
        from_status=previous,
        to_status=to,
        text=public_text[:MAX_DESCRIPTION],
        actor=actor,
    )
    audit(tenant=report.tenant, actor=actor, action=f"report.{to}", target=report)
    notify_reporter(report, " ".join(filter(None, [str(S(to).label), public_text])), event.pk)
    written = [] if bumps is None else bumps
    written += rollups.status_changed(report, previous, to, event.created_at, last_resolved=last_resolved)
    if to == S.RESOLVED:
        # the resident is visited within the station's deadline
        return_visit_open(report, "officer", actor, bumps=written)
    if bumps is None:
        rollups.apply(report.tenant, written)
    return report


def return_visit_open(report: Report, level: str, actor: Any, *, bumps: list[Bump]) -> ReturnVisit:
    """Open the report's return visit at ``level``, due within the station's deadline. A visit at
    that level still to be made is kept as it is (opening twice changes nothing); one made already
    (the case was reopened and resolved again) starts a new round (:func:`return_visit_again`).
    Its rollups go to ``bumps``, written by the caller."""
    visit, created = ReturnVisit.objects.get_or_create(
        tenant_id=report.tenant_id,
        report=report,
        level=level,
        defaults={
            "assignee": visit_assignee(report, level),
            "due_at": timezone.now() + timedelta(days=report.tenant.return_visit_days),
        },
    )
    if created:
        bumps += rollups.visit_opened(visit)
        audit(tenant=report.tenant, actor=actor, action="return_visit.opened", target=visit, level=level)
    elif visit.visited_at is not None:
        visit = return_visit_again(visit, report=report, actor=actor, bumps=bumps)
    return visit


def return_visit_again(visit: ReturnVisit, *, report: Report, actor: Any, bumps: list[Bump]) -> ReturnVisit:
    """The visit at this level is to be made again: a fresh due date within the station's deadline,
    today's visitor at that level, and no alert sent yet (the alerts are keyed by the due date, so
    the new round's alerts go out). Its rollups go to ``bumps``, written by the caller."""
    bumps += rollups.visit_left(visit)
    visit.assignee = visit_assignee(report, visit.level)
    visit.due_at = timezone.now() + timedelta(days=report.tenant.return_visit_days)
    visit.visited_at = visit.rated_at = visit.due_soon_alert_sent_at = visit.overdue_alert_sent_at = None
    visit.rating = ""
    visit.save(
        update_fields=[
            "assignee",
            "due_at",
            "visited_at",
            "rated_at",
            "rating",
            "due_soon_alert_sent_at",
            "overdue_alert_sent_at",
        ]
    )
    bumps += rollups.visit_opened(visit, created=False)
    audit(tenant=report.tenant, actor=actor, action="return_visit.opened", target=visit, level=visit.level)
    return visit


@transaction.atomic
def report_assign(
    *, report: Report, actor: Any, officer: Any = None, team: Team | None = None, grid_worker: Any = None
) -> Report:
    """Give the case to an officer, a team and/or a grid worker of the station."""
    report = report_locked(report)
    if not (officer or team or grid_worker):
        raise ReportError(_("Choose who takes the case."), field="officer", code="assignee")
    if officer is not None and not ({Role.OFFICER, Role.CHIEF} & roles_for(officer, report.tenant)):
        raise ReportError(_("Choose an officer of this station."), field="officer", code="assignee")
    if grid_worker is not None and Role.GRID_WORKER not in roles_for(grid_worker, report.tenant):
        raise ReportError(_("Choose a grid worker of this station."), field="grid_worker", code="assignee")
    if team is not None and team.tenant_id != report.tenant_id:
        raise ReportError(_("Choose a team of this station."), field="team", code="assignee")
    if report.status not in (S.NEW, S.TRIAGED, S.ASSIGNED, S.IN_PROGRESS):
        raise ReportError(_("A finished report is not assigned."), code="transition")
    report.assigned_officer, report.assigned_team, report.assigned_grid_worker = officer, team, grid_worker
    report.save(update_fields=["assigned_officer", "assigned_team", "assigned_grid_worker", "updated_at"])
    if report.status in (S.NEW, S.TRIAGED):
        report_transition(report=report, actor=actor, to=S.ASSIGNED)
    audit(
        tenant=report.tenant,
        actor=actor,
        action="report.assigned",
        target=report,
        officer=getattr(officer, "pk", None),
        team=getattr(team, "pk", None),
        grid_worker=getattr(grid_worker, "pk", None),
    )
    report.refresh_from_db()
    return report


def report_assign_by_ids(
    *,
    report: Report,
    actor: Any,
    officer_id: int | None = None,
    team_id: int | None = None,
    grid_worker_id: int | None = None,
) -> Report:
    """:func:`report_assign` with users and a team given by id (the API): an unknown id is refused
    on its field; the rest is checked by :func:`report_assign`."""
    people: dict[str, Any] = {}
    for field, pk in (("officer", officer_id), ("grid_worker", grid_worker_id)):
        if pk is not None:
            people[field] = user_by_id(pk)
            if people[field] is None:
                raise ReportError(_("Choose a member of this station."), field=field, code="assignee")
    team = None
    if team_id is not None:
        team = team_by_id(tenant=report.tenant_id, pk=team_id)
        if team is None:
            raise ReportError(_("Choose a team of this station."), field="team", code="assignee")
    return report_assign(report=report, actor=actor, team=team, **people)


@transaction.atomic
def report_comment(*, report: Report, actor: Any, text: str, public: bool) -> ReportEvent:
    """A public update (shown to the reporter) or an internal note (officers only)."""
    text = (text or "").strip()
    if not text:
        raise ReportError(_("Write the update first."), field="text", code="empty")
    if len(text) > MAX_DESCRIPTION:
        raise ReportError(
            _("Keep the text under %(max)d characters.") % {"max": MAX_DESCRIPTION}, field="text"
        )
    event = ReportEvent.objects.create(
        tenant_id=report.tenant_id,
        report=report,
        public=public,
        text=text,
        actor=actor,
        kind=ReportEvent.Kind.PUBLIC_UPDATE if public else ReportEvent.Kind.INTERNAL_NOTE,
    )
    Report.objects.filter(pk=report.pk).update(updated_at=event.created_at)
    if public:
        notify_reporter(report, text, event.pk)
    return event


PUBLIC_NOTE_MAX = 500


@transaction.atomic
def report_public_note_set(*, report: Report, actor: Any, text: str) -> Report:
    """The status note everyone may read with the report (Open311's ``status_notes``), written by an
    officer as public. Messages to the reporter are public updates instead (tracking page only)."""
    text = " ".join((text or "").split())
    if len(text) > PUBLIC_NOTE_MAX:
        raise ReportError(
            _("Keep the public note under %(max)d characters.") % {"max": PUBLIC_NOTE_MAX}, field="text"
        )
    report.public_note = text
    report.save(update_fields=["public_note", "updated_at"])
    audit(tenant=report.tenant, actor=actor, action="report.public_note", target=report, text=text)
    return report
