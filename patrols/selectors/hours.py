"""Patrol hours, derived from check-ins and never typed in: for each patrol, from its first to its
last counted check-in (in order, or cleared by an officer), capped by its shift's hours. A patrol
with one counted check-in proves presence, not time: zero hours.

Reads for the volunteer's page, the officers' patrols pages and the points award.
"""

import datetime
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Max, Min, Q, QuerySet

from jointdefense.tenancy.models import Tenant
from teams.models import Volunteer

from ..models import CheckIn, Patrol

COUNTED = (CheckIn.Review.OK, CheckIn.Review.CLEARED)


def counted_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}review__in": COUNTED})


def _hours(
    first: datetime.datetime | None,
    last: datetime.datetime | None,
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None,
) -> float:
    """Hours from the first to the last counted check-in, within the shift's hours (if any)."""
    if first is None or last is None:
        return 0.0
    if starts_at is not None and ends_at is not None:
        first = max(first, starts_at)
        last = min(last, ends_at)
    return max(0.0, (last - first).total_seconds()) / 3600


def patrol_hours(patrol: Patrol) -> float:
    """Hours one patrol proves (one query)."""
    span = CheckIn.objects.filter(counted_q(), tenant=patrol.tenant_id, patrol=patrol).aggregate(
        first=Min("device_time"), last=Max("device_time")
    )
    shift = patrol.shift
    return _hours(
        span["first"], span["last"], shift.starts_at if shift else None, shift.ends_at if shift else None
    )


def patrols_with_hours(queryset: QuerySet[Patrol]) -> QuerySet[Patrol]:
    """Annotate patrols with their first and last counted check-in and the shift's hours; read
    ``.hours`` on each row (one query for the whole list)."""
    return queryset.annotate(
        first_counted=Min("check_ins__device_time", filter=counted_q("check_ins__")),
        last_counted=Max("check_ins__device_time", filter=counted_q("check_ins__")),
        shift_starts=F("shift__starts_at"),
        shift_ends=F("shift__ends_at"),
    )


def hours_of(row: Any) -> float:
    return _hours(row.first_counted, row.last_counted, row.shift_starts, row.shift_ends)


@dataclass
class HoursLine:
    key: int | None
    name: str
    hours: float = 0.0
    patrols: int = 0
    detail: list[Any] = field(default_factory=list)


@dataclass
class HoursReport:
    start: datetime.datetime
    end: datetime.datetime
    volunteers: list[HoursLine]
    teams: list[HoursLine]
    total_hours: float
    patrol_count: int


def hours_report(
    *,
    tenant: Tenant | int,
    start: datetime.datetime,
    end: datetime.datetime,
    team_ids: Collection[int] | None = None,
) -> HoursReport:
    """Hours per volunteer and per team (the team responsible for the shift) of the patrols started
    in [start, end), of the given teams' shifts only when ``team_ids`` is given. One query, whatever
    the number of patrols."""
    patrols = Patrol.objects.filter(tenant=tenant, started_at__gte=start, started_at__lt=end)
    if team_ids is not None:
        patrols = patrols.filter(shift__team_id__in=team_ids)
    annotated: QuerySet[Any] = patrols_with_hours(patrols)  # with first_counted, last_counted, ...
    rows = annotated.values(
        "pk",
        "volunteer_id",
        "volunteer__full_name",
        "shift__team_id",
        "shift__team__name",
        "first_counted",
        "last_counted",
        "shift_starts",
        "shift_ends",
    )
    volunteers: dict[int, HoursLine] = {}
    teams: dict[int | None, HoursLine] = {}
    total = 0.0
    count = 0
    for row in rows:
        hours = _hours(row["first_counted"], row["last_counted"], row["shift_starts"], row["shift_ends"])
        count += 1
        total += hours
        v = volunteers.setdefault(
            row["volunteer_id"], HoursLine(row["volunteer_id"], row["volunteer__full_name"])
        )
        v.hours += hours
        v.patrols += 1
        t = teams.setdefault(
            row["shift__team_id"], HoursLine(row["shift__team_id"], row["shift__team__name"] or "")
        )
        t.hours += hours
        t.patrols += 1
    by_hours = lambda line: (-line.hours, line.name)  # noqa: E731
    return HoursReport(
        start=start,
        end=end,
        volunteers=sorted(volunteers.values(), key=by_hours),
        teams=sorted(teams.values(), key=by_hours),
        total_hours=total,
        patrol_count=count,
    )


def volunteer_hours(*, volunteer: Volunteer, since: datetime.datetime | None = None) -> float:
    """Total hours of one volunteer's patrols (since a date, when given). One query."""
    qs = Patrol.objects.filter(tenant=volunteer.tenant_id, volunteer=volunteer)
    if since is not None:
        qs = qs.filter(started_at__gte=since)
    return sum(hours_of(p) for p in patrols_with_hours(qs).only("pk", "shift"))
