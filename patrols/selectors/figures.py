"""The patrols app's dashboard figures (``core.registry.figures``, registered in ``apps.py``): one
aggregate query each over a station and period (``core.periods.Period``)."""

from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least

from jointdefense.core.periods import Period
from jointdefense.tenancy.models import Tenant

from ..models import CheckIn, Patrol, Shift, Signup
from .hours import counted_q


class EpochHours(Func):
    template = "(EXTRACT(EPOCH FROM %(expressions)s) / 3600.0)"
    output_field = DecimalField()


def patrols_walked(tenant: Tenant, period: Period) -> int:
    """Patrols started in the period (the patrols walked list, ``patrols:patrol-list``)."""
    return Patrol.objects.filter(
        tenant=tenant, started_at__gte=period.start, started_at__lt=period.end
    ).count()


def patrol_hours(tenant: Tenant, period: Period) -> Decimal:
    """Hours of the patrols started in the period, as ``selectors.hours`` derives them (first to
    last counted check-in, within the shift's hours), summed by the database."""
    span = CheckIn.objects.filter(counted_q(), tenant=tenant, patrol=OuterRef("pk")).values("patrol")
    first = Subquery(span.annotate(at=Min("device_time")).values("at"))
    last = Subquery(span.annotate(at=Max("device_time")).values("at"))
    # PostgreSQL's LEAST and GREATEST skip NULLs: a patrol without a shift is not capped
    hours = Greatest(
        EpochHours(Least(last, F("shift__ends_at")) - Greatest(first, F("shift__starts_at"))),
        Value(Decimal(0)),
    )
    # only patrols with a counted check-in: for the others LEAST/GREATEST would give the shift's hours
    total = Patrol.objects.filter(
        Exists(span), tenant=tenant, started_at__gte=period.start, started_at__lt=period.end
    ).aggregate(hours=Coalesce(Sum(hours), Value(Decimal(0)), output_field=DecimalField()))["hours"]
    return Decimal(total)


def shift_coverage(tenant: Tenant, period: Period) -> Decimal | None:
    """Of the places needed on the shifts starting in the period (not cancelled), the share filled
    by people signed up (percent; a shift's extra people fill no other shift's places)."""
    people = (
        Signup.objects.filter(tenant=tenant, shift=OuterRef("pk"), withdrawn_at__isnull=True)
        .values("shift")
        .annotate(n=Count("pk"))
        .values("n")
    )
    counts = Shift.objects.filter(
        tenant=tenant, is_cancelled=False, starts_at__gte=period.start, starts_at__lt=period.end
    ).aggregate(
        needed=Sum("headcount"),
        filled=Sum(
            Least(
                Coalesce(Subquery(people, output_field=IntegerField()), 0),
                F("headcount"),
                output_field=IntegerField(),
            )
        ),
    )
    if not counts["needed"]:
        return None
    return Decimal(100 * counts["filled"]) / Decimal(counts["needed"])
