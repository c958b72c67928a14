"""Reads of teams: lists with member counts and leaders, the teams a user leads, a team's roster."""

from django.db.models import Count, Prefetch, QuerySet

from jointdefense.accounts.models import User
from jointdefense.tenancy.models import GridCell, Tenant

from ..models import Team, TeamMember, Volunteer


def team_list(*, tenant: Tenant) -> QuerySet[Team]:
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


def teams_led_by(*, tenant: Tenant, user: User) -> list[int]:
    return list(
        TeamMember.objects.filter(tenant=tenant, is_leader=True, volunteer__user=user).values_list(
            "team_id", flat=True
        )
    )


def team_roster(*, team: Team) -> QuerySet[TeamMember]:
    return (
        TeamMember.objects.filter(tenant=team.tenant_id, team=team)
        .select_related("volunteer", "volunteer__home_community", "volunteer__background_group")
        .order_by("-is_leader", "volunteer__full_name")
    )


def team_list_with_roster(*, tenant: Tenant, led_by: User | None = None) -> QuerySet[Team]:
    """Teams with their grid cells and whole roster (leaders first), what the API answers; with
    ``led_by`` only the teams that user leads."""
    qs = team_list(tenant=tenant).prefetch_related(
        Prefetch("grid_cells", queryset=GridCell.objects.filter(tenant=tenant).order_by("code")),
        Prefetch(
            "members",
            queryset=TeamMember.objects.filter(tenant=tenant)
            .select_related("volunteer")
            .order_by("-is_leader", "volunteer__full_name"),
            to_attr="roster",
        ),
    )
    if led_by is not None:
        qs = qs.filter(pk__in=teams_led_by(tenant=tenant, user=led_by))
    return qs


def team_grid_cells(*, team: Team) -> QuerySet[GridCell]:
    return team.grid_cells.filter(tenant=team.tenant_id).order_by("code")


def team_memberships(*, volunteer: Volunteer) -> QuerySet[TeamMember]:
    """The teams ``volunteer`` is in, by name."""
    return (
        TeamMember.objects.filter(tenant=volunteer.tenant_id, volunteer=volunteer)
        .select_related("team")
        .order_by("team__name")
    )
