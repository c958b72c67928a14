"""Reads of the Open311 endpoints: the offered services and the reports as service requests."""

from django.db.models import Prefetch, QuerySet

from jointdefense.tenancy.models import Tenant

from ..models import Category, Report, ReportPhoto


def service_category(*, tenant: Tenant, service_code: str) -> Category | None:
    """The station's active category with this ``service_code`` (its slug)."""
    return Category.objects.filter(tenant=tenant, is_active=True, slug=service_code).first()


def service_request_list(*, tenant: Tenant) -> QuerySet[Report]:
    """Reports with only the public fields loaded: the public id, the public status note, the
    blurred location, and as ``public_photos`` the photos officers marked public (the contact, the
    tracking code, the messages to the reporter and the other photos are never even read)."""
    return (
        Report.objects.filter(tenant=tenant)
        .select_related("category")
        .only(
            "public_id",
            "public_note",
            "status",
            "description",
            "public_location",
            "created_at",
            "updated_at",
            "category__slug",
            "category__name",
        )
        .prefetch_related(
            Prefetch(
                "photos",
                queryset=ReportPhoto.objects.filter(tenant=tenant, public=True).only("pk", "report_id"),
                to_attr="public_photos",
            )
        )
        .order_by("-created_at", "-pk")
    )
