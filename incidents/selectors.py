"""Reads of the incidents app."""

from datetime import timedelta

from django.contrib.gis.measure import D
from django.utils import timezone

from .models import Category, Report, ReportEvent

OPEN = [Report.Status.NEW, Report.Status.TRIAGED, Report.Status.ASSIGNED, Report.Status.IN_PROGRESS]
NEARBY_METRES = 300  # the report page offers open reports this close to the pin
DUPLICATE_METRES = 200  # officers are shown reports this close …
DUPLICATE_HOURS = 72  # … and this close in time as possible duplicates


def category_list(*, tenant):
    return Category.objects.filter(tenant=tenant, is_active=True).order_by("position", "name")


def report_by_code(*, tenant, code: str) -> Report | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    return (
        Report.objects.filter(tenant=tenant, tracking_code=code)
        .select_related("category", "duplicate_of")
        .first()
    )


def public_timeline(*, report):
    """What the reporter sees: the public events of their report and, once it is joined to
    another report of the same incident, that report's public events too."""
    reports = [report.pk] + ([report.duplicate_of_id] if report.duplicate_of_id else [])
    return ReportEvent.objects.filter(tenant=report.tenant_id, report__in=reports, public=True).order_by(
        "created_at", "pk"
    )


def visit_to_rate(*, report):
    """The return visit the reporter is asked to rate: made, not yet rated (the first reporter's)."""
    from .models import ReturnVisit

    if report.duplicate_of_id:
        return None
    return (
        ReturnVisit.objects.filter(
            tenant=report.tenant_id, report=report, visited_at__isnull=False, rating=""
        )
        .order_by("-created_at")
        .first()
    )


def duplicate_suggestions(*, report, limit=5):
    """Reports that may be the same incident: open, close in space and time; the same category first,
    then the nearest."""
    from django.contrib.gis.db.models.functions import Distance
    from django.db.models import Case, IntegerField, Value, When

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


def joined_reports(*, report):
    """The reports joined to ``report``, with their photos, for its case page."""
    return (
        Report.objects.filter(tenant=report.tenant_id, duplicate_of=report)
        .select_related("category")
        .prefetch_related("photos")
        .order_by("created_at")
    )


def nearby_open_reports(*, tenant, category, point, metres=NEARBY_METRES, days=30, limit=10):
    """Open reports of the same category near ``point`` (public locations only), newest first."""
    since = timezone.now() - timedelta(days=days)
    return Report.objects.filter(
        tenant=tenant,
        category=category,
        status__in=OPEN,
        created_at__gte=since,
        public_location__distance_lte=(point, D(m=metres)),
    ).order_by("-created_at")[:limit]


def triage_queue(*, tenant):
    """Reports for officers, with what the queue shows (one query)."""
    return Report.objects.filter(tenant=tenant).select_related(
        "category", "community", "assigned_officer", "assigned_team"
    )


def report_timeline(*, report):
    return ReportEvent.objects.filter(tenant=report.tenant_id, report=report).select_related("actor")
