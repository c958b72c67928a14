"""The training sections of the officer's desk (core.registry.desk_sections): sessions of the
next 7 days with places still free, and sessions held whose attendance is not yet recorded."""

import datetime

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from jointdefense.tenancy.models import Tenant

from ..models import Enrolment, TrainingSession
from .sessions import sessions_with_counts

OPEN_PLACES_DAYS = 7


def sessions_with_free_places(
    *, tenant: Tenant, now: datetime.datetime | None = None
) -> QuerySet[TrainingSession]:
    """Sessions not cancelled that start from ``now`` to 7 days later (the end excluded) with fewer
    people enrolled than places, the soonest first (one query; ``free_places`` annotated)."""
    now = now or timezone.now()
    return (
        sessions_with_counts(tenant)
        .filter(
            is_cancelled=False,
            starts_at__gte=now,
            starts_at__lt=now + datetime.timedelta(days=OPEN_PLACES_DAYS),
        )
        .annotate(free_places=F("capacity") - F("enrolled_count"))
        .filter(free_places__gt=0)
        .order_by("starts_at", "pk")
    )


def sessions_to_record(*, tenant: Tenant, now: datetime.datetime | None = None) -> QuerySet[TrainingSession]:
    """Sessions held (ended by ``now``, not cancelled) where someone enrolled has no attendance
    recorded yet, the longest waiting first (one query; ``unrecorded_count`` annotated)."""
    now = now or timezone.now()
    unrecorded = Q(
        enrolments__status=Enrolment.Status.ENROLLED,
        enrolments__attendance=Enrolment.Attendance.UNRECORDED,
    )
    return (
        TrainingSession.objects.filter(tenant=tenant, is_cancelled=False, ends_at__lte=now)
        .select_related("course")
        .annotate(unrecorded_count=Count("enrolments", filter=unrecorded))
        .filter(unrecorded_count__gt=0)
        .order_by("starts_at", "pk")
    )
