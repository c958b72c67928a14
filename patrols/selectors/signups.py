"""Reads of shift sign-ups: the volunteers' shift board, a shift's roster, the sign-ups one may
see. A fixed number of queries, whatever the number of rows."""

import datetime
import zoneinfo
from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from jointdefense.tenancy.models import Tenant
from teams.models import Volunteer

from ..models import Shift, Signup
from .planning import shift_list


def shift_board(*, tenant: Tenant, volunteer: Volunteer, days: int = 14) -> QuerySet[Shift]:
    """Upcoming shifts a volunteer can join (places left) or is on (``mine``), soonest first."""
    now = timezone.now()
    mine = Signup.objects.filter(
        tenant=tenant, shift=OuterRef("pk"), volunteer=volunteer, withdrawn_at__isnull=True
    )
    return (
        shift_list(tenant=tenant)
        .filter(
            ends_at__gt=now,
            starts_at__lt=now + datetime.timedelta(days=days),
            is_cancelled=False,
            route__is_active=True,
        )
        .annotate(mine=Exists(mine))
        .filter(Q(mine=True) | Q(signed_up__lt=F("headcount"), starts_at__gt=now))
        .order_by("starts_at", "route__name")
    )


def mark_clashes(shifts: Iterable[Any], *, tz: zoneinfo.ZoneInfo) -> None:
    """Mark each shift of a board page with its local times and ``.clashes``: not one of the
    volunteer's (``.mine``) but overlapping one that is."""
    mine = [(s.starts_at, s.ends_at) for s in shifts if s.mine]
    for shift in shifts:
        shift.local_start = shift.starts_at.astimezone(tz)
        shift.local_end = shift.ends_at.astimezone(tz)
        shift.clashes = not shift.mine and any(a < shift.ends_at and b > shift.starts_at for a, b in mine)


def shift_roster(*, shift: Shift) -> QuerySet[Signup]:
    return (
        Signup.objects.filter(tenant=shift.tenant_id, shift=shift)
        .select_related("volunteer")
        .order_by("withdrawn_at", "volunteer__full_name")
    )


def signups_with_volunteer(*, tenant: Tenant, ids: Iterable[int]) -> QuerySet[Signup]:
    """The sign-ups ``ids`` of the station, with their volunteers (one query)."""
    return Signup.objects.filter(tenant=tenant, pk__in=list(ids)).select_related("volunteer")


def signups_visible(
    *, tenant: Tenant, volunteer: Volunteer | None = None, everyone: bool = False
) -> QuerySet[Signup]:
    """The station's sign-ups, newest first: all of them when ``everyone``, else ``volunteer``'s own
    (none without a volunteer)."""
    qs = Signup.objects.filter(tenant=tenant).select_related("volunteer").order_by("-created_at", "pk")
    if everyone:
        return qs
    return qs.filter(volunteer=volunteer) if volunteer else qs.none()


def active_signups(shift: Shift) -> int:
    """How many are on the shift (sign-ups not withdrawn); one query. The services that change
    them read it under the shift's row lock, so the places they bump are exact."""
    return Signup.objects.filter(tenant=shift.tenant_id, shift=shift, withdrawn_at__isnull=True).count()
