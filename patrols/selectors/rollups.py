"""The patrols app's rollups (``core.rollups``): the series its services bump as they write, the
expressions they share with the plain aggregates (``selectors.figures``), and the rows a rebuild
computes again from the patrols and check-ins (``core.registry.RollupSource("patrols.", rows)``,
registered in ``apps.py``).

Series, each on the station's local day the patrol started (a late check-in, a review weeks later,
counts with its patrol):

* ``patrols.walked``: one per patrol started;
* ``patrols.hours``: total = the patrol's hours (``selectors.hours``: first to last counted
  check-in, within the shift's hours), rounded to 4 places per patrol, moved by each check-in and
  review that changes them;
* ``patrols.check_ins``: one per check-in, dimension = its review (``ok``, ``flagged``,
  ``cleared``, ``rejected``), moved when an officer decides a flagged one.
"""

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    Func,
    Max,
    Min,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Greatest, Least, Round, TruncDate

from jointdefense.tenancy.models import Tenant

from ..models import CheckIn, Patrol
from .hours import counted_q

WALKED = "patrols.walked"
HOURS = "patrols.hours"
CHECK_INS = "patrols.check_ins"
PLACES = 4  # the rollup's total keeps four decimal places: each patrol's hours are rounded to them


class EpochHours(Func):
    template = "(EXTRACT(EPOCH FROM %(expressions)s) / 3600.0)"
    output_field = DecimalField()


def patrol_hours_expression(tenant: Tenant | int | OuterRef) -> Any:
    """The hours of the patrol of the row (``OuterRef("pk")`` = a patrol), as ``selectors.hours``
    derives them, rounded to :data:`PLACES`: zero without two counted check-ins. ``tenant`` may be
    ``OuterRef("tenant")`` for patrols of several stations."""
    span = CheckIn.objects.filter(counted_q(), tenant=tenant, patrol=OuterRef("pk")).values("patrol")
    first = Subquery(span.annotate(at=Min("device_time")).values("at"))
    last = Subquery(span.annotate(at=Max("device_time")).values("at"))
    # PostgreSQL's LEAST and GREATEST skip NULLs: a patrol without a shift is not capped; a patrol
    # without a counted check-in would get the shift's hours from them, hence the CASE
    hours = Greatest(
        EpochHours(Least(last, F("shift__ends_at")) - Greatest(first, F("shift__starts_at"))),
        Value(Decimal(0)),
    )
    return Case(
        When(Exists(span), then=Round(hours, PLACES)),
        default=Value(Decimal(0)),
        output_field=DecimalField(max_digits=20, decimal_places=PLACES),
    )


def patrol_hours_now(patrol: Patrol) -> Decimal:
    """One patrol's hours as the rollups count them (one query): the services bump the
    difference before and after a write."""
    value = (
        Patrol.objects.filter(tenant=patrol.tenant_id, pk=patrol.pk)
        .annotate(h=patrol_hours_expression(patrol.tenant_id))
        .values_list("h", flat=True)
        .first()
    )
    return Decimal(value or 0).quantize(Decimal(1).scaleb(-PLACES))


def rows(tenant: Tenant) -> Iterator[tuple[str, str, Any, int, Decimal]]:
    """``(key, dimension, day, count, total)`` of every ``patrols.`` series, grouped by the
    database by the station's local day of the patrol's start (two queries)."""
    day = TruncDate("started_at", tzinfo=tenant.zoneinfo)
    patrols = (
        Patrol.objects.filter(tenant=tenant)
        .annotate(day=day)
        .values("day")
        .annotate(n=Count("pk"), hours=Sum(patrol_hours_expression(tenant)))
        .order_by()
        .values_list("day", "n", "hours")
    )
    for local_day, n, hours in patrols:
        yield WALKED, "", local_day, n, Decimal(0)
        yield HOURS, "", local_day, 0, Decimal(hours or 0)
    check_ins = (
        CheckIn.objects.filter(tenant=tenant)
        .annotate(day=TruncDate("patrol__started_at", tzinfo=tenant.zoneinfo))
        .values("day", "review")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("day", "review", "n")
    )
    for local_day, review, n in check_ins:
        yield CHECK_INS, review, local_day, n, Decimal(0)
