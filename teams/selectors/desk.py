"""The teams' section of the officer's desk (core.registry.desk_sections): applications waiting
for screening."""

from django.db.models import QuerySet

from jointdefense.tenancy.models import Tenant

from ..models import Volunteer


def applications_to_screen(*, tenant: Tenant) -> QuerySet[Volunteer]:
    """Applications an officer has still to decide: applied or under review (an approved one waits
    only for its activation), the longest waiting first."""
    return Volunteer.objects.filter(
        tenant=tenant, status__in=[Volunteer.Status.APPLIED, Volunteer.Status.UNDER_REVIEW]
    ).order_by("applied_at", "pk")
