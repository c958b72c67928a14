"""What each write of the incidents app adds to its rollups (the series are described in
``selectors/rollups.py``): every function here returns the :class:`~jointdefense.core.rollups.Bump`
list of one change, and the service that writes applies all of its bumps with one
``core.rollups.bump_all`` in its own transaction (:func:`apply`)."""

import datetime
from collections.abc import Iterable
from typing import Any

from jointdefense.core.rollups import Bump, bump_all, minutes_bucket

from ..models import Mediation, Report, ReturnVisit
from ..selectors.rollups import (
    CLUES,
    DONE,
    ESCALATIONS,
    MEDIATIONS,
    RATINGS,
    RECEIVED,
    RECEIVED_BY_COMMUNITY,
    RECEIVED_BY_GRID_CELL,
    RESOLVE_MINUTES,
    RESOLVED,
    TRIAGE_MINUTES,
    VISITS,
    received_dimension,
)

S = Report.Status


def apply(tenant: Any, bumps: Iterable[Bump]) -> None:
    """Write ``bumps`` (one statement); ``tenant`` is the station or its id's owner."""
    bump_all(tenant, bumps)


def _minutes(since: datetime.datetime, at: datetime.datetime) -> str:
    return minutes_bucket((at - since).total_seconds() / 60)


def received(report: Report, status: str | None = None) -> list[Bump]:
    """A report received (counted under its status now, or ``status``, and under its place)."""
    dimension = received_dimension(report.category.kind, report.category_id, status or report.status)
    return [
        Bump(RECEIVED, report.created_at, dimension=dimension),
        Bump(RECEIVED_BY_COMMUNITY, report.created_at, dimension=str(report.community_id or "")),
        Bump(RECEIVED_BY_GRID_CELL, report.created_at, dimension=str(report.grid_cell_id or "")),
    ]


def needs_last_resolution(previous: str, to: str) -> bool:
    """Whether the bumps of a change from ``previous`` to ``to`` need the report's last resolution."""
    return to == S.RESOLVED or (previous in DONE and to not in DONE)


def status_changed(
    report: Report,
    previous: str,
    to: str,
    at: datetime.datetime,
    *,
    last_resolved: datetime.datetime | None = None,
    status_event: bool = True,
) -> list[Bump]:
    """The report moved from ``previous`` to ``to`` at ``at`` (``status_event``: by the status flow,
    not by a merge); ``last_resolved``: its last resolution before this change."""
    if previous == to:
        return []
    kind, category = report.category.kind, report.category_id
    bumps = [
        Bump(RECEIVED, report.created_at, -1, dimension=received_dimension(kind, category, previous)),
        Bump(RECEIVED, report.created_at, 1, dimension=received_dimension(kind, category, to)),
    ]
    if status_event and previous == S.NEW:
        bumps.append(Bump(TRIAGE_MINUTES, report.created_at, dimension=_minutes(report.created_at, at)))
    if to == S.RESOLVED and previous not in DONE:
        bumps.append(Bump(RESOLVED, at, dimension=kind))
        if last_resolved is None:
            bumps.append(Bump(RESOLVE_MINUTES, report.created_at, dimension=_minutes(report.created_at, at)))
    elif previous in DONE and to not in DONE and last_resolved is not None:
        bumps.append(Bump(RESOLVED, last_resolved, -1, dimension=kind))
    return bumps


def clue_marked(report: Report, previous: str, value: str) -> list[Bump]:
    if previous == value:
        return []
    kind = report.category.kind
    bumps = [Bump(CLUES, report.created_at, dimension=f"{kind}:{value}")]
    if previous:
        bumps.append(Bump(CLUES, report.created_at, -1, dimension=f"{kind}:{previous}"))
    return bumps


def mediation_opened(mediation: Mediation) -> list[Bump]:
    return [Bump(MEDIATIONS, mediation.opened_at, dimension="opened")]


def mediation_closed(mediation: Mediation) -> list[Bump]:
    assert mediation.closed_at is not None  # closed with its outcome
    return [Bump(MEDIATIONS, mediation.closed_at, dimension=mediation.status)]


def visit_state(visit: ReturnVisit) -> str:
    if visit.visited_at is None:
        return "open"
    return "on_time" if visit.visited_at <= visit.due_at else "late"


def visit_opened(visit: ReturnVisit, *, created: bool = True) -> list[Bump]:
    """A visit to make (``created``: a new one, not a visit made again)."""
    bumps = [Bump(VISITS, visit.due_at, dimension=visit_state(visit))]
    if created and visit.level != ReturnVisit.Level.OFFICER:
        bumps.append(Bump(ESCALATIONS, visit.created_at, dimension=visit.level))
    return bumps


def visit_recorded(visit: ReturnVisit) -> list[Bump]:
    return [
        Bump(VISITS, visit.due_at, -1, dimension="open"),
        Bump(VISITS, visit.due_at, dimension=visit_state(visit)),
    ]


def visit_rated(visit: ReturnVisit) -> list[Bump]:
    assert visit.rated_at is not None
    return [Bump(RATINGS, visit.rated_at, dimension=f"{visit.level}:{visit.rating}")]


def visit_left(visit: ReturnVisit) -> list[Bump]:
    """The visit as it stands leaves the counts (it is to be made again: see ``visit_opened``)."""
    bumps = [Bump(VISITS, visit.due_at, -1, dimension=visit_state(visit))]
    if visit.rating and visit.rated_at is not None:
        bumps.append(Bump(RATINGS, visit.rated_at, -1, dimension=f"{visit.level}:{visit.rating}"))
    return bumps
