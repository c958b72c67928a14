"""The patrols app's team measures (``core.registry.team_measures``, registered in ``apps.py``):
teams and volunteers of some stations ranked for a period (``core.periods.Period``), one GROUP BY
query each. A patrol counts for the team responsible for its shift (as in ``selectors.hours``);
patrols without a team's shift count for no team."""

from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Exists, F, OuterRef, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from jointdefense.core import rollups
from jointdefense.core.periods import Period
from jointdefense.core.registry import Ranked
from teams.models import Team, Volunteer

from ..models import CheckIn, Patrol
from .hours import counted_q
from .rollups import TEAM_HOURS, VOLUNTEER_HOURS, checkpoints_made_expression, patrol_hours_expression

TEAM = {"subject_id": F("shift__team_id"), "subject_name": F("shift__team__name")}
VOLUNTEER = {"subject_id": F("volunteer_id"), "subject_name": F("volunteer__full_name")}


def _patrols(tenant_ids: list[int], period: Period) -> QuerySet[Patrol]:
    return Patrol.objects.filter(
        tenant_id__in=tenant_ids, started_at__gte=period.start, started_at__lt=period.end
    ).order_by()


def _ranked(rows: Any) -> list[Ranked]:
    return [Ranked(row["subject_id"], row["subject_name"], row["tenant_id"], row["value"]) for row in rows]


def _hours_raw(tenant_ids: list[int], period: Period, who: dict[str, F], known: str) -> list[Ranked]:
    """Patrol hours as ``selectors.figures.patrol_hours`` derives them (first to last counted
    check-in, within the shift's hours), summed by team or volunteer in one grouped query over the
    patrols; those with hours."""
    span = CheckIn.objects.filter(counted_q(), tenant=OuterRef("tenant"), patrol=OuterRef("pk"))
    hours = patrol_hours_expression(OuterRef("tenant"))
    rows = (
        _patrols(tenant_ids, period)
        .filter(Exists(span), **{f"{known}__isnull": False})
        .values("tenant_id", **who)
        .annotate(value=Coalesce(Sum(hours), Value(Decimal(0)), output_field=DecimalField()))
        .filter(value__gt=0)
    )
    return _ranked(rows)


def _hours(
    tenant_ids: list[int], period: Period, key: str, model: Any, name: str, top: int | None, order: str
) -> list[Ranked]:
    """The same hours from the rollups (``patrols.hours.by_team`` or ``.by_volunteer``: one query
    over the period's year, month, week and day rows), then the names of those with hours (one
    query); with ``top``, of those at the ``top`` best values only (the rest would not be placed)."""
    hours = rollups.ranked_totals(tenant_ids, key, period, top=top, order=order)
    names = dict(model.objects.filter(tenant_id__in=tenant_ids, pk__in=list(hours)).values_list("pk", name))
    return [
        Ranked(pk, names[pk], tenant_id, total) for pk, (tenant_id, total) in hours.items() if pk in names
    ]


def team_patrol_hours(
    tenant_ids: list[int], period: Period, top: int | None = None, order: str = "desc"
) -> list[Ranked]:
    """Hours of the patrols started in the period on each team's shifts."""
    return _hours(tenant_ids, period, TEAM_HOURS, Team, "name", top, order)


def team_patrol_hours_raw(tenant_ids: list[int], period: Period) -> list[Ranked]:
    return _hours_raw(tenant_ids, period, TEAM, "shift__team")


def volunteer_patrol_hours(
    tenant_ids: list[int], period: Period, top: int | None = None, order: str = "desc"
) -> list[Ranked]:
    """Hours of the patrols each volunteer started in the period."""
    return _hours(tenant_ids, period, VOLUNTEER_HOURS, Volunteer, "full_name", top, order)


def volunteer_patrol_hours_raw(tenant_ids: list[int], period: Period) -> list[Ranked]:
    return _hours_raw(tenant_ids, period, VOLUNTEER, "volunteer")


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
    """Check-ins made of checkpoints planned (percent), as ``selectors.figures.checkpoint_compliance``
    counts them: over the patrols started in the period on each team's shifts, the checkpoints of
    its route each patrol checked in at (counted, each checkpoint once, at most the planned ones) of
    the checkpoints planned for it when it started."""
    rows: Any = (
        _patrols(tenant_ids, period)
        .filter(shift__team__isnull=False)
        .values("tenant_id", **TEAM)
        .annotate(
            planned=Sum("checkpoints_planned"),
            made=Sum(checkpoints_made_expression(OuterRef("tenant"))),
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
