"""The patrols app's dashboard figures (``core.registry.figures``, registered in ``apps.py``): one
selector each over a station and period (``core.periods.Period``). Every figure reads the rollups
the services keep (``selectors.rollups``), one query each, and has its plain aggregate over the
rows (``*_raw``, the figure's ``raw``) for the tests and the bench; the two share the expressions
of what counts (a patrol's hours, the checkpoints it made, a shift's places filled)."""

import datetime
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from jointdefense.core import rollups
from jointdefense.core.periods import Period
from jointdefense.tenancy.models import Tenant

from ..models import CheckIn, Patrol, Shift
from .rollups import (
    CHECK_INS,
    CHECKPOINTS,
    FILLED,
    HOURS,
    MADE,
    NEEDED,
    PLANNED,
    SHIFT_PLACES,
    WALKED,
    checkpoints_made_expression,
    patrol_hours_expression,
    places_filled_expression,
)

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
    """Check-ins made of checkpoints planned: of the checkpoints planned for the patrols started in
    the period (each patrol's own, kept from its start), the share (percent) the patrol checked in
    at with a counted check-in, each checkpoint once. One query over the rollups."""
    counts = rollups.by_dimension(tenant, CHECKPOINTS, period)
    return _share(counts.get(MADE, (0, 0))[0], counts.get(PLANNED, (0, 0))[0])


def checkpoint_compliance_raw(tenant: Tenant, period: Period) -> Decimal | None:
    counts = Patrol.objects.filter(_started(tenant, period)).aggregate(
        planned=Sum("checkpoints_planned"), made=Sum(checkpoints_made_expression(tenant))
    )
    return _share(counts["made"] or 0, counts["planned"])


def shift_coverage(tenant: Tenant, period: Period) -> Decimal | None:
    """Of the places needed on the shifts starting in the period (not cancelled), the share filled
    by people signed up (percent; a shift's extra people fill no other shift's places). One query
    over the rollups."""
    counts = rollups.by_dimension(tenant, SHIFT_PLACES, period)
    return _share(counts.get(FILLED, (0, 0))[0], counts.get(NEEDED, (0, 0))[0])


def shift_coverage_raw(tenant: Tenant, period: Period) -> Decimal | None:
    counts = Shift.objects.filter(
        tenant=tenant, is_cancelled=False, starts_at__gte=period.start, starts_at__lt=period.end
    ).aggregate(needed=Sum("headcount"), filled=Sum(places_filled_expression(tenant)))
    return _share(counts["filled"] or 0, counts["needed"])
