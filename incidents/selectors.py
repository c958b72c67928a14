"""Reads of the incidents app."""

from datetime import timedelta

from django.contrib.gis.measure import D
from django.utils import timezone

from .models import Category, Report, ReportEvent

OPEN = [Report.Status.NEW, Report.Status.TRIAGED, Report.Status.ASSIGNED, Report.Status.IN_PROGRESS]


def category_list(*, tenant):
    return Category.objects.filter(tenant=tenant, is_active=True).order_by("position", "name")


def report_by_code(*, tenant, code: str) -> Report | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    return Report.objects.filter(tenant=tenant, tracking_code=code).select_related("category").first()


def public_timeline(*, report):
    return ReportEvent.objects.filter(tenant=report.tenant_id, report=report, public=True).order_by(
        "created_at"
    )


def nearby_open_reports(*, tenant, category, point, metres=300, days=30, limit=10):
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
