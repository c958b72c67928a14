"""The patrols app's rollups (``core.rollups``): the series its services bump as they write, the
expressions they share with the plain aggregates (``selectors.figures``), and the rows a rebuild
computes again from the patrols and check-ins (``core.registry.RollupSource("patrols.", rows)``,
registered in ``apps.py``).

Series, each on the station's local day the patrol started (a late check-in, a review weeks later,
counts with its patrol):

* ``patrols.walked``: one per patrol started;
* ``patrols.hours``: total = the patrol's hours (``selectors.hours``: first to last counted
  check-in, within the shift's hours), rounded to 4 places per patrol, moved by each check-in and
  review that changes them;
* ``patrols.hours.by_team``, ``patrols.hours.by_volunteer``: the same hours, dimension the id of
  the team of the patrol's shift (none without a team) or of the volunteer, for the rankings
  (``selectors.rankings``); wide series (one dimension per team or volunteer), so a figure table's
  ``rollups.prefetched`` leaves them out;
* ``patrols.check_ins``: one per check-in, dimension = its review (``ok``, ``flagged``,
  ``cleared``, ``rejected``), moved when an officer decides a flagged one;
* ``patrols.checkpoints``: checkpoint compliance, dimension ``planned`` (count = the checkpoints
  planned for the patrol, ``Patrol.checkpoints_planned``, bumped by its start) and ``made`` (count =
  the distinct checkpoints of its route it checked in at with a counted check-in, at most the
  planned ones), moved by each check-in and review that changes them. The planned number is the
  patrol's own, kept from its start, so a route edited since changes no patrol's figure.

One series is on the station's local day the shift starts (a sign-up counts with its shift, not
with the day it was made):

* ``patrols.places``: shift coverage, dimension ``needed`` (count = the headcount of a shift not
  cancelled) and ``filled`` (count = its active sign-ups, at most the headcount: a shift's extra
  people fill no other shift's places); a cancelled shift counts nothing. The services that create,
  generate, cancel or delete shifts and those that put people on a shift or take them off bump the
  change (:func:`places_bumps` before and after), one statement per write.
"""

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least, Round, TruncDate

from jointdefense.core import rollups
from jointdefense.core.rollups import Bump
from jointdefense.tenancy.models import Tenant

from ..models import CheckIn, Patrol, Shift, Signup
from .hours import counted_q

WALKED = "patrols.walked"
HOURS = "patrols.hours"
TEAM_HOURS = "patrols.hours.by_team"
VOLUNTEER_HOURS = "patrols.hours.by_volunteer"
CHECK_INS = "patrols.check_ins"
CHECKPOINTS = "patrols.checkpoints"
PLANNED, MADE = "planned", "made"
SHIFT_PLACES = "patrols.places"
NEEDED, FILLED = "needed", "filled"
PLACES = 4  # the rollup's total keeps four decimal places: each patrol's hours are rounded to them


class EpochHours(Func):
    template = "(EXTRACT(EPOCH FROM %(expressions)s) / 3600.0)"
    output_field = DecimalField()


def patrol_hours_expression(tenant: Tenant | int | OuterRef) -> Any:
    """The hours of the patrol of the row (``OuterRef("pk")`` = a patrol), as ``selectors.hours``
    derives them, rounded to :data:`PLACES`: zero without two counted check-ins. ``tenant`` may be
    ``OuterRef("tenant")`` for patrols of several stations."""
    span = CheckIn.objects.filter(counted_q(), tenant=tenant, patrol=OuterRef("pk")).values("patrol")
    first = Subquery(span.annotate(at=Min("device_time")).values("at"))
    last = Subquery(span.annotate(at=Max("device_time")).values("at"))
    # PostgreSQL's LEAST and GREATEST skip NULLs: a patrol without a shift is not capped; a patrol
    # without a counted check-in would get the shift's hours from them, hence the CASE
    hours = Greatest(
        EpochHours(Least(last, F("shift__ends_at")) - Greatest(first, F("shift__starts_at"))),
        Value(Decimal(0)),
    )
    return Case(
        When(Exists(span), then=Round(hours, PLACES)),
        default=Value(Decimal(0)),
        output_field=DecimalField(max_digits=20, decimal_places=PLACES),
    )


def checkpoints_made_expression(tenant: Tenant | int | OuterRef) -> Any:
    """The checkpoints the patrol of the row made: the distinct checkpoints of its route it checked
    in at with a counted check-in, at most the ones planned for it (``checkpoints_planned``). A
    checkpoint stays on its route, so the number never follows a later edit of the route."""
    made = (
        CheckIn.objects.filter(
            counted_q(), tenant=tenant, patrol=OuterRef("pk"), checkpoint__route=OuterRef("route")
        )
        .order_by()
        .values("patrol")
        .annotate(n=Count("checkpoint", distinct=True))
        .values("n")
    )
    return Least(
        Coalesce(Subquery(made, output_field=IntegerField()), 0),
        F("checkpoints_planned"),
        output_field=IntegerField(),
    )


class PatrolCounts(NamedTuple):
    hours: Decimal
    made: int


