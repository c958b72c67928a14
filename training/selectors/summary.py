"""The training section of the weekly station summary (core.registry.summary_sections):
certificates expiring in the 30 days from the end of the summarised week and not renewed (a newer
certificate of the same course outlasts it), of volunteers still approved or active. One query,
counted and cut by the summary."""

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from jointdefense.tenancy.models import Tenant
from teams.models import Volunteer

from ..models import Certificate

EXPIRING_DAYS = 30
HOLDERS = (Volunteer.Status.APPROVED, Volunteer.Status.ACTIVE)


def certificates_expiring(*, tenant: Tenant, as_of: datetime.datetime) -> QuerySet[Certificate]:
    """Certificates valid at ``as_of`` that expire within 30 days of it, the soonest first."""
    renewed = Certificate.objects.filter(
        tenant=OuterRef("tenant"),
        course=OuterRef("course_id"),
        volunteer=OuterRef("volunteer_id"),
        revoked_at__isnull=True,
        issued_at__lte=as_of,
    ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=OuterRef("expires_at")))
    return (
        Certificate.objects.filter(
            tenant=tenant,
            revoked_at__isnull=True,
            issued_at__lte=as_of,
            expires_at__gt=as_of,
            expires_at__lte=as_of + datetime.timedelta(days=EXPIRING_DAYS),
            volunteer__status__in=HOLDERS,
        )
        .filter(~Exists(renewed))
        .select_related("course", "volunteer")
        .order_by("expires_at", "pk")
    )
