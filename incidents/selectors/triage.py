"""Reads of the officers' triage: the queue, a report's timeline, who a report can go to."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from jointdefense.accounts.models import User
from jointdefense.tenancy.models import Membership, Role, Tenant
from teams.models import Team

from ..models import Report, ReportEvent


def triage_queue(*, tenant: Tenant | int) -> QuerySet[Report]:
    """Reports for officers, with what the queue shows (one query)."""
    return Report.objects.filter(tenant=tenant).select_related(
        "category", "community", "assigned_officer", "assigned_team"
    )


def report_timeline(*, report: Report) -> QuerySet[ReportEvent]:
    return ReportEvent.objects.filter(tenant=report.tenant_id, report=report).select_related("actor")


def _members_with(tenant: Tenant, *roles: str) -> QuerySet[Membership]:
    memberships = Membership.objects.filter(tenant=tenant, is_active=True, roles__overlap=list(roles))
    return memberships.select_related("user").order_by("user__full_name")


def _users(ids: QuerySet[Membership]) -> QuerySet[User]:
    user_ids = list(ids.values_list("user_id", flat=True))
    return get_user_model().objects.filter(pk__in=user_ids).order_by("full_name")


def assignable_officers(*, tenant: Tenant) -> QuerySet[User]:
    """The station's officers and chief: who can hold a case."""
    return _users(_members_with(tenant, Role.OFFICER, Role.CHIEF))


def assignable_grid_workers(*, tenant: Tenant) -> QuerySet[User]:
    return _users(_members_with(tenant, Role.GRID_WORKER))


def assignable_teams(*, tenant: Tenant) -> QuerySet[Team]:
    return Team.objects.filter(tenant=tenant, is_active=True).order_by("name")


def user_by_id(pk: int) -> User | None:
    """Any user by id: the assign service checks the role in the station."""
    return get_user_model().objects.filter(pk=pk).first()


def team_by_id(*, tenant: Tenant | int, pk: int) -> Team | None:
    return Team.objects.filter(tenant=tenant, pk=pk).first()
