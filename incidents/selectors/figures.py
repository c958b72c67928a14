"""The incidents app's dashboard figures (``core.registry.figures``, registered in ``apps.py``):
one selector each, one aggregate query over indexed columns, for one station and period.

"In the period" means ``[period.start, period.end)``, the station's local midnights. Each figure's
list (``incidents:triage``, ``incidents:mediation-list``) reads the same ``start``/``end`` days.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    Aggregate,
    Count,
    DateField,
    Exists,
    F,
    FloatField,
    Func,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncWeek
from django.utils import timezone

from jointdefense.core.periods import Period
from jointdefense.tenancy.models import Tenant

from ..models import Category, Mediation, Report, ReportEvent, ReturnVisit

DONE = (Report.Status.RESOLVED, Report.Status.CLOSED)


class Percentile(Aggregate):
    """``percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)``: PostgreSQL's percentile."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        super().__init__(expression, fraction=float(fraction), **extra)


class EpochMinutes(Func):
    template = "(EXTRACT(EPOCH FROM %(expressions)s) / 60.0)"
    output_field = FloatField()


def _in(period: Period, field: str) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lt": period.end})


def received(tenant: Tenant) -> QuerySet[Report]:
    return Report.objects.filter(tenant=tenant)


def reports_received(tenant: Tenant, period: Period, status: str | None = None) -> int:
    """Reports received in the period (of one status, now, when given)."""
    qs = received(tenant).filter(_in(period, "created_at"))
    if status:
        qs = qs.filter(status=status)
    return qs.count()


def reports_received_weekly(tenant: Tenant, period: Period) -> dict[datetime.date, int]:
    """Reports received in the period, week by week: ``{monday: count}`` for each week with any, in
    one GROUP BY on the Monday of the report's day in the station's time zone (a week that crosses a
    daylight-saving change is still Monday to Sunday, local)."""
    rows = (
        received(tenant)
        .filter(_in(period, "created_at"))
        .annotate(week=TruncWeek("created_at", tzinfo=period.tz, output_field=DateField()))
        .values("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
    )
    return dict(rows.order_by())


def resolving_events(tenant: Tenant, period: Period) -> QuerySet[ReportEvent]:
    return ReportEvent.objects.filter(
        _in(period, "created_at"),
        tenant=tenant,
        report=OuterRef("pk"),
        kind=ReportEvent.Kind.STATUS,
        to_status__in=DONE,
    )


def hazards_removed(tenant: Tenant, period: Period) -> int:
    """Hazard reports resolved or closed in the period, and still so."""
    return (
        received(tenant)
        .filter(category__kind=Category.Kind.HAZARD, status__in=DONE)
        .filter(Exists(resolving_events(tenant, period)))
        .count()
    )


def clues_provided(tenant: Tenant, period: Period) -> int:
    """Reports of a clue category received in the period."""
    return received(tenant).filter(_in(period, "created_at"), category__kind=Category.Kind.CLUE).count()


def clues_valuable(tenant: Tenant, period: Period) -> int:
    """Of the clues received in the period, those an officer marked valuable or case-solving."""
    return (
        received(tenant)
        .filter(_in(period, "created_at"), category__kind=Category.Kind.CLUE)
        .exclude(clue_value="")
        .count()
    )


def disputes_mediated(tenant: Tenant, period: Period) -> int:
    """Mediations opened in the period."""
    return Mediation.objects.filter(_in(period, "opened_at"), tenant=tenant).count()


def disputes_settled(tenant: Tenant, period: Period) -> int:
    """Mediations settled (fully or partly) with the outcome recorded in the period."""
    return Mediation.objects.filter(
        _in(period, "closed_at"), tenant=tenant, status__in=Mediation.SETTLED_STATUSES
    ).count()


def return_visits(tenant: Tenant, period: Period, now: datetime.datetime | None = None) -> dict[str, int]:
    """Return visits due in the period: all, made by their deadline, late (made after it, or not
    made and past it), in one query."""
    now = now or timezone.now()
    on_time = Q(visited_at__isnull=False, visited_at__lte=F("due_at"))
    late = Q(visited_at__gt=F("due_at")) | Q(visited_at__isnull=True, due_at__lt=now)
    return ReturnVisit.objects.filter(_in(period, "due_at"), tenant=tenant).aggregate(
        due=Count("pk"), on_time=Count("pk", filter=on_time), late=Count("pk", filter=late)
    )


def return_visits_due(tenant: Tenant, period: Period) -> int:
    return return_visits(tenant, period)["due"]


def return_visits_on_time(tenant: Tenant, period: Period) -> int:
    return return_visits(tenant, period)["on_time"]


def return_visits_late(tenant: Tenant, period: Period) -> int:
    return return_visits(tenant, period)["late"]


def satisfaction_first_visit(tenant: Tenant, period: Period) -> Decimal | None:
    """Of the residents who rated their first return visit in the period, the share satisfied at
    it (percent); None when nobody rated."""
    counts = ReturnVisit.objects.filter(
        _in(period, "rated_at"), tenant=tenant, level=ReturnVisit.Level.OFFICER
    ).aggregate(rated=Count("pk"), satisfied=Count("pk", filter=Q(rating=ReturnVisit.Rating.SATISFIED)))
    if not counts["rated"]:
        return None
    return Decimal(100 * counts["satisfied"]) / Decimal(counts["rated"])


def triage_minutes(tenant: Tenant, period: Period, fraction: float = 0.5) -> float | None:
    """Of the reports received in the period and triaged since, the median (or another
    percentile) of the minutes from the report to its first status change out of "new"."""
    first_change = (
        ReportEvent.objects.filter(
            tenant=tenant, report=OuterRef("pk"), kind=ReportEvent.Kind.STATUS, from_status=Report.Status.NEW
        )
        .values("report")
        .annotate(at=Min("created_at"))
        .values("at")
    )
    value: float | None = (
        received(tenant)
        .filter(_in(period, "created_at"))
        .annotate(triaged_at=Subquery(first_change))
        .filter(triaged_at__isnull=False)
        .aggregate(p=Percentile(EpochMinutes(F("triaged_at") - F("created_at")), fraction))["p"]
    )
    return value
