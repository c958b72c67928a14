"""The teams app's team measures (``core.registry.team_measures``, registered in ``apps.py``):
points awarded to the teams and volunteers of some stations in a period
(``core.periods.Period``), one GROUP BY query each. Points awarded are counted as the dashboard's
figure counts them (``selectors.figures.points_awarded``: awards, corrections not netted); a
team's are its members' (a volunteer in two teams counts for both)."""

from django.db.models import F, QuerySet, Sum

from jointdefense.core import rollups
from jointdefense.core.periods import Period
from jointdefense.core.registry import Ranked

from ..models import PointEntry, Volunteer
from .rollups import AWARDED_BY_VOLUNTEER


def _awards(tenant_ids: list[int], period: Period) -> QuerySet[PointEntry]:
    return PointEntry.objects.filter(
        tenant_id__in=tenant_ids,
        kind=PointEntry.Kind.AWARD,
        created_at__gte=period.start,
        created_at__lt=period.end,
    ).order_by()


def team_points_awarded(tenant_ids: list[int], period: Period) -> list[Ranked]:
    """Points awarded in the period to each team's members."""
    rows = (
        _awards(tenant_ids, period)
        .filter(volunteer__team_memberships__isnull=False)
        .values(
            "tenant_id",
            subject_id=F("volunteer__team_memberships__team_id"),
            subject_name=F("volunteer__team_memberships__team__name"),
        )
        .annotate(value=Sum("points"))
    )
    return [Ranked(row["subject_id"], row["subject_name"], row["tenant_id"], row["value"]) for row in rows]


def volunteer_points_awarded(
    tenant_ids: list[int], period: Period, top: int | None = None, order: str = "desc"
) -> list[Ranked]:
    """Points awarded in the period to each volunteer, from the wide rollup
    ``teams.points.by_volunteer`` (one query), then the names of those with points (of those at
    the ``top`` best values only, when given: one query)."""
    points = rollups.ranked_totals(tenant_ids, AWARDED_BY_VOLUNTEER, period, top=top, order=order)
    names = dict(
        Volunteer.objects.filter(tenant_id__in=tenant_ids, pk__in=list(points)).values_list("pk", "full_name")
    )
    return [
        Ranked(pk, names[pk], tenant_id, int(total))
        for pk, (tenant_id, total) in points.items()
        if pk in names
    ]


def volunteer_points_awarded_raw(tenant_ids: list[int], period: Period) -> list[Ranked]:
    """The same by one GROUP BY over the ledger (the suite holds the two equal)."""
    rows = (
        _awards(tenant_ids, period)
        .values("tenant_id", subject_id=F("volunteer_id"), subject_name=F("volunteer__full_name"))
        .annotate(value=Sum("points"))
    )
    return [Ranked(row["subject_id"], row["subject_name"], row["tenant_id"], row["value"]) for row in rows]
