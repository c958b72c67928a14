"""The patrols' sections of the officer's desk (core.registry.desk_sections): flagged check-ins
to review, and shifts short of people in the next 48 hours."""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from jointdefense.tenancy.models import Tenant

from ..models import CheckIn, Shift
from .field import review_queue
from .planning import shift_list, signed_up_count

SHORT_SHIFT_HOURS = 48


def flagged_check_ins(*, tenant: Tenant) -> QuerySet[CheckIn]:
    """Flagged check-ins waiting for an officer, the oldest first (the review queue)."""
    return review_queue(tenant=tenant)


def short_shifts(*, tenant: Tenant, now: datetime.datetime | None = None) -> QuerySet[Shift]:
    """Shifts not cancelled that start from ``now`` to 48 hours later (the end excluded) with
    fewer people signed up than they need, the soonest first (one query; ``signed_up`` annotated)."""
    now = now or timezone.now()
    return (
        shift_list(tenant=tenant)
        .filter(
            is_cancelled=False,
            starts_at__gte=now,
            starts_at__lt=now + datetime.timedelta(hours=SHORT_SHIFT_HOURS),
        )
        .filter(headcount__gt=signed_up_count())
        .order_by("starts_at", "pk")
    )
