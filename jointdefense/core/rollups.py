"""Rollups: the station's counts day by day, kept by the services as they write, so that a year's
figure reads a few hundred rows of :class:`~jointdefense.core.models.DailyCount` instead of a
million reports.

Writing. A service that writes a counted row bumps its series in the same transaction
(``bump(tenant, "incidents.received", report.created_at, dimension=...)``), so a rollback takes the
bump with it; ``move`` shifts a count from one dimension to another (a report changing status).
The day is the station's local day of the moment, the same days the periods (``core.periods``) run
between. Each bump is one ``INSERT … ON CONFLICT DO UPDATE``; the rows of one call are merged and
sorted first, so two writers never wait for each other in opposite orders. Inside a transaction
the station's shared advisory lock (below) is taken by the same statement.

Rebuilding. Each app registers a :class:`~jointdefense.core.registry.RollupSource` per key prefix,
grouping its rows by the database; ``rebuild(tenant)`` (``manage.py rebuild_rollups``) replaces the
station's rollups by what they give. Writers hold a shared advisory lock of the station for their
transaction and a rebuild the exclusive one, so a rebuild never misses or doubles a write.

Reading. ``summed``, ``by_dimension``, ``weekly`` and ``by_station`` are one aggregate query each
over the ``(tenant, key, day, dimension)`` key; ``percentile`` reads a histogram series (its
dimensions are bucket values, ``minutes_bucket``) and interpolates over the buckets, never over rows.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncWeek
from django_scopes import scopes_disabled

from .models import DailyCount
from .registry import rollup_sources

UPSERT_HEAD = "INSERT INTO core_dailycount (tenant_id, key, dimension, day, count, total) VALUES "
# inside a transaction the station's shared lock and the upsert are one statement (one round trip:
# a report's submission pays a single statement for its rollups); the lock's CTE is volatile, so
# PostgreSQL evaluates it once, before the first row is inserted
LOCKED_UPSERT_HEAD = (
    "WITH station_lock AS (SELECT pg_advisory_xact_lock_shared(%s, %s))"
    " INSERT INTO core_dailycount (tenant_id, key, dimension, day, count, total)"
    " SELECT v.tenant_id, v.key, v.dimension, v.day, v.count, v.total FROM station_lock, (VALUES "
)
LOCKED_UPSERT_VALUES_END = ") AS v (tenant_id, key, dimension, day, count, total)"
LOCKED_VALUE = "(%s::integer, %s::varchar, %s::varchar, %s::date, %s::bigint, %s::numeric)"
UPSERT_TAIL = (
    " ON CONFLICT (tenant_id, key, day, dimension) DO UPDATE SET"
    " count = core_dailycount.count + EXCLUDED.count, total = core_dailycount.total + EXCLUDED.total"
)
LOCK_CLASS = 7301  # the advisory lock class of a station's rollups (pg_advisory_xact_lock(class, id))


def local_day(tenant: Any, when: datetime.datetime | datetime.date) -> datetime.date:
    """The station's local day of a moment (a date is taken as it is)."""
    if isinstance(when, datetime.datetime):
        return when.astimezone(tenant.zoneinfo).date()
    return when


@dataclass(frozen=True)
class Bump:
    key: str
    when: datetime.datetime | datetime.date
    count: int = 1
    total: Decimal | int | float = 0
    dimension: str = ""


def bump(
    tenant: Any,
    key: str,
    when: datetime.datetime | datetime.date,
    *,
    count: int = 1,
    total: Decimal | int | float = 0,
    dimension: str = "",
) -> None:
    """Add ``count`` (and ``total``) to the series ``key`` on the station's day of ``when``."""
    bump_all(tenant, [Bump(key, when, count, total, dimension)])


def move(
    tenant: Any,
    key: str,
    when: datetime.datetime | datetime.date,
    *,
    from_dimension: str,
    to_dimension: str,
    total: Decimal | int | float = 0,
) -> None:
    """Move one counted row of the day of ``when`` from one dimension of ``key`` to another."""
    if from_dimension == to_dimension:
        return
    bump_all(
        tenant,
        [
            Bump(key, when, -1, -Decimal(str(total)), from_dimension),
            Bump(key, when, 1, total, to_dimension),
        ],
    )


def _merged(tenant: Any, bumps: Iterable[Bump]) -> list[tuple[str, str, datetime.date, int, Decimal]]:
    merged: dict[tuple[str, str, datetime.date], list[Any]] = {}
    for item in bumps:
        key = (item.key, item.dimension, local_day(tenant, item.when))
        entry = merged.setdefault(key, [0, Decimal(0)])
        entry[0] += item.count
        entry[1] += Decimal(str(item.total))
    return sorted((k, d, day, c, t) for (k, d, day), (c, t) in merged.items() if c or t)


def bump_all(tenant: Any, bumps: Iterable[Bump]) -> None:
    """Apply several bumps in one statement (merged, in a fixed order)."""
    rows = _merged(tenant, bumps)
    if not rows:
        return
    params: list[Any] = []
    for key, dimension, day, count, total in rows:
        params += [tenant.pk, key, dimension, day, count, total]
    # the statements hold placeholders only: every value goes in ``params``
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            values = ", ".join([LOCKED_VALUE] * len(rows))
            sql = LOCKED_UPSERT_HEAD + values + LOCKED_UPSERT_VALUES_END + UPSERT_TAIL
            cursor.execute(sql, [LOCK_CLASS, tenant.pk, *params])
        else:
            values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
            cursor.execute(UPSERT_HEAD + values + UPSERT_TAIL, params)


# ---- rebuilding -------------------------------------------------------------------------------------


