"""The patrols app's team measures (``core.registry.team_measures``, registered in ``apps.py``):
teams and volunteers of some stations ranked for a period (``core.periods.Period``), one GROUP BY
query each. A patrol counts for the team responsible for its shift (as in ``selectors.hours``);
patrols without a team's shift count for no team."""

from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from jointdefense.core.periods import Period
from jointdefense.core.registry import Ranked

from ..models import CheckIn, Checkpoint, Patrol
from .hours import counted_q
from .rollups import patrol_hours_expression

TEAM = {"subject_id": F("shift__team_id"), "subject_name": F("shift__team__name")}
VOLUNTEER = {"subject_id": F("volunteer_id"), "subject_name": F("volunteer__full_name")}


def _patrols(tenant_ids: list[int], period: Period) -> QuerySet[Patrol]:
    return Patrol.objects.filter(
        tenant_id__in=tenant_ids, started_at__gte=period.start, started_at__lt=period.end
    ).order_by()


def _ranked(rows: Any) -> list[Ranked]:
    return [Ranked(row["subject_id"], row["subject_name"], row["tenant_id"], row["value"]) for row in rows]


def _hours(tenant_ids: list[int], period: Period, who: dict[str, F], known: str) -> list[Ranked]:
    """Patrol hours as ``selectors.figures.patrol_hours`` derives them (first to last counted
    check-in, within the shift's hours), summed by team or volunteer in one grouped query."""
    span = CheckIn.objects.filter(counted_q(), tenant=OuterRef("tenant"), patrol=OuterRef("pk"))
    hours = patrol_hours_expression(OuterRef("tenant"))
    rows = (
        _patrols(tenant_ids, period)
        .filter(Exists(span), **{f"{known}__isnull": False})
        .values("tenant_id", **who)
        .annotate(value=Coalesce(Sum(hours), Value(Decimal(0)), output_field=DecimalField()))
    )
    return _ranked(rows)


def team_patrol_hours(tenant_ids: list[int], period: Period) -> list[Ranked]:
    """Hours of the patrols started in the period on each team's shifts."""
    return _hours(tenant_ids, period, TEAM, "shift__team")


def volunteer_patrol_hours(tenant_ids: list[int], period: Period) -> list[Ranked]:
    """Hours of the patrols each volunteer started in the period."""
    return _hours(tenant_ids, period, VOLUNTEER, "volunteer")


def team_patrols_walked(tenant_ids: list[int], period: Period) -> list[Ranked]:
    """Patrols started in the period on each team's shifts."""
    rows = (
        _patrols(tenant_ids, period)
        .filter(shift__team__isnull=False)
        .values("tenant_id", **TEAM)
        .annotate(value=Count("pk"))
    )
    return _ranked(rows)


def team_check_ins(tenant_ids: list[int], period: Period) -> list[Ranked]:
    """Counted check-ins (in order, or cleared by an officer) of the patrols started in the
    period on each team's shifts."""
    rows = (
        CheckIn.objects.filter(
            counted_q(),
            tenant_id__in=tenant_ids,
            patrol__started_at__gte=period.start,
            patrol__started_at__lt=period.end,
            patrol__shift__team__isnull=False,
        )
        .order_by()
        .values(
            "tenant_id", subject_id=F("patrol__shift__team_id"), subject_name=F("patrol__shift__team__name")
        )
        .annotate(value=Count("pk"))
    )
    return _ranked(rows)


def team_checkpoint_compliance(tenant_ids: list[int], period: Period) -> list[Ranked]:
    """Check-ins made of checkpoints planned (percent): over the patrols started in the period on
    each team's shifts, the route's checkpoints in use each patrol checked in at (counted, each
    checkpoint once) of the checkpoints in use on its route."""
    planned = (
        Checkpoint.objects.filter(tenant=OuterRef("tenant"), route=OuterRef("route"), is_active=True)
        .order_by()
        .values("route")
        .annotate(n=Count("pk"))
        .values("n")
    )
    made = (
        CheckIn.objects.filter(
            counted_q(),
            tenant=OuterRef("tenant"),
            patrol=OuterRef("pk"),
            checkpoint__route=OuterRef("route"),
            checkpoint__is_active=True,
        )
        .order_by()
        .values("patrol")
        .annotate(n=Count("checkpoint", distinct=True))
        .values("n")
    )
    rows: Any = (
        _patrols(tenant_ids, period)
        .filter(shift__team__isnull=False)
        .values("tenant_id", **TEAM)
        .annotate(
            planned=Sum(Coalesce(Subquery(planned, output_field=IntegerField()), 0)),
            made=Sum(Coalesce(Subquery(made, output_field=IntegerField()), 0)),
        )
        .filter(planned__gt=0)
    )
    return [
        Ranked(
            row["subject_id"],
            row["subject_name"],
            row["tenant_id"],
            Decimal(100 * row["made"]) / Decimal(row["planned"]),
        )
        for row in rows
    ]
