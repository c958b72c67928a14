"""The incidents' sections of the weekly station summary (core.registry.summary_sections): open
cases past their deadline, and return visits due in the coming week.

"Past its deadline" means what it means on the officer's desk (selectors.desk): the one deadline
the portal keeps for a case is its return visit's due date, so an open case is past its deadline
while a visit of it not yet made was due before ``as_of`` (the end of the summarised week). Each
is one query over a batch of stations, counted and cut for each by the summary."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Min, OuterRef, QuerySet, Subquery

from jointdefense.tenancy.models import station_ids

from ..models import Report, ReturnVisit
from .desk import OPEN_STATUSES

COMING_WEEK = datetime.timedelta(days=7)


def cases_past_deadline(*, stations: Iterable[Any], as_of: datetime.datetime) -> QuerySet[Report]:
    """The stations' (stations or ids) open cases with a return visit not made that was due before
    ``as_of``, the longest late first (``late_since`` annotated: the earliest such due date)."""
    late_since = (
        ReturnVisit.objects.filter(
            tenant=OuterRef("tenant"), report=OuterRef("pk"), visited_at__isnull=True, due_at__lt=as_of
        )
        .order_by()
        .values("report")
        .annotate(first=Min("due_at"))
        .values("first")
    )
    return (
        Report.objects.filter(tenant_id__in=station_ids(stations), status__in=OPEN_STATUSES)
        .annotate(late_since=Subquery(late_since))
        .filter(late_since__isnull=False)
        .select_related("category", "community", "assigned_officer")
        .order_by("late_since", "pk")
    )


def visits_due_next_week(*, stations: Iterable[Any], as_of: datetime.datetime) -> QuerySet[ReturnVisit]:
    """The stations' return visits not made that fall due in the seven days from ``as_of``, the
    earliest first."""
    return (
        ReturnVisit.objects.filter(
            tenant_id__in=station_ids(stations),
            visited_at__isnull=True,
            due_at__gte=as_of,
            due_at__lt=as_of + COMING_WEEK,
        )
        .select_related("report", "report__category", "assignee")
        .order_by("due_at", "pk")
    )
