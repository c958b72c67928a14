"""The patrols' section of the weekly station summary (core.registry.summary_sections): shifts of
the coming week short of people (as the desk's short shifts, over seven days instead of 48 hours).
One query over a batch of stations, counted and cut for each by the summary."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from jointdefense.tenancy.models import station_ids

from ..models import Shift
from .planning import signed_up_count

COMING_WEEK = datetime.timedelta(days=7)


def short_shifts_next_week(*, stations: Iterable[Any], as_of: datetime.datetime) -> QuerySet[Shift]:
    """The stations' (stations or ids) shifts not cancelled starting in the seven days from
    ``as_of`` with fewer people signed up than they need, the soonest first (``signed_up``
    annotated)."""
    return (
        Shift.objects.filter(tenant_id__in=station_ids(stations))
        .select_related("route", "team")
        .annotate(signed_up=signed_up_count())
        .filter(is_cancelled=False, starts_at__gte=as_of, starts_at__lt=as_of + COMING_WEEK)
        .filter(headcount__gt=signed_up_count())
        .order_by("starts_at", "pk")
    )
