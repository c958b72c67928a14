"""Reads of the teams app. Lists cost a fixed number of queries whatever their length."""

from datetime import date

from django.db.models import Count, IntegerField, Prefetch, Q, Sum, Value
from django.db.models.functions import Coalesce
from django_scopes import scopes_disabled

from .models import (
    BackgroundGroup,
    PointEntry,
    Redemption,
    Reward,
    ScreeningEvent,
    Team,
    TeamMember,
    Volunteer,
)


def volunteer_list(*, tenant):
    """Volunteers with their community, background group and teams (three queries)."""
    return (
        Volunteer.objects.filter(tenant=tenant)
        .select_related("home_community", "background_group")
        .prefetch_related(
            Prefetch(
                "team_memberships",
                queryset=TeamMember.objects.filter(tenant=tenant)
                .select_related("team")
                .order_by("team__name"),
            )
        )
        .order_by("full_name", "pk")
    )


def application_list(*, tenant):
    return (
        volunteer_list(tenant=tenant)
        .filter(
            status__in=[Volunteer.Status.APPLIED, Volunteer.Status.UNDER_REVIEW, Volunteer.Status.APPROVED]
        )
        .order_by("applied_at", "pk")
    )


def volunteer_for_user(*, tenant, user) -> Volunteer | None:
    if not user.is_authenticated:
        return None
    return Volunteer.objects.filter(tenant=tenant, user=user).select_related("home_community").first()


def screening_history(*, volunteer):
    return ScreeningEvent.objects.filter(tenant=volunteer.tenant_id, volunteer=volunteer).select_related(
        "actor"
    )


def volunteerings_for_user(*, user):
    """The user's applications in every station (cross-tenant: the user's own rows)."""
    with scopes_disabled():
        return list(Volunteer.objects.filter(user=user).select_related("tenant"))


def background_group_list(*, tenant):
    return BackgroundGroup.objects.filter(tenant=tenant, is_active=True).order_by("position", "name")


def team_list(*, tenant):
    """Teams with member count and leaders (two queries)."""
    return (
        Team.objects.filter(tenant=tenant)
        .select_related("home_community")
        .annotate(member_count=Count("members", distinct=True))
        .prefetch_related(
            Prefetch(
                "members",
                queryset=TeamMember.objects.filter(tenant=tenant, is_leader=True).select_related("volunteer"),
                to_attr="leaders",
            )
        )
        .order_by("name")
    )


def teams_led_by(*, tenant, user) -> list[int]:
    return list(
        TeamMember.objects.filter(tenant=tenant, is_leader=True, volunteer__user=user).values_list(
            "team_id", flat=True
        )
    )


def team_roster(*, team):
    return (
        TeamMember.objects.filter(tenant=team.tenant_id, team=team)
        .select_related("volunteer", "volunteer__home_community", "volunteer__background_group")
        .order_by("-is_leader", "volunteer__full_name")
    )


# ---- points ----------------------------------------------------------------------------------------


def balance(*, volunteer) -> int:
    return PointEntry.objects.filter(tenant=volunteer.tenant_id, volunteer=volunteer).aggregate(
        total=Coalesce(Sum("points"), 0)
    )["total"]


def earned_points(*, volunteer) -> int:
    """Points earned in all: awards less their corrections (redemptions do not lower it)."""
    return (
        PointEntry.objects.filter(tenant=volunteer.tenant_id, volunteer=volunteer)
        .filter(
            Q(kind=PointEntry.Kind.AWARD)
            | Q(kind=PointEntry.Kind.REVERSAL, reverses__kind=PointEntry.Kind.AWARD)
        )
        .aggregate(total=Coalesce(Sum("points"), 0))["total"]
    )


def ledger(*, volunteer):
    return PointEntry.objects.filter(tenant=volunteer.tenant_id, volunteer=volunteer).select_related("actor")


def honour_titles(*, tenant, earned: int):
    """The honour titles reached with ``earned`` points, highest last."""
    return list(
        Reward.objects.filter(
            tenant=tenant, kind=Reward.Kind.TITLE, is_active=True, threshold_points__lte=earned
        ).order_by("threshold_points")
    )


def next_title(*, tenant, earned: int):
    return (
        Reward.objects.filter(
            tenant=tenant, kind=Reward.Kind.TITLE, is_active=True, threshold_points__gt=earned
        )
        .order_by("threshold_points")
        .first()
    )


def reward_catalogue(*, tenant):
    return Reward.objects.filter(tenant=tenant, is_active=True).order_by(
        "kind", "cost_points", "threshold_points"
    )


def redemption_list(*, tenant, status=None):
    qs = Redemption.objects.filter(tenant=tenant).select_related("volunteer", "reward", "decided_by")
    return qs.filter(status=status) if status else qs


def month_bounds(month: date):
    start = month.replace(day=1)
    end = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return start, end


def leaderboard(*, tenant, month: date, team=None, limit=20):
    """Volunteers by points earned in ``month`` (station time), optionally within one team."""
    from datetime import datetime, time

    from django.utils import timezone

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


def team_leaderboard(*, tenant, month: date):
    """Teams by the points their members earned in ``month``."""
    from datetime import datetime, time

    from django.utils import timezone

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
