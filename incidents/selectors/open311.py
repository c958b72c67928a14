"""Reads of the Open311 endpoints: the offered services and the reports as service requests."""

from django.db.models import OuterRef, QuerySet, Subquery

from jointdefense.tenancy.models import Tenant

from ..models import Category, Report, ReportEvent


def service_category(*, tenant: Tenant, service_code: str) -> Category | None:
    """The station's active category with this ``service_code`` (its slug)."""
    return Category.objects.filter(tenant=tenant, is_active=True, slug=service_code).first()


def service_request_list(*, tenant: Tenant) -> QuerySet[Report]:
    """Reports with only the public fields loaded (the contact is never even read) and the latest
    public text from the police as ``status_notes``, in one query."""
    notes = (
        ReportEvent.objects.filter(
            tenant=tenant,
            report=OuterRef("pk"),
            public=True,
            kind__in=[ReportEvent.Kind.STATUS, ReportEvent.Kind.PUBLIC_UPDATE],
        )
        .exclude(text="")
        .order_by("-created_at", "-pk")
        .values("text")[:1]
    )
    return (
        Report.objects.filter(tenant=tenant)
        .select_related("category")
        .only(
            "tracking_code",
            "status",
            "description",
            "public_location",
            "created_at",
            "updated_at",
            "category__slug",
            "category__name",
        )
        .annotate(status_notes=Subquery(notes))
        .order_by("-created_at", "-pk")
    )
