"""Reads of volunteers: the roster, the applications being screened, a user's own record. Lists cost
a fixed number of queries whatever their length."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from jointdefense.accounts.models import User
from jointdefense.tenancy.models import Tenant

from ..models import PointEntry, Team, TeamMember, Volunteer


def volunteer_list(*, tenant: Tenant) -> QuerySet[Volunteer]:
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


def application_list(*, tenant: Tenant) -> QuerySet[Volunteer]:
    return (
        volunteer_list(tenant=tenant)
        .filter(
            status__in=[Volunteer.Status.APPLIED, Volunteer.Status.UNDER_REVIEW, Volunteer.Status.APPROVED]
        )
        .order_by("applied_at", "pk")
    )


def volunteer_for_user(*, tenant: Tenant, user: User | AnonymousUser) -> Volunteer | None:
    if not user.is_authenticated:
        return None
    return Volunteer.objects.filter(tenant=tenant, user=user).select_related("home_community").first()


def with_balance(queryset: QuerySet[Volunteer]) -> QuerySet[Volunteer]:
    """Annotate each volunteer's points balance (the sum of its ledger entries) in the same query."""
    total = (
        PointEntry.objects.filter(tenant=OuterRef("tenant"), volunteer=OuterRef("pk"))
        .order_by()
        .values("volunteer")
        .annotate(total=Sum("points"))
        .values("total")
    )
    return queryset.annotate(balance=Coalesce(Subquery(total, output_field=IntegerField()), 0))


def volunteer_list_with_balance(*, tenant: Tenant) -> QuerySet[Volunteer]:
    """The roster with community, group, passed review and balance (one query) and their teams
    (one more): what the API answers."""
    return with_balance(volunteer_list(tenant=tenant).select_related("background_review"))


def application_list_with_balance(*, tenant: Tenant) -> QuerySet[Volunteer]:
    return with_balance(application_list(tenant=tenant).select_related("background_review"))


def volunteer_record(*, tenant: Tenant) -> QuerySet[Volunteer]:
    """The station's volunteers with what a volunteer's page shows of each (account, community,
    background)."""
    return Volunteer.objects.filter(tenant=tenant).select_related(
        "user", "home_community", "background_group"
    )


def team_candidate_list(*, tenant: Tenant, team: Team) -> QuerySet[Volunteer]:
    """Active volunteers not yet in ``team``, for the list of who may join it."""
    return (
        Volunteer.objects.filter(tenant=tenant, status=Volunteer.Status.ACTIVE)
        .exclude(team_memberships__team=team)
        .select_related("home_community")
        .order_by("full_name", "pk")
    )
