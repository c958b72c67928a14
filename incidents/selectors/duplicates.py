"""Reads about duplicates: reports that may be the same incident, and the ones joined to a report."""

from datetime import timedelta
from typing import Any

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.measure import D
from django.db.models import Case, IntegerField, QuerySet, Value, When

from jointdefense.tenancy.models import Tenant

from ..models import Report
from .reports import OPEN
from .triage import triage_queue

DUPLICATE_METRES = 200  # officers are shown reports this close …
DUPLICATE_HOURS = 72  # … and this close in time as possible duplicates


def duplicate_suggestions(*, report: Report, limit: int = 5) -> list[Report]:
    """Reports that may be the same incident: open, close in space and time; the same category first,
    then the nearest."""
    if report.status in (Report.Status.MERGED, Report.Status.REJECTED):
        return []
    window = timedelta(hours=DUPLICATE_HOURS)
    return list(
        Report.objects.filter(
            tenant=report.tenant_id,
            status__in=[*OPEN, Report.Status.RESOLVED],
            created_at__range=(report.created_at - window, report.created_at + window),
            location__distance_lte=(report.location, D(m=DUPLICATE_METRES)),
        )
        .exclude(pk=report.pk)
        .annotate(
            distance=Distance("location", report.location),
            other_category=Case(
                When(category=report.category_id, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .select_related("category")
        .order_by("other_category", "distance", "-created_at")[:limit]
    )


def joined_reports(*, report: Report) -> QuerySet[Report]:
    """The reports joined to ``report``, with their photos, for its case page."""
    return (
        Report.objects.filter(tenant=report.tenant_id, duplicate_of=report)
        .select_related("category")
        .prefetch_related("photos")
        .order_by("created_at")
    )


def merge_candidate(*, tenant: Tenant | int, pk: Any) -> Report | None:
    """The station's report an officer chose to merge with, or None."""
    return triage_queue(tenant=tenant).filter(pk=pk).first()
