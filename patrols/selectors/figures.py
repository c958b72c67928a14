"""The patrols app's dashboard figures (``core.registry.figures``, registered in ``apps.py``): one
selector each over a station and period (``core.periods.Period``). The flows (patrols walked,
patrol hours, check-ins) read the rollups the services keep (``selectors.rollups``), one query
each; each has its plain aggregate over the rows (``*_raw``, the figure's ``raw``) for the tests
and the bench. Shift coverage and checkpoint compliance are aggregates over indexed columns."""

import datetime
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Least

from jointdefense.core import rollups
from jointdefense.core.periods import Period
from jointdefense.tenancy.models import Tenant

from ..models import CheckIn, Checkpoint, Patrol, Shift, Signup
from .hours import counted_q
from .rollups import CHECK_INS, HOURS, WALKED, patrol_hours_expression

# a check-in an officer had to look at: flagged when it came, whatever they decided since
WAS_FLAGGED = (CheckIn.Review.FLAGGED, CheckIn.Review.CLEARED, CheckIn.Review.REJECTED)


def _started(tenant: Tenant, period: Period) -> Q:
    return Q(tenant=tenant, started_at__gte=period.start, started_at__lt=period.end)


def patrols_walked(tenant: Tenant, period: Period) -> int:
    """Patrols started in the period (the patrols walked list, ``patrols:patrol-list``)."""
    return rollups.counted(tenant, WALKED, period)


def patrols_walked_raw(tenant: Tenant, period: Period) -> int:
    return Patrol.objects.filter(_started(tenant, period)).count()


def patrol_hours(tenant: Tenant, period: Period) -> Decimal:
    """Hours of the patrols started in the period, as ``selectors.hours`` derives them (first to
    last counted check-in, within the shift's hours)."""
    return rollups.summed(tenant, HOURS, period)[1]


def patrol_hours_raw(tenant: Tenant, period: Period) -> Decimal:
    total = Patrol.objects.filter(_started(tenant, period)).aggregate(
        hours=Coalesce(Sum(patrol_hours_expression(tenant)), Value(Decimal(0)), output_field=DecimalField())
    )["hours"]
    return Decimal(total)


def patrol_hours_weekly(tenant: Tenant, period: Period) -> dict[datetime.date, Decimal]:
    return {week: Decimal(v) for week, v in rollups.weekly(tenant, HOURS, period, value="total").items()}


def check_ins_made(tenant: Tenant, period: Period) -> int:
    """Check-ins of the patrols started in the period, in order or not (the check-in review list
    with every review, ``patrols:review-queue``)."""
    return rollups.counted(tenant, CHECK_INS, period)


def check_ins_made_raw(tenant: Tenant, period: Period) -> int:
    return CheckIn.objects.filter(
        tenant=tenant, patrol__started_at__gte=period.start, patrol__started_at__lt=period.end
    ).count()


def check_ins_weekly(tenant: Tenant, period: Period) -> dict[datetime.date, int]:
    return {week: int(v) for week, v in rollups.weekly(tenant, CHECK_INS, period).items()}


def _share(part: int, whole: int | None) -> Decimal | None:
    return None if not whole else Decimal(100 * part) / Decimal(whole)


def check_ins_flagged_share(tenant: Tenant, period: Period) -> Decimal | None:
    """Of those check-ins, the share (percent) flagged when they came (waiting, cleared or
    rejected since)."""
    counts = rollups.by_dimension(tenant, CHECK_INS, period)
    flagged = sum(counts.get(review, (0, 0))[0] for review in WAS_FLAGGED)
    return _share(flagged, sum(count for count, _total in counts.values()))


def check_ins_flagged_share_raw(tenant: Tenant, period: Period) -> Decimal | None:
    counts = CheckIn.objects.filter(
        tenant=tenant, patrol__started_at__gte=period.start, patrol__started_at__lt=period.end
    ).aggregate(all=Count("pk"), flagged=Count("pk", filter=Q(review__in=WAS_FLAGGED)))
    return _share(counts["flagged"], counts["all"])


def checkpoint_compliance(tenant: Tenant, period: Period) -> Decimal | None:
    """Check-ins made of checkpoints planned: of the checkpoints in use on the routes of the
    patrols started in the period (one per checkpoint and patrol), the share (percent) the patrol
    checked in at with a counted check-in. One aggregate query."""
    planned = (
        Checkpoint.objects.filter(tenant=tenant, route=OuterRef("route_id"), is_active=True)
        .values("route")
        .annotate(n=Count("pk"))
        .values("n")
    )
    made = (
        CheckIn.objects.filter(
            counted_q(),
            tenant=tenant,
            patrol=OuterRef("pk"),
            checkpoint__route=OuterRef("route_id"),
            checkpoint__is_active=True,
        )
        .values("patrol")
        .annotate(n=Count("checkpoint", distinct=True))
        .values("n")
    )
    counts = Patrol.objects.filter(_started(tenant, period)).aggregate(
        planned=Sum(Coalesce(Subquery(planned, output_field=IntegerField()), 0)),
        made=Sum(Coalesce(Subquery(made, output_field=IntegerField()), 0)),
    )
    return _share(counts["made"] or 0, counts["planned"])


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
