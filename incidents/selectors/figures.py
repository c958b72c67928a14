"""The incidents app's dashboard figures (``core.registry.figures``, registered in ``figures.py``):
one selector each, for one station and period.

Each figure reads the app's rollups (``selectors/rollups.py``: one query over a year's few
thousand ``core.DailyCount`` rows, however many reports the station has); its ``*_raw`` twin is the
same figure by plain aggregates over the rows themselves, which the tests hold equal to it and
``make bench`` times against it. Durations are read from histograms of minutes
(``core.rollups.minutes_bucket``: to the minute under two hours, five minutes under a day, the
hour under thirty days), and their raw twins put each duration in the same bucket first, so both
give the same percentile.

"In the period" means ``[period.start, period.end)``, the station's local midnights. Each figure's
list (``incidents:triage``, ``incidents:mediation-list``) reads the same ``start``/``end`` days.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    Aggregate,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django_scopes import scopes_disabled

from jointdefense.core import rollups
from jointdefense.core.periods import Period
from jointdefense.tenancy.models import Tenant

from ..models import Category, Mediation, Report, ReportEvent, ReturnVisit
from . import rollups as r

S = Report.Status
DONE = (S.RESOLVED, S.CLOSED)
ESCALATED = (ReturnVisit.Level.CHIEF, ReturnVisit.Level.BUREAU)
SETTLED = tuple(str(status) for status in Mediation.SETTLED_STATUSES)


class Percentile(Aggregate):
    """``percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)``: PostgreSQL's percentile."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        super().__init__(expression, fraction=float(fraction), **extra)


class BucketedMinutes(Func):
    """The minutes of an interval, in their ``core.rollups.minutes_bucket`` (never negative)."""

    template = (
        "(SELECT CASE WHEN m < 120 THEN floor(m) WHEN m < 1440 THEN floor(m / 5) * 5"
        " WHEN m < 43200 THEN floor(m / 60) * 60 ELSE floor(m / 1440) * 1440 END"
        " FROM (SELECT greatest(0, EXTRACT(EPOCH FROM %(expressions)s) / 60.0) AS m) AS minutes)"
    )
    output_field = FloatField()


def _in(period: Period, field: str) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lt": period.end})


def received(tenant: Tenant) -> QuerySet[Report]:
    return Report.objects.filter(tenant=tenant)


def _share(part: int, whole: int) -> Decimal | None:
    return Decimal(100 * part) / Decimal(whole) if whole else None


# ---- reports received --------------------------------------------------------------------------------


def reports_received(tenant: Tenant, period: Period, status: str | None = None) -> int:
    """Reports received in the period (of one status, now, when given)."""
    if status:
        return rollups.counted(tenant, r.RECEIVED, period, dimension_suffix=f":{status}")
    return rollups.counted(tenant, r.RECEIVED, period)


def reports_received_raw(tenant: Tenant, period: Period, status: str | None = None) -> int:
    qs = received(tenant).filter(_in(period, "created_at"))
    if status:
        qs = qs.filter(status=status)
    return qs.count()


def reports_received_weekly(tenant: Tenant, period: Period) -> dict[datetime.date, int]:
    """Reports received in each week of the period: ``{monday: count}`` (one query)."""
    return {monday: int(n) for monday, n in rollups.weekly(tenant, r.RECEIVED, period).items()}


def category_of(tenant: Tenant, slug: str) -> Category | None:
    """The station's category ``slug`` (inside a ``rollups.prefetched`` block, the categories of
    all its stations are read once, in one query, for all the figures that name one)."""

    def compute_many(ids: list[int], periods: list[Any]) -> list[dict[int, dict[str, Category]]]:
        found: dict[int, dict[str, Category]] = {tenant_id: {} for tenant_id in ids}
        with scopes_disabled():  # the block's stations, which its caller may read
            for category in Category.objects.filter(tenant_id__in=ids).only(
                "pk", "tenant_id", "kind", "slug"
            ):
                found[category.tenant_id][category.slug] = category
        return [found for _period in periods]

    categories = rollups.shared_many("incidents.categories", tenant, None, compute_many)
    return categories.get(slug)


