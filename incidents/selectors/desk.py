"""The incidents' sections of the officer's desk (core.registry.desk_sections): my open cases,
new reports waiting for triage, my return visits due this week.

A case is *open* until it is closed, rejected or joined to another report (a resolved case still
owes the resident its return visit). The one deadline the portal keeps for a case is its return
visit's due date (the station's ``return_visit_days`` after it was resolved): a case is *overdue*
while a visit of it not yet made is past its due date."""

import datetime

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone

from jointdefense.accounts.models import User
from jointdefense.tenancy.models import Tenant

from ..models import Report, ReturnVisit

S = Report.Status
OPEN_STATUSES = [S.TRIAGED, S.ASSIGNED, S.IN_PROGRESS, S.RESOLVED]


def my_open_cases(*, tenant: Tenant, user: User, now: datetime.datetime | None = None) -> QuerySet[Report]:
    """The open cases assigned to ``user``: the overdue ones first, then the oldest first (one
    query), each annotated ``overdue``."""
    now = now or timezone.now()
    late_visit = ReturnVisit.objects.filter(
        tenant=tenant, report=OuterRef("pk"), visited_at__isnull=True, due_at__lt=now
    )
    return (
        Report.objects.filter(tenant=tenant, assigned_officer=user, status__in=OPEN_STATUSES)
        .select_related("category", "community")
        .annotate(overdue=Exists(late_visit))
        .order_by("-overdue", "created_at", "pk")
    )


def reports_to_triage(*, tenant: Tenant) -> QuerySet[Report]:
    """New reports nobody has triaged yet, the longest waiting first."""
    return (
        Report.objects.filter(tenant=tenant, status=S.NEW)
        .select_related("category", "community")
        .order_by("created_at", "pk")
    )


def week_end(tenant: Tenant, now: datetime.datetime) -> datetime.datetime:
    """The end of ``now``'s week (Monday 00:00 after it) in the station's time zone."""
    today = timezone.localtime(now, tenant.zoneinfo).date()
    monday = today + datetime.timedelta(days=7 - today.weekday())
    return datetime.datetime.combine(monday, datetime.time(0), tzinfo=tenant.zoneinfo)


def my_visits_due(
    *, tenant: Tenant, user: User, now: datetime.datetime | None = None
) -> QuerySet[ReturnVisit]:
    """The return visits ``user`` still has to make that are due before this week ends (station
    time), overdue ones included (annotated ``overdue``): the earliest due first."""
    now = now or timezone.now()
    return (
        ReturnVisit.objects.filter(
            tenant=tenant, assignee=user, visited_at__isnull=True, due_at__lt=week_end(tenant, now)
        )
        .select_related("report", "report__category")
        .annotate(overdue=ExpressionWrapper(Q(due_at__lt=now), output_field=BooleanField()))
        .order_by("due_at", "pk")
    )
