"""Reads of screening: an application's history and reviews, the station's volunteer backgrounds."""

from django.db.models import QuerySet

from jointdefense.tenancy.models import Tenant

from ..models import BackgroundGroup, BackgroundReview, ScreeningEvent, Volunteer


def screening_history(*, volunteer: Volunteer) -> QuerySet[ScreeningEvent]:
    return ScreeningEvent.objects.filter(tenant=volunteer.tenant_id, volunteer=volunteer).select_related(
        "actor"
    )


def background_group_list(*, tenant: Tenant) -> QuerySet[BackgroundGroup]:
    """The backgrounds an applicant may choose (the station's active ones)."""
    return BackgroundGroup.objects.filter(tenant=tenant, is_active=True).order_by("position", "name")


def background_group_all(*, tenant: Tenant) -> QuerySet[BackgroundGroup]:
    """Every background of the station, retired ones too (the page that manages them)."""
    return BackgroundGroup.objects.filter(tenant=tenant).order_by("position", "name")


def review_list(*, volunteer: Volunteer) -> QuerySet[BackgroundReview]:
    """The background reviews recorded for ``volunteer``, newest first, with their officer."""
    return BackgroundReview.objects.filter(tenant=volunteer.tenant_id, volunteer=volunteer).select_related(
        "officer"
    )
