"""The training section of the weekly station summary (core.registry.summary_sections):
certificates expiring in the 30 days from the end of the summarised week and not renewed (a newer
certificate of the same course outlasts it), of volunteers still approved or active. One query
over a batch of stations, counted and cut for each by the summary."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from jointdefense.tenancy.models import station_ids
from teams.models import Volunteer

from ..models import Certificate

EXPIRING_DAYS = 30
HOLDERS = (Volunteer.Status.APPROVED, Volunteer.Status.ACTIVE)


def certificates_expiring(*, stations: Iterable[Any], as_of: datetime.datetime) -> QuerySet[Certificate]:
    """The stations' (stations or ids) certificates valid at ``as_of`` that expire within 30 days
    of it, the soonest first."""
    renewed = Certificate.objects.filter(
        tenant=OuterRef("tenant"),
        course=OuterRef("course_id"),
        volunteer=OuterRef("volunteer_id"),
        revoked_at__isnull=True,
        issued_at__lte=as_of,
    ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=OuterRef("expires_at")))
    return (
        Certificate.objects.filter(
            tenant_id__in=station_ids(stations),
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
