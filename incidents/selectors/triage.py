"""Reads of the officers' triage: the queue, a report's timeline, who a report can go to."""

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import F, FloatField, Func, Prefetch, Q, QuerySet

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
    """The case page's timeline: every event of ``report`` and what the reporters of the reports
    joined to it added since (they add to their own reports, which their tracking codes open)."""
    joined_additions = Q(report__duplicate_of=report.pk, kind=ReportEvent.Kind.REPORTER_INFO)
    return (
        ReportEvent.objects.filter(Q(report=report.pk) | joined_additions, tenant=report.tenant_id)
        .select_related("actor", "report")
        .order_by("created_at", "pk")
    )


def report_events_prefetch(*, tenant: Tenant) -> "Prefetch[str, QuerySet[ReportEvent], str]":
    """The reports' whole timelines, oldest first, with who acted (the API's detail)."""
    return Prefetch(
        "events",
        queryset=ReportEvent.objects.filter(tenant=tenant)
        .select_related("actor")
        .order_by("created_at", "pk"),
    )


def _coordinate(name: str) -> Func:
    return Func(F("location"), function=name, output_field=FloatField())


def triage_map_points(reports: QuerySet[Report], *, limit: int) -> list[tuple[Any, ...]]:
    """(pk, category name, status, priority, lng, lat) of the first ``limit`` of ``reports``: only
    what a dot on the map needs, coordinates straight from PostGIS, so a thousand points stay cheap."""
    rows = reports.values_list("pk", "category__name", "status", "priority").annotate(
        lng=_coordinate("ST_X"), lat=_coordinate("ST_Y")
    )
    return list(rows[:limit])


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