def reports_in_category(tenant: Tenant, period: Period, slug: str) -> int:
    """Reports of the station's category ``slug`` received in the period."""
    category = category_of(tenant, slug)
    if category is None:
        return 0
    return rollups.counted(tenant, r.RECEIVED, period, dimension_prefix=f"{category.kind}:{category.pk}:")


def reports_in_category_raw(tenant: Tenant, period: Period, slug: str) -> int:
    return received(tenant).filter(_in(period, "created_at"), category__slug=slug).count()


# ---- hazards and clues -------------------------------------------------------------------------------


def hazards_removed(tenant: Tenant, period: Period) -> int:
    """Hazard reports whose last resolution falls in the period, resolved or closed still."""
    return rollups.counted(tenant, r.RESOLVED, period, dimension=Category.Kind.HAZARD)


def hazards_removed_weekly(tenant: Tenant, period: Period) -> dict[datetime.date, int]:
    weeks = rollups.weekly(tenant, r.RESOLVED, period, dimension=Category.Kind.HAZARD)
    return {monday: int(n) for monday, n in weeks.items()}


def last_resolutions(tenant: Any) -> QuerySet[Any, Any]:
    """When the outer report was last resolved (a subquery of one value)."""
    return (
        ReportEvent.objects.filter(
            tenant=tenant,
            report=OuterRef("pk"),
            kind=ReportEvent.Kind.STATUS,
            to_status=Report.Status.RESOLVED,
        )
        .order_by()
        .values("report")
        .annotate(at=Max("created_at"))
        .values("at")
    )


def hazards_removed_raw(tenant: Tenant, period: Period) -> int:
    return (
        received(tenant)
        .filter(category__kind=Category.Kind.HAZARD, status__in=DONE)
        .annotate(resolved_at=Subquery(last_resolutions(tenant), output_field=DateTimeField()))
        .filter(_in(period, "resolved_at"))
        .count()
    )


def clues_provided(tenant: Tenant, period: Period) -> int:
    """Reports of a clue category received in the period."""
    return rollups.counted(tenant, r.RECEIVED, period, dimension_prefix=f"{Category.Kind.CLUE}:")


def clues_provided_raw(tenant: Tenant, period: Period) -> int:
    return received(tenant).filter(_in(period, "created_at"), category__kind=Category.Kind.CLUE).count()


def clues_valuable(tenant: Tenant, period: Period) -> int:
    """Of the clues received in the period, those an officer marked valuable or case-solving."""
    return rollups.counted(tenant, r.CLUES, period, dimension_prefix=f"{Category.Kind.CLUE}:")


def clues_valuable_weekly(tenant: Tenant, period: Period) -> dict[datetime.date, int]:
    weeks = rollups.weekly(tenant, r.CLUES, period, dimension_prefix=f"{Category.Kind.CLUE}:")
    return {monday: int(n) for monday, n in weeks.items()}


def clues_valuable_raw(tenant: Tenant, period: Period) -> int:
    return (
        received(tenant)
        .filter(_in(period, "created_at"), category__kind=Category.Kind.CLUE)
        .exclude(clue_value="")
        .count()
    )


def cases_assisted(tenant: Tenant, period: Period) -> int:
    """Reports received in the period that an officer marked as having helped solve a case."""
    return rollups.counted(tenant, r.CLUES, period, dimension_suffix=":case")


def cases_assisted_raw(tenant: Tenant, period: Period) -> int:
    return received(tenant).filter(_in(period, "created_at"), clue_value="case").count()


# ---- times to triage and to resolve ------------------------------------------------------------------


def triage_minutes(tenant: Tenant, period: Period, fraction: float = 0.5) -> float | None:
    """Of the reports received in the period and triaged since, the median (or another
    percentile) of the minutes from the report to its first status change out of "new"."""
    return rollups.percentile(tenant, r.TRIAGE_MINUTES, period, fraction)


def resolve_minutes(tenant: Tenant, period: Period, fraction: float = 0.5) -> float | None:
    """Of the reports received in the period and resolved since, the median (or another
    percentile) of the minutes from the report to its first resolution."""
    return rollups.percentile(tenant, r.RESOLVE_MINUTES, period, fraction)


