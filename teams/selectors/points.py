"""Reads of reward points: balances, the ledger, honour titles reached, the station's rules and the
monthly leaderboards of volunteers and teams."""

from datetime import date, datetime, time

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from jointdefense.tenancy.models import Tenant

from ..models import PointEntry, PointRule, Reward, Team, Volunteer


def balance(*, volunteer: Volunteer) -> int:
    total: int = PointEntry.objects.filter(tenant=volunteer.tenant_id, volunteer=volunteer).aggregate(
        total=Coalesce(Sum("points"), 0)
    )["total"]
    return total


def earned_points(*, volunteer: Volunteer) -> int:
    """Points earned in all: awards less their corrections (redemptions do not lower it)."""
    total: int = (
        PointEntry.objects.filter(tenant=volunteer.tenant_id, volunteer=volunteer)
        .filter(
            Q(kind=PointEntry.Kind.AWARD)
            | Q(kind=PointEntry.Kind.REVERSAL, reverses__kind=PointEntry.Kind.AWARD)
        )
        .aggregate(total=Coalesce(Sum("points"), 0))["total"]
    )
    return total


def ledger(*, volunteer: Volunteer) -> QuerySet[PointEntry]:
    return PointEntry.objects.filter(tenant=volunteer.tenant_id, volunteer=volunteer).select_related("actor")


def honour_titles(*, tenant: Tenant, earned: int) -> list[Reward]:
    """The honour titles reached with ``earned`` points, highest last."""
    return list(
        Reward.objects.filter(
            tenant=tenant, kind=Reward.Kind.TITLE, is_active=True, threshold_points__lte=earned
        ).order_by("threshold_points")
    )


def next_title(*, tenant: Tenant, earned: int) -> Reward | None:
    return (
        Reward.objects.filter(
            tenant=tenant, kind=Reward.Kind.TITLE, is_active=True, threshold_points__gt=earned
        )
        .order_by("threshold_points")
        .first()
    )


def month_bounds(month: date) -> tuple[date, date]:
    start = month.replace(day=1)
    end = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return start, end


def leaderboard(
    *, tenant: Tenant, month: date, team: Team | None = None, limit: int = 20
) -> QuerySet[Volunteer]:
    """Volunteers by points earned in ``month`` (station time), optionally within one team."""

    start, end = month_bounds(month)
    tz = tenant.zoneinfo
    earned = Q(point_entries__kind=PointEntry.Kind.AWARD) | Q(
        point_entries__kind=PointEntry.Kind.REVERSAL, point_entries__reverses__kind=PointEntry.Kind.AWARD
    )
    in_month = Q(
        point_entries__created_at__gte=timezone.make_aware(datetime.combine(start, time()), tz),
        point_entries__created_at__lt=timezone.make_aware(datetime.combine(end, time()), tz),
    )
    qs = Volunteer.objects.filter(tenant=tenant)
    if team is not None:
        qs = qs.filter(team_memberships__team=team)
    return (
        qs.annotate(
            points=Coalesce(
                Sum("point_entries__points", filter=earned & in_month), Value(0), output_field=IntegerField()
            )
        )
        .filter(points__gt=0)
        .select_related("home_community")
        .order_by("-points", "full_name")[:limit]
    )


def team_leaderboard(*, tenant: Tenant, month: date) -> QuerySet[Team]:
    """Teams by the points their members earned in ``month``."""

    start, end = month_bounds(month)
    tz = tenant.zoneinfo
    p = "members__volunteer__point_entries__"
    earned = Q(**{f"{p}kind": PointEntry.Kind.AWARD}) | Q(
        **{f"{p}kind": PointEntry.Kind.REVERSAL, f"{p}reverses__kind": PointEntry.Kind.AWARD}
    )
    in_month = Q(
        **{
            f"{p}created_at__gte": timezone.make_aware(datetime.combine(start, time()), tz),
            f"{p}created_at__lt": timezone.make_aware(datetime.combine(end, time()), tz),
        }
    )
    return (
        Team.objects.filter(tenant=tenant)
        .annotate(
            points=Coalesce(
                Sum(f"{p}points", filter=earned & in_month), Value(0), output_field=IntegerField()
            )
        )
        .order_by("-points", "name")
    )


def ledger_with_reversed(*, volunteer: Volunteer, limit: int = 50) -> list[PointEntry]:
    """The latest entries of ``volunteer``'s ledger, each with ``is_reversed`` (corrected already)."""
    reversed_ = PointEntry.objects.filter(tenant=volunteer.tenant_id, reverses=OuterRef("pk"))
    return list(ledger(volunteer=volunteer).annotate(is_reversed=Exists(reversed_))[:limit])


def station_ledger(*, tenant: Tenant) -> QuerySet[PointEntry]:
    """The station's whole ledger, newest first."""
    return (
        PointEntry.objects.filter(tenant=tenant)
        .select_related("volunteer", "actor")
        .order_by("-created_at", "-pk")
    )


def ledger_totals(entries: QuerySet[PointEntry]) -> dict[str, int]:
    """How many entries and how many points (signed) a filtered ledger holds (one query)."""
    totals = entries.order_by().aggregate(n=Count("pk"), points=Sum("points"))
    return {"entries": int(totals["n"] or 0), "points": int(totals["points"] or 0)}


def point_entry_reversed(*, entry: PointEntry) -> bool:
    return PointEntry.objects.filter(tenant=entry.tenant_id, reverses=entry).exists()


def point_rule_list(*, tenant: Tenant, active_only: bool = False) -> QuerySet[PointRule]:
    """The station's point rules by contribution (only those in use with ``active_only``)."""
    rules = PointRule.objects.filter(tenant=tenant)
    if active_only:
        rules = rules.filter(is_active=True)
    return rules.order_by("kind")