def patrol_counts_now(patrol: Patrol) -> PatrolCounts:
    """One patrol's hours and checkpoints made as the rollups count them (one query): the services
    bump the difference before and after a write. Nothing is read while the station's rollups are
    deferred (``core.rollups.deferred``): they are rebuilt from the rows instead."""
    tenant = patrol.tenant_id
    if rollups.is_deferred(tenant):
        return PatrolCounts(Decimal(0), 0)
    row = (
        Patrol.objects.filter(tenant=tenant, pk=patrol.pk)
        .annotate(h=patrol_hours_expression(tenant), m=checkpoints_made_expression(tenant))
        .values_list("h", "m")
        .first()
    ) or (0, 0)
    return PatrolCounts(Decimal(row[0] or 0).quantize(Decimal(1).scaleb(-PLACES)), int(row[1] or 0))


def patrol_counts_bumps(patrol: Patrol, before: PatrolCounts, after: PatrolCounts) -> list[Bump]:
    """The bumps of a change of one patrol's hours and checkpoints made, on its day."""
    change = after.hours - before.hours
    bumps = [
        Bump(HOURS, patrol.started_at, count=0, total=change),
        Bump(VOLUNTEER_HOURS, patrol.started_at, count=0, total=change, dimension=str(patrol.volunteer_id)),
        Bump(CHECKPOINTS, patrol.started_at, after.made - before.made, dimension=MADE),
    ]
    team_id = patrol.shift.team_id if patrol.shift is not None else None
    if team_id:
        bumps.append(Bump(TEAM_HOURS, patrol.started_at, count=0, total=change, dimension=str(team_id)))
    return bumps


# ---- shift coverage -------------------------------------------------------------------------------------


def active_signups_expression(tenant: Tenant | int | OuterRef) -> Any:
    """The active (not withdrawn) sign-ups of the shift of the row, zero without any."""
    people = (
        Signup.objects.filter(tenant=tenant, shift=OuterRef("pk"), withdrawn_at__isnull=True)
        .order_by()
        .values("shift")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(people, output_field=IntegerField()), 0)


def places_filled_expression(tenant: Tenant | int | OuterRef) -> Any:
    """The places filled on the shift of the row: its active sign-ups, at most its headcount."""
    return Least(active_signups_expression(tenant), F("headcount"), output_field=IntegerField())


def shift_places(*, headcount: int, active: int, is_cancelled: bool) -> tuple[int, int]:
    """``(needed, filled)`` of a shift as ``patrols.places`` counts it: nothing when cancelled."""
    if is_cancelled:
        return 0, 0
    return headcount, min(active, headcount)


def places_bumps(
    when: datetime.datetime | datetime.date, places: tuple[int, int], sign: int = 1
) -> list[Bump]:
    """The bumps adding (``sign=-1``: taking away) a shift's ``(needed, filled)`` on the day of
    ``when``, its start (or the station's local day of it). A change is the old places taken away
    and the new ones added: the bumps of one day are netted by ``core.rollups.bump_all``."""
    needed, filled = places
    return [
        Bump(SHIFT_PLACES, when, sign * needed, dimension=NEEDED),
        Bump(SHIFT_PLACES, when, sign * filled, dimension=FILLED),
    ]


def rows(tenant: Tenant) -> Iterator[tuple[str, str, Any, int, Decimal]]:
    """``(key, dimension, day, count, total)`` of every ``patrols.`` series, grouped by the
    database by the station's local day of the patrol's (or the shift's) start (five queries)."""
    day = TruncDate("started_at", tzinfo=tenant.zoneinfo)
    patrols = (
        Patrol.objects.filter(tenant=tenant)
        .annotate(day=day)
        .values("day")
        .annotate(
            n=Count("pk"),
            hours=Sum(patrol_hours_expression(tenant)),
            planned=Sum("checkpoints_planned"),
            made=Sum(checkpoints_made_expression(tenant)),
        )
        .order_by()
        .values_list("day", "n", "hours", "planned", "made")
    )
    for local_day, n, hours, planned, made in patrols:
        yield WALKED, "", local_day, n, Decimal(0)
        yield HOURS, "", local_day, 0, Decimal(hours or 0)
        yield CHECKPOINTS, PLANNED, local_day, int(planned or 0), Decimal(0)
        yield CHECKPOINTS, MADE, local_day, int(made or 0), Decimal(0)
    for key, field in ((TEAM_HOURS, "shift__team_id"), (VOLUNTEER_HOURS, "volunteer_id")):
        hours_by = (
            Patrol.objects.filter(tenant=tenant, **{f"{field}__isnull": False})
            .annotate(day=day)
            .values("day", field)
            .annotate(hours=Sum(patrol_hours_expression(tenant)))
            .order_by()
            .values_list("day", field, "hours")
        )
        for local_day, subject_id, hours in hours_by:
            yield key, str(subject_id), local_day, 0, Decimal(hours or 0)
    check_ins = (
        CheckIn.objects.filter(tenant=tenant)
        .annotate(day=TruncDate("patrol__started_at", tzinfo=tenant.zoneinfo))
        .values("day", "review")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("day", "review", "n")
    )
    for local_day, review, n in check_ins:
        yield CHECK_INS, review, local_day, n, Decimal(0)
    shifts = (
        Shift.objects.filter(tenant=tenant, is_cancelled=False)
        .annotate(day=TruncDate("starts_at", tzinfo=tenant.zoneinfo))
        .values("day")
        .annotate(needed=Sum("headcount"), filled=Sum(places_filled_expression(tenant)))
        .order_by()
        .values_list("day", "needed", "filled")
    )
    for local_day, needed, filled in shifts:
        yield SHIFT_PLACES, NEEDED, local_day, int(needed or 0), Decimal(0)
        yield SHIFT_PLACES, FILLED, local_day, int(filled or 0), Decimal(0)