def _first_event(tenant: Tenant, **which: Any) -> QuerySet[Any, Any]:
    return (
        ReportEvent.objects.filter(
            tenant=tenant, report=OuterRef("pk"), kind=ReportEvent.Kind.STATUS, **which
        )
        .order_by()
        .values("report")
        .annotate(at=Min("created_at"))
        .values("at")
    )


def _minutes_raw(tenant: Tenant, period: Period, fraction: float, **which: Any) -> float | None:
    value: float | None = (
        received(tenant)
        .filter(_in(period, "created_at"))
        .annotate(at=Subquery(_first_event(tenant, **which), output_field=DateTimeField()))
        .filter(at__isnull=False)
        .aggregate(
            p=Percentile(
                BucketedMinutes(ExpressionWrapper(F("at") - F("created_at"), output_field=DurationField())),
                fraction,
            )
        )["p"]
    )
    return value


def triage_minutes_raw(tenant: Tenant, period: Period, fraction: float = 0.5) -> float | None:
    return _minutes_raw(tenant, period, fraction, from_status=Report.Status.NEW)


def resolve_minutes_raw(tenant: Tenant, period: Period, fraction: float = 0.5) -> float | None:
    return _minutes_raw(tenant, period, fraction, to_status=Report.Status.RESOLVED)


# ---- mediations --------------------------------------------------------------------------------------


def disputes_mediated(tenant: Tenant, period: Period) -> int:
    """Mediations opened in the period."""
    return rollups.counted(tenant, r.MEDIATIONS, period, dimension="opened")


def disputes_mediated_raw(tenant: Tenant, period: Period) -> int:
    return Mediation.objects.filter(_in(period, "opened_at"), tenant=tenant).count()


def disputes_settled(tenant: Tenant, period: Period) -> int:
    """Mediations settled (fully or partly) with the outcome recorded in the period."""
    return rollups.counted(tenant, r.MEDIATIONS, period, dimensions=SETTLED)


def disputes_settled_weekly(tenant: Tenant, period: Period) -> dict[datetime.date, int]:
    weeks = rollups.weekly(tenant, r.MEDIATIONS, period, dimensions=SETTLED)
    return {monday: int(n) for monday, n in weeks.items()}


def disputes_settled_raw(tenant: Tenant, period: Period) -> int:
    return Mediation.objects.filter(
        _in(period, "closed_at"), tenant=tenant, status__in=Mediation.SETTLED_STATUSES
    ).count()


# ---- return visits and the residents' satisfaction -----------------------------------------------------


def _open_and_past_due(tenant: Tenant, period: Period, now: datetime.datetime) -> int:
    """Visits due in the period, not made, past due now. The series counts the visits not made by
    their due day (``open``): those due before today are all past due; of today's, a query of the
    few due before ``now`` (on the ``(tenant, visited_at, due_at)`` index)."""
    if now >= period.end:
        return rollups.counted(tenant, r.VISITS, period, dimension="open")
    if now <= period.start:
        return 0
    today = timezone.localdate(now, timezone=tenant.zoneinfo)
    earlier = 0
    if today > period.first_day:
        days = Period("custom", period.first_day, today - datetime.timedelta(days=1), tenant.zoneinfo)
        earlier = rollups.counted(tenant, r.VISITS, days, dimension="open")
    today_start = max(period.start, Period("custom", today, today, tenant.zoneinfo).start)
    return (
        earlier
        + ReturnVisit.objects.filter(
            tenant=tenant, visited_at__isnull=True, due_at__gte=today_start, due_at__lt=now
        ).count()
    )


def return_visits_due(tenant: Tenant, period: Period) -> int:
    """Return visits due in the period (made or not)."""
    return rollups.counted(tenant, r.VISITS, period)


def return_visits_on_time(tenant: Tenant, period: Period) -> int:
    """Of the visits due in the period, those made by their due date."""
    return rollups.counted(tenant, r.VISITS, period, dimension="on_time")


