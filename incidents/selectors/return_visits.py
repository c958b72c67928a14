"""Reads of return visits: who makes a visit, the visit to record, the visit to rate."""

from django.db.models import QuerySet
from django_scopes import scopes_disabled

from jointdefense.accounts.models import User
from jointdefense.tenancy.models import Membership, Role, Tenant

from ..models import Report, ReturnVisit

VISIT_LEVELS = ["officer", "chief", "bureau"]


def visit_assignee(report: Report, level: str) -> User | None:
    """Who makes the visit at ``level``: the case's officer (or grid worker), the station's chief,
    or a viewer of its bureau."""
    if level == "officer":
        return report.assigned_officer or report.assigned_grid_worker
    tenant_id = report.tenant_id if level == "chief" else report.tenant.parent_id
    if tenant_id is None:
        return None
    role = Role.CHIEF if level == "chief" else Role.BUREAU_VIEWER
    with scopes_disabled():
        m = (
            Membership.objects.filter(tenant_id=tenant_id, is_active=True, roles__contains=[role])
            .select_related("user")
            .order_by("pk")
            .first()
        )
    return m.user if m else None


def visit_to_record(*, report: Report) -> ReturnVisit | None:
    """The latest visit of the report not made yet (the case page records it)."""
    return report.return_visits.filter(visited_at__isnull=True).order_by("-created_at").first()


def visit_to_rate(*, report: Report) -> ReturnVisit | None:
    """The return visit the reporter is asked to rate: made, not yet rated (the first reporter's)."""
    if report.duplicate_of_id:
        return None
    return (
        ReturnVisit.objects.filter(
            tenant=report.tenant_id, report=report, visited_at__isnull=False, rating=""
        )
        .order_by("-created_at")
        .first()
    )


def report_visit_list(*, report: Report) -> QuerySet[ReturnVisit]:
    """A report's visits for its case page, oldest first."""
    return report.return_visits.select_related("assignee").order_by("created_at")


def return_visit_list(*, tenant: Tenant) -> QuerySet[ReturnVisit]:
    """The station's return visits for the API, the soonest due first."""
    return ReturnVisit.objects.filter(tenant=tenant).select_related("report").order_by("due_at")


def station_visit_list(*, tenant: Tenant) -> QuerySet[ReturnVisit]:
    """The station's return visits for the officers' list page, the latest due first (one query)."""
    return (
        ReturnVisit.objects.filter(tenant=tenant)
        .select_related("report", "report__category", "assignee")
        .order_by("-due_at", "-pk")
    )
