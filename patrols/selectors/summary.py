"""The patrols' section of the weekly station summary (core.registry.summary_sections): shifts of
the coming week short of people (as the desk's short shifts, over seven days instead of 48 hours).
One query, counted and cut by the summary."""

import datetime

from django.db.models import QuerySet

from jointdefense.tenancy.models import Tenant

from ..models import Shift
from .planning import shift_list, signed_up_count

COMING_WEEK = datetime.timedelta(days=7)


def short_shifts_next_week(*, tenant: Tenant, as_of: datetime.datetime) -> QuerySet[Shift]:
    """Shifts not cancelled starting in the seven days from ``as_of`` with fewer people signed up
    than they need, the soonest first (``signed_up`` annotated)."""
    return (
        shift_list(tenant=tenant)
        .filter(is_cancelled=False, starts_at__gte=as_of, starts_at__lt=as_of + COMING_WEEK)
        .filter(headcount__gt=signed_up_count())
        .order_by("starts_at", "pk")
    )