def return_visits_on_time_weekly(tenant: Tenant, period: Period) -> dict[datetime.date, int]:
    weeks = rollups.weekly(tenant, r.VISITS, period, dimension="on_time")
    return {monday: int(n) for monday, n in weeks.items()}


def return_visits_late(tenant: Tenant, period: Period, now: datetime.datetime | None = None) -> int:
    """Of the visits due in the period, those made after their due date, or not made and past it."""
    made_late = rollups.counted(tenant, r.VISITS, period, dimension="late")
    return made_late + _open_and_past_due(tenant, period, now or timezone.now())


def return_visits_raw(tenant: Tenant, period: Period, now: datetime.datetime | None = None) -> dict[str, int]:
    """Return visits due in the period: all, made by their deadline, late (made after it, or not
    made and past it), in one query over the rows."""
    now = now or timezone.now()
    on_time = Q(visited_at__isnull=False, visited_at__lte=F("due_at"))
    late = Q(visited_at__gt=F("due_at")) | Q(visited_at__isnull=True, due_at__lt=now)
    return ReturnVisit.objects.filter(_in(period, "due_at"), tenant=tenant).aggregate(
        due=Count("pk"), on_time=Count("pk", filter=on_time), late=Count("pk", filter=late)
    )


def return_visits_due_raw(tenant: Tenant, period: Period) -> int:
    return return_visits_raw(tenant, period)["due"]


def return_visits_on_time_raw(tenant: Tenant, period: Period) -> int:
    return return_visits_raw(tenant, period)["on_time"]


def return_visits_late_raw(tenant: Tenant, period: Period) -> int:
    return return_visits_raw(tenant, period)["late"]


def _ratings(tenant: Tenant, period: Period, levels: tuple[str, ...]) -> Decimal | None:
    counts = rollups.by_dimension(tenant, r.RATINGS, period)
    rated = sum(n for dim, (n, _total) in counts.items() if dim.split(":")[0] in levels)
    satisfied = sum(counts.get(f"{level}:{ReturnVisit.Rating.SATISFIED}", (0, 0))[0] for level in levels)
    return _share(satisfied, rated)


def _ratings_raw(tenant: Tenant, period: Period, levels: tuple[str, ...]) -> Decimal | None:
    counts = ReturnVisit.objects.filter(_in(period, "rated_at"), tenant=tenant, level__in=levels).aggregate(
        rated=Count("pk"), satisfied=Count("pk", filter=Q(rating=ReturnVisit.Rating.SATISFIED))
    )
    return _share(counts["satisfied"], counts["rated"])


def satisfaction_first_visit(tenant: Tenant, period: Period) -> Decimal | None:
    """Of the residents who rated their first return visit in the period, the share satisfied at
    it (percent); None when nobody rated."""
    return _ratings(tenant, period, (ReturnVisit.Level.OFFICER,))


def satisfaction_first_visit_raw(tenant: Tenant, period: Period) -> Decimal | None:
    return _ratings_raw(tenant, period, (ReturnVisit.Level.OFFICER,))


def satisfaction_after_escalation(tenant: Tenant, period: Period) -> Decimal | None:
    """Of the ratings in the period of a visit one level up (the chief's, the bureau's), the share
    satisfied (percent). A bureau visit rated "not satisfied" is made again, its rating cleared: it
    counts when the resident rates the next one."""
    return _ratings(tenant, period, ESCALATED)


def satisfaction_after_escalation_raw(tenant: Tenant, period: Period) -> Decimal | None:
    return _ratings_raw(tenant, period, ESCALATED)


def never_satisfied(tenant: Tenant, period: Period) -> int:
    """Residents still not satisfied after the station chief's visit: cases escalated to the
    bureau (its visit opened) in the period."""
    return rollups.counted(tenant, r.ESCALATIONS, period, dimension=ReturnVisit.Level.BUREAU)


def never_satisfied_raw(tenant: Tenant, period: Period) -> int:
    return ReturnVisit.objects.filter(
        _in(period, "created_at"), tenant=tenant, level=ReturnVisit.Level.BUREAU
    ).count()