def rebuild(tenant: Any, prefixes: Sequence[str] = ()) -> int:
    """Replace the station's rollups (of the sources under ``prefixes``, or all) by what their
    sources compute from the rows; returns the number of rollup rows written."""
    written = 0
    with transaction.atomic(), scopes_disabled():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CLASS, tenant.pk])
        for source in rollup_sources:
            if prefixes and not any(
                source.prefix.startswith(p) or p.startswith(source.prefix) for p in prefixes
            ):
                continue
            DailyCount.objects.filter(tenant=tenant, key__startswith=source.prefix).delete()
            rows = _merged(
                tenant,
                (
                    Bump(key, day, count or 0, total or 0, dimension or "")
                    for key, dimension, day, count, total in source.rows(tenant)
                ),
            )
            DailyCount.objects.bulk_create(
                (
                    DailyCount(tenant=tenant, key=key, dimension=dimension, day=day, count=count, total=total)
                    for key, dimension, day, count, total in rows
                ),
                batch_size=5000,
            )
            written += len(rows)
    return written


# ---- reading ----------------------------------------------------------------------------------------


def _series(
    tenants: Any,
    key: str,
    period: Any,
    *,
    dimension: str | None = None,
    dimensions: Iterable[str] | None = None,
    dimension_prefix: str | None = None,
    dimension_suffix: str | None = None,
) -> QuerySet[DailyCount]:
    """The rows of ``key`` in the period's days, for one station or (a list of ids) several."""
    where = Q(key=key, day__gte=period.first_day, day__lte=period.last_day)
    if isinstance(tenants, list | tuple | set | frozenset):
        where &= Q(tenant_id__in=list(tenants))
    else:
        where &= Q(tenant=tenants)
    if dimension is not None:
        where &= Q(dimension=dimension)
    if dimensions is not None:
        where &= Q(dimension__in=list(dimensions))
    if dimension_prefix is not None:
        where &= Q(dimension__startswith=dimension_prefix)
    if dimension_suffix is not None:
        where &= Q(dimension__endswith=dimension_suffix)
    with scopes_disabled():
        return DailyCount.objects.filter(where).order_by()


def summed(tenant: Any, key: str, period: Any, **filters: Any) -> tuple[int, Decimal]:
    """The count and total of ``key`` over the period (one query)."""
    sums = _series(tenant, key, period, **filters).aggregate(c=Sum("count"), t=Sum("total"))
    return int(sums["c"] or 0), Decimal(sums["t"] or 0)


def counted(tenant: Any, key: str, period: Any, **filters: Any) -> int:
    return summed(tenant, key, period, **filters)[0]


def by_dimension(tenant: Any, key: str, period: Any, **filters: Any) -> dict[str, tuple[int, Decimal]]:
    """``{dimension: (count, total)}`` of ``key`` over the period (one query)."""
    rows = (
        _series(tenant, key, period, **filters)
        .values_list("dimension")
        .annotate(c=Sum("count"), t=Sum("total"))
    )
    return {dim: (int(c or 0), Decimal(t or 0)) for dim, c, t in rows}


def by_station(
    tenant_ids: Iterable[int], key: str, period: Any, **filters: Any
) -> dict[int, tuple[int, Decimal]]:
    """``{station id: (count, total)}`` of ``key`` over the period, for several stations (one query)."""
    rows = (
        _series(list(tenant_ids), key, period, **filters)
        .values_list("tenant_id")
        .annotate(c=Sum("count"), t=Sum("total"))
    )
    return {tenant_id: (int(c or 0), Decimal(t or 0)) for tenant_id, c, t in rows}


def weekly(
    tenant: Any, key: str, period: Any, *, value: str = "count", **filters: Any
) -> dict[datetime.date, int | Decimal]:
    """``{monday: count}`` (or total, ``value="total"``) of ``key`` for each week of the period that
    has rows (one query; the days are already the station's local days)."""
    rows = (
        _series(tenant, key, period, **filters)
        .annotate(week=TruncWeek("day"))
        .values_list("week")
        .annotate(v=Sum(value))
    )
    out: dict[datetime.date, int | Decimal] = {}
    for week, v in rows:
        monday = week.date() if isinstance(week, datetime.datetime) else week
        out[monday] = int(v or 0) if value == "count" else Decimal(v or 0)
    return out


# ---- histograms -------------------------------------------------------------------------------------


def minutes_bucket(minutes: float) -> str:
    """The bucket of a duration in a histogram series: the whole minute under two hours, five
    minutes under a day, the hour under thirty days, the day beyond."""
    minutes = max(0.0, float(minutes))
    for limit, step in ((120, 1), (1440, 5), (43200, 60)):
        if minutes < limit:
            return str(int(minutes // step * step))
    return str(int(minutes // 1440 * 1440))


def percentile_of(buckets: Iterable[tuple[float, int]], fraction: float) -> float | None:
    """Like ``percentile_cont``: the value at ``fraction`` of the sorted values, interpolated
    between its neighbours, where each bucket stands for ``count`` values equal to its own."""
    ordered = sorted((value, count) for value, count in buckets if count > 0)
    n = sum(count for _value, count in ordered)
    if not n:
        return None
    position = fraction * (n - 1)
    low_index, high_index = math.floor(position), math.ceil(position)

    def at(index: int) -> float:
        seen = 0
        for value, count in ordered:
            seen += count
            if index < seen:
                return value
        return ordered[-1][0]

    low, high = at(low_index), at(high_index)
    return low + (high - low) * (position - low_index)


def percentile(tenant: Any, key: str, period: Any, fraction: float, **filters: Any) -> float | None:
    """The ``fraction`` percentile of a histogram series over the period (one query)."""
    counts = by_dimension(tenant, key, period, **filters)
    return percentile_of(((float(dim), count) for dim, (count, _total) in counts.items()), fraction)
