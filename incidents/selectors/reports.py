"""Reads of the report pages: categories, reports by tracking code, the public timeline."""

from datetime import timedelta

from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_scopes import scopes_disabled

from jointdefense.tenancy.models import Community, GridCell, Tenant

from ..models import Category, Report, ReportEvent

OPEN = [Report.Status.NEW, Report.Status.TRIAGED, Report.Status.ASSIGNED, Report.Status.IN_PROGRESS]
NEARBY_METRES = 300  # the report page offers open reports this close to the pin
# the limits of what a resident or an officer writes and attaches (forms and services check them)
MAX_DESCRIPTION = 2000
MAX_PHOTOS = 5


def category_list(*, tenant: Tenant) -> QuerySet[Category]:
    return Category.objects.filter(tenant=tenant, is_active=True).order_by("position", "name")


def category_by_pk(*, tenant: Tenant, pk: str | int | None) -> Category | None:
    """A category of the station by its id as it came in (anything else: None)."""
    try:
        key = int(str(pk or 0))
    except ValueError:
        return None
    if not 0 < key < 2**31:
        return None
    return Category.objects.filter(tenant=tenant, pk=key).first()


def open_report_list(*, tenant: Tenant) -> QuerySet[Report]:
    """The reports a resident may still add to."""
    return Report.objects.filter(tenant=tenant, status__in=OPEN)


def report_by_code(*, tenant: Tenant, code: str) -> Report | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    return (
        Report.objects.filter(tenant=tenant, tracking_code=code)
        .select_related("category", "duplicate_of")
        .first()
    )


def tracking_code_taken(*, tenant: Tenant, code: str) -> bool:
    with scopes_disabled():
        return Report.objects.filter(tenant=tenant, tracking_code=code).exists()


def station_covering(point: Point) -> Tenant | None:
    return Tenant.objects.filter(kind=Tenant.Kind.STATION, is_active=True, boundary__intersects=point).first()


def community_at(*, tenant: Tenant, point: Point) -> Community | None:
    return Community.objects.filter(tenant=tenant, boundary__intersects=point).first()


def grid_cell_at(*, tenant: Tenant, point: Point) -> GridCell | None:
    return GridCell.objects.filter(tenant=tenant, boundary__intersects=point).first()


# what the police tell the reporters of a case: a reporter joined to it sees these of the case's
# report, never what its other reporters wrote or sent (their additions, ratings, photos)
POLICE_PUBLIC_KINDS = [ReportEvent.Kind.STATUS, ReportEvent.Kind.PUBLIC_UPDATE]


def public_timeline(*, report: Report) -> QuerySet[ReportEvent]:
    """What the reporter holding ``report``'s tracking code sees: the public events of their own
    report and, once it is joined to another report of the same incident, the police's public
    events of that report (status changes and updates), never another resident's words."""
    mine = Q(report=report.pk)
    if report.duplicate_of_id:
        mine |= Q(report=report.duplicate_of_id, kind__in=POLICE_PUBLIC_KINDS)
    return ReportEvent.objects.filter(mine, tenant=report.tenant_id, public=True).order_by("created_at", "pk")


def nearby_open_reports(
    *,
    tenant: Tenant,
    category: Category,
    point: Point,
    metres: int = NEARBY_METRES,
    days: int = 30,
    limit: int = 10,
) -> QuerySet[Report]:
    """Open reports of the same category near ``point`` (public locations only), newest first, with
    only their public fields loaded (what the report page's "already reported nearby" shows)."""
    since = timezone.now() - timedelta(days=days)
    return (
        Report.objects.filter(
            tenant=tenant,
            category=category,
            status__in=OPEN,
            created_at__gte=since,
            public_location__distance_lte=(point, D(m=metres)),
        )
        .only("public_id", "status", "created_at", "public_location")
        .order_by("-created_at")[:limit]
    )
