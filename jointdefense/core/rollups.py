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

Spans. Every bump lands three times, in the same statement: on its day, its week (the Monday)
and its month (the 1st), each a row of ``DailyCount.span``. A period is read as the whole months
inside it, then the whole weeks inside what is left, then single days (``segments``): a year is
twelve month rows per series and dimension, a week one row, and 1 to 10 March 2024 (a Friday to a
Sunday) one week and three days.

Reading. ``summed``, ``by_dimension``, ``weekly`` and ``by_station`` are one aggregate query each
over the ``(tenant, key, span, day, dimension)`` key; ``percentile`` reads a histogram series (its
dimensions are bucket values, ``minutes_bucket``) and interpolates over the buckets, never over rows.
A page that shows many figures reads them all at once: inside ``prefetched(stations, periods)``
(one query: every series and dimension of those stations summed over each period) the same
functions answer from what it read, without a query of their own.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.db import connection, transaction
from django_scopes import scopes_disabled

from .models import DailyCount
from .registry import rollup_sources

UPSERT_HEAD = "INSERT INTO core_dailycount (tenant_id, key, dimension, span, day, count, total) VALUES "
# inside a transaction the station's shared lock and the upsert are one statement (one round trip:
# a report's submission pays a single statement for its rollups); the lock's CTE is volatile, so
# PostgreSQL evaluates it once, before the first row is inserted
LOCKED_UPSERT_HEAD = (
    "WITH station_lock AS (SELECT pg_advisory_xact_lock_shared(%s, %s))"
    " INSERT INTO core_dailycount (tenant_id, key, dimension, span, day, count, total)"
    " SELECT v.tenant_id, v.key, v.dimension, v.span, v.day, v.count, v.total FROM station_lock, (VALUES "
)
LOCKED_UPSERT_VALUES_END = ") AS v (tenant_id, key, dimension, span, day, count, total)"
LOCKED_VALUE = "(%s::integer, %s::varchar, %s::varchar, %s::varchar, %s::date, %s::bigint, %s::numeric)"
UPSERT_TAIL = (
    " ON CONFLICT (tenant_id, key, span, day, dimension) DO UPDATE SET"
    " count = core_dailycount.count + EXCLUDED.count, total = core_dailycount.total + EXCLUDED.total"
)
DAY, WEEK, MONTH, YEAR = (span.value for span in DailyCount.Span)
ALL_SPANS = (YEAR, MONTH, WEEK, DAY)
ONE_DAY = datetime.timedelta(days=1)
T = TypeVar("T")
# a wide series (``<key>.by_<what>``: one dimension per team, volunteer or place) is read on its
# own, for a ranking or a breakdown; ``prefetched`` leaves it out
WIDE_MARK = ".by_"
WIDE_LIKE = "%.by\\_%"
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


def spans_of(day: datetime.date) -> tuple[tuple[str, datetime.date], ...]:
    """The rows a count of ``day`` lands in: the day, its week's Monday, its month's 1st, its
    year's 1 January."""
    return (
        (DAY, day),
        (WEEK, day - datetime.timedelta(days=day.weekday())),
        (MONTH, day.replace(day=1)),
        (YEAR, day.replace(month=1, day=1)),
    )


Row = tuple[str, str, str, datetime.date, int, Decimal]


def _merged(tenant: Any, bumps: Iterable[Bump]) -> list[Row]:
    """``(key, dimension, span, day, count, total)`` of the bumps at every span, merged and sorted."""
    merged: dict[tuple[str, str, str, datetime.date], list[Any]] = {}
    for item in bumps:
        total = Decimal(str(item.total))
        for span, day in spans_of(local_day(tenant, item.when)):
            entry = merged.setdefault((item.key, item.dimension, span, day), [0, Decimal(0)])
            entry[0] += item.count
            entry[1] += total
    return sorted((k, d, span, day, c, t) for (k, d, span, day), (c, t) in merged.items() if c or t)


# the stations whose bumps wait for a rebuild (``deferred``)
_deferred: contextvars.ContextVar[frozenset[int]] = contextvars.ContextVar(
    "rollups_deferred", default=frozenset()
)


@contextlib.contextmanager
def deferred(tenant: Any) -> Iterator[None]:
    """A bulk load of the station (the demo, backdated rows): inside the block its bumps are not
    applied, and when the block ends its rollups are rebuilt from the rows (``rebuild``), which
    gives the same rows as bumping every write, at a fraction of the statements. A block that
    raises rebuilds nothing: its transaction is rolled back with its rows."""
    token = _deferred.set(_deferred.get() | {tenant.pk})
    try:
        yield
    finally:
        _deferred.reset(token)
    rebuild(tenant)


def is_deferred(tenant: Any) -> bool:
    """Whether the station's bumps wait for a rebuild (``deferred``): a service may then skip
    reading what it would bump."""
    return _tenant_pk(tenant) in _deferred.get()


def _tenant_pk(tenant: Any) -> int:
    return tenant if isinstance(tenant, int) else tenant.pk


def bump_all(tenant: Any, bumps: Iterable[Bump]) -> None:
    """Apply several bumps in one statement (merged, at every span, in a fixed order); nothing
    while the station's rollups are ``deferred``."""
    if is_deferred(tenant):
        return
    rows = _merged(tenant, bumps)
    if not rows:
        return
    params: list[Any] = []
    for key, dimension, span, day, count, total in rows:
        params += [tenant.pk, key, dimension, span, day, count, total]
    # the statements hold placeholders only: every value goes in ``params``
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            values = ", ".join([LOCKED_VALUE] * len(rows))
            sql = LOCKED_UPSERT_HEAD + values + LOCKED_UPSERT_VALUES_END + UPSERT_TAIL
            cursor.execute(sql, [LOCK_CLASS, tenant.pk, *params])
        else:
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(rows))
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
                    DailyCount(
                        tenant=tenant,
                        key=key,
                        dimension=dimension,
                        span=span,
                        day=day,
                        count=count,
                        total=total,
                    )
                    for key, dimension, span, day, count, total in rows
                ),
                batch_size=5000,
            )
            written += len(rows)
    return written


# ---- reading ----------------------------------------------------------------------------------------


def _month_after(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def _whole(
    first: datetime.date,
    last: datetime.date,
    start_of: Callable[[datetime.date], datetime.date],
    after: Callable[[datetime.date], datetime.date],
) -> tuple[datetime.date, datetime.date] | None:
    """The first day of the first whole unit (year, month) from ``first`` and the first day of the
    last whole unit up to ``last``, or None when no whole unit lies inside."""
    low = first if start_of(first) == first else after(first)
    high = start_of(last) if after(last) == last + ONE_DAY else start_of(start_of(last) - ONE_DAY)
    return (low, high) if low <= high and after(high) - ONE_DAY <= last else None


def _year_after(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + 1, 1, 1)


def segments(
    first: datetime.date, last: datetime.date, spans: Sequence[str] = ALL_SPANS
) -> list[tuple[str, datetime.date, datetime.date]]:
    """``[(span, from, to)]``: the rows that hold the days ``first`` to ``last``, each once. The
    whole years inside (rows of span ``y`` whose 1 January lies from ``from`` to ``to``), then the
    whole months inside what is left on either side (their 1sts), then the whole weeks inside what
    is left (Mondays), then the days still left."""
    out: list[tuple[str, datetime.date, datetime.date]] = []
    pieces = [(first, last)]
    for span, start_of, after in (
        (YEAR, lambda d: d.replace(month=1, day=1), _year_after),
        (MONTH, lambda d: d.replace(day=1), _month_after),
    ):
        if span not in spans:
            continue
        left = []
        for start, end in pieces:
            whole = _whole(start, end, start_of, after) if start <= end else None
            if whole is None:
                left.append((start, end))
                continue
            low, high = whole
            out.append((span, low, high))
            left += [(start, low - ONE_DAY), (after(high), end)]
        pieces = left
    for start, end in pieces:
        if start > end:
            continue
        if WEEK in spans:
            monday = start + datetime.timedelta(days=(7 - start.weekday()) % 7)
            sunday = end - datetime.timedelta(days=(end.weekday() + 1) % 7)
            if sunday - monday >= datetime.timedelta(days=6):
                out.append((WEEK, monday, sunday - datetime.timedelta(days=6)))
                if start < monday:
                    out.append((DAY, start, monday - ONE_DAY))
                if sunday < end:
                    out.append((DAY, sunday + ONE_DAY, end))
                continue
        out.append((DAY, start, end))
    return out


def _segments_sql(period: Any) -> tuple[str, list[Any]]:
    """The period's year, month, week and day rows (``segments``) as an SQL condition."""
    where, params = [], []
    for span, low, high in segments(period.first_day, period.last_day):
        where.append("(span = %s AND day BETWEEN %s AND %s)")
        params += [span, low, high]
    return "(" + " OR ".join(where) + ")", params


def _like(text: str) -> str:
    """``text`` as a LIKE pattern matching itself (PostgreSQL's default escape, the backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _scans(
    tenants: Any, key: str, period: Any, filters: dict[str, Any], spans: Sequence[str] = ALL_SPANS
) -> tuple[str, list[Any]]:
    """The rows of ``key`` holding the period's days as SQL (``tenant_id, day, dimension, count,
    total``), for one station or (a list of ids) several: one exact index range scan a segment
    (``segments``) put together by UNION ALL, so that the planner never reads the series' other
    years and spans to filter them out, as it may with one OR of the segments. The filters are
    those ``_kept`` applies to prefetched sums; fixed fragments only, every value a parameter."""
    ids = _tenant_ids(tenants)
    narrowed, narrowed_params = "", []
    if filters.get("dimension") is not None:
        narrowed += " AND dimension = %s"
        narrowed_params.append(filters["dimension"])
    if filters.get("dimensions") is not None:
        narrowed += " AND dimension = ANY(%s)"
        narrowed_params.append(list(filters["dimensions"]))
    if filters.get("dimension_prefix") is not None:
        narrowed += " AND dimension LIKE %s"
        narrowed_params.append(_like(filters["dimension_prefix"]) + "%")
    if filters.get("dimension_suffix") is not None:
        narrowed += " AND dimension LIKE %s"
        narrowed_params.append("%" + _like(filters["dimension_suffix"]))
    parts, params = [], []
    for span, low, high in segments(period.first_day, period.last_day, spans):
        parts.append(
            "SELECT tenant_id, day, dimension, count, total FROM core_dailycount"  # noqa: S608
            f" WHERE tenant_id = ANY(%s) AND key = %s AND span = %s AND day BETWEEN %s AND %s{narrowed}"
        )
        params += [ids, key, span, low, high, *narrowed_params]
    if not parts:  # a period of no days
        return "SELECT NULL::integer, NULL::date, NULL::text, 0, 0::numeric WHERE false", []
    return " UNION ALL ".join(parts), params


# ---- reading many figures at once -------------------------------------------------------------------

Sums = dict[str, tuple[int, Decimal]]  # dimension -> (count, total)


@dataclass
class Prefetched:
    """What ``prefetched`` read: for each station id and period (its first and last day), each
    series' ``{dimension: (count, total)}`` over the period."""

    sums: dict[tuple[int, datetime.date, datetime.date], dict[str, Sums]]
    outer: Prefetched | None = None
    # the stations the block was opened for, which ``shared_many`` computes for at once
    stations: tuple[int, ...] = ()
    # and its periods, which ``shared_many`` computes for at once too
    periods: tuple[Any, ...] = ()
    # what ``shared`` computed inside the block, by name, station id and period
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    def find(self, tenant_id: int, period: Any) -> dict[str, Sums] | None:
        here: Prefetched | None = self
        while here is not None:
            found = here.sums.get((tenant_id, period.first_day, period.last_day))
            if found is not None:
                return found
            here = here.outer
        return None


@dataclass(frozen=True)
class _Days:
    first_day: datetime.date
    last_day: datetime.date


_prefetched: contextvars.ContextVar[Prefetched | None] = contextvars.ContextVar(
    "rollups_prefetched", default=None
)


def _tenant_ids(tenants: Any) -> list[int]:
    if isinstance(tenants, list | tuple | set | frozenset):
        return [getattr(t, "pk", t) for t in tenants]
    return [getattr(tenants, "pk", tenants)]


@contextlib.contextmanager
def prefetched(tenants: Iterable[Any], periods: Iterable[Any]) -> Iterator[Prefetched]:
    """Read every series of ``tenants`` (stations or ids) summed over each of ``periods`` in one
    query; inside the block ``summed``, ``counted``, ``by_dimension``, ``by_station`` and
    ``percentile`` of those stations and periods answer from it. The rows read are the periods'
    month, week and day rows (``segments``): a few thousand for a station's year and the year
    before, however many reports it has. Wide series (:data:`WIDE_MARK`) are left out: they are
    read by their own query. Inside an outer block that read them already, no query at all."""
    ids = sorted({getattr(t, "pk", t) for t in tenants})
    ranges = sorted({(p.first_day, p.last_day) for p in periods})
    current = _prefetched.get()
    if current is not None and all(
        current.find(tenant_id, _Days(first, last)) is not None for tenant_id in ids for first, last in ranges
    ):
        # an outer block (a batch of stations' summaries) read them already
        yield current
        return
    sums: dict[tuple[int, datetime.date, datetime.date], dict[str, Sums]] = {
        (tenant_id, first, last): {} for tenant_id in ids for first, last in ranges
    }
    if ids and ranges:
        parts, params = [], []
        for index, (first, last) in enumerate(ranges):
            where, where_params = _segments_sql(_Days(first, last))
            # the statement is built of fixed placeholders only: every value goes in ``params``
            parts.append(
                "SELECT %s, tenant_id, key, dimension, sum(count), sum(total) FROM core_dailycount"  # noqa: S608
                # the predicate of the index ``daily_count_narrow``, word for word, so it serves
                f' WHERE tenant_id = ANY(%s) AND NOT ("key"::text LIKE %s) AND {where}'
                " GROUP BY tenant_id, key, dimension"
            )
            params += [index, ids, WIDE_LIKE, *where_params]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for index, tenant_id, key, dimension, count, total in cursor.fetchall():
                first, last = ranges[index]
                series = sums[(tenant_id, first, last)].setdefault(key, {})
                series[dimension] = (int(count or 0), Decimal(total or 0))
    snapshot = Prefetched(sums, outer=_prefetched.get(), stations=tuple(ids), periods=tuple(periods))
    token = _prefetched.set(snapshot)
    try:
        yield snapshot
    finally:
        _prefetched.reset(token)


def shared(name: str, tenant: Any, period: Any, compute: Callable[[], T]) -> T:
    """``compute()`` once per ``name``, station and period (None: a figure of now) inside a
    ``prefetched`` block, then its result again: the figures of one query (the active volunteers
    by each role and background) share it instead of running one query each. Outside a block,
    ``compute()`` itself."""
    snapshot = _prefetched.get()
    if snapshot is None:
        return compute()
    key = (name, getattr(tenant, "pk", tenant), *((period.first_day, period.last_day) if period else ()))
    if key not in snapshot.memo:
        snapshot.memo[key] = compute()
    return snapshot.memo[key]  # type: ignore[no-any-return]


def _days_of(period: Any) -> tuple[Any, ...]:
    return (period.first_day, period.last_day, str(period.tz)) if period is not None else ()


def shared_many(
    name: str, tenant: Any, period: Any, compute_many: Callable[[list[int], list[Any]], list[dict[int, T]]]
) -> T:
    """Like ``shared``, for a figure that one query gives for several stations and periods at
    once: ``compute_many(ids, periods)`` returns, for each of ``periods``, station id → value for
    each of ``ids``. Inside a ``prefetched`` block the first call computes it for every station and
    period of the block (a table's period and the one before; a batch of weekly summaries; a
    bureau's stations side by side) and the others answer from it; keyed by the period's days and
    time zone, since the stations of a batch may lie in different ones (a figure of now, period
    None, once). Outside a block, for ``tenant`` and ``period`` alone."""
    tenant_id = getattr(tenant, "pk", tenant)
    snapshot = _prefetched.get()
    if snapshot is None:
        return compute_many([tenant_id], [period])[0][tenant_id]
    key = (name, tenant_id, *_days_of(period))
    if key not in snapshot.memo:
        ids = sorted({tenant_id, *snapshot.stations})
        periods = {_days_of(period): period}
        if period is not None:
            for other in snapshot.periods:
                if hasattr(other, "tz"):
                    periods.setdefault(_days_of(other), other)
        for days, values in zip(periods, compute_many(ids, list(periods.values())), strict=True):
            for other_id, value in values.items():
                snapshot.memo.setdefault((name, other_id, *days), value)
    return snapshot.memo[key]  # type: ignore[no-any-return]


def _kept(series: Sums, filters: dict[str, Any]) -> Sums:
    """The dimensions of a series that the filters of ``_scans`` keep, as the database would."""
    wanted = {name: value for name, value in filters.items() if value is not None}
    if not wanted:
        return dict(series)
    if set(wanted) == {"dimension"}:  # the common case: one dimension, looked up
        return {wanted["dimension"]: series[wanted["dimension"]]} if wanted["dimension"] in series else {}
    chosen = set(wanted["dimensions"]) if "dimensions" in wanted else None
    prefix, suffix = wanted.get("dimension_prefix", ""), wanted.get("dimension_suffix", "")
    return {
        dim: sums
        for dim, sums in series.items()
        if ("dimension" not in wanted or dim == wanted["dimension"])
        and (chosen is None or dim in chosen)
        and dim.startswith(prefix)
        and dim.endswith(suffix)
    }


def _from_prefetched(tenant_id: int, key: str, period: Any, filters: dict[str, Any]) -> Sums | None:
    snapshot = _prefetched.get()
    if snapshot is None:
        return None
    found = snapshot.find(tenant_id, period)
    if found is None or WIDE_MARK in key:
        return None
    return _kept(found.get(key, {}), filters)


def _known(tenant: Any, key: str, period: Any, filters: dict[str, Any]) -> Sums | None:
    """What ``prefetched`` read of the stations' ``key`` over the period (several stations' sums
    added up, as one query over all of them would), or None when it did not read them all."""
    ids = _tenant_ids(tenant)
    if len(ids) == 1:
        return _from_prefetched(ids[0], key, period, filters)
    pooled: dict[str, tuple[int, Decimal]] = {}
    for tenant_id in ids:
        found = _from_prefetched(tenant_id, key, period, filters)
        if found is None:
            return None
        for dim, (count, total) in found.items():
            was = pooled.get(dim, (0, Decimal(0)))
            pooled[dim] = (was[0] + count, was[1] + total)
    return pooled


def summed(tenant: Any, key: str, period: Any, **filters: Any) -> tuple[int, Decimal]:
    """The count and total of ``key`` over the period (one query, or none inside ``prefetched``)."""
    if (known := _known(tenant, key, period, filters)) is not None:
        return sum(c for c, _t in known.values()), sum((t for _c, t in known.values()), Decimal(0))
    scans, params = _scans(tenant, key, period, filters)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT sum(count), sum(total) FROM ({scans}) AS segment_rows", params)  # noqa: S608
        count, total = cursor.fetchone()
    return int(count or 0), Decimal(total or 0)


def counted(tenant: Any, key: str, period: Any, **filters: Any) -> int:
    return summed(tenant, key, period, **filters)[0]


def by_dimension(tenant: Any, key: str, period: Any, **filters: Any) -> dict[str, tuple[int, Decimal]]:
    """``{dimension: (count, total)}`` of ``key`` over the period (one query, or none inside
    ``prefetched``)."""
    if (known := _known(tenant, key, period, filters)) is not None:
        return known
    sql, params = by_dimension_sql(tenant, key, period, **filters)
    with connection.cursor() as cursor:  # a wide series' thousands of rows, without the ORM's
        cursor.execute(sql, params)
        return {dim: (int(c or 0), Decimal(t or 0)) for dim, c, t in cursor.fetchall()}


def by_dimension_sql(tenant: Any, key: str, period: Any, **filters: Any) -> tuple[str, list[Any]]:
    """``by_dimension`` as SQL (``dimension, count, total``), for a query that goes on with its
    rows in the database (a breakdown that names and cuts them); fixed fragments only."""
    scans, params = _scans(tenant, key, period, filters)
    return (
        "SELECT dimension, sum(count) AS count, sum(total) AS total"  # noqa: S608
        f" FROM ({scans}) AS segment_rows GROUP BY dimension",
        params,
    )


def by_station(
    tenant_ids: Iterable[int], key: str, period: Any, **filters: Any
) -> dict[int, tuple[int, Decimal]]:
    """``{station id: (count, total)}`` of ``key`` over the period, for several stations (one
    query, or none inside ``prefetched``)."""
    tenant_ids = list(tenant_ids)
    known = {tenant_id: _from_prefetched(tenant_id, key, period, filters) for tenant_id in tenant_ids}
    if all(sums is not None for sums in known.values()):
        return {
            tenant_id: (sum(c for c, _t in sums.values()), sum((t for _c, t in sums.values()), Decimal(0)))
            for tenant_id, sums in known.items()
            if sums
        }
    scans, params = _scans(tenant_ids, key, period, filters)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tenant_id, sum(count), sum(total) FROM ({scans}) AS segment_rows GROUP BY tenant_id",  # noqa: S608
            params,
        )
        return {tenant_id: (int(c or 0), Decimal(t or 0)) for tenant_id, c, t in cursor.fetchall()}


def ranked_totals(
    tenant_ids: Iterable[int], key: str, period: Any, *, top: int | None = None, order: str = "desc"
) -> dict[int, tuple[int, Decimal]]:
    """``{id: (station id, total)}`` of a wide series whose dimensions are ids (teams,
    volunteers), those with a total above zero (one query); with ``top``, only those at the
    ``top`` best totals (the highest, or the lowest with ``order="asc"``), every one tied with the
    last of them kept, so that a ranking reads the names of its places only and ranks them as it
    would rank them all. The database finds the ``top``-th best total and returns only those at
    least as good. A week, a month or a year is one row per id (``segments``): read as it is, by
    two index scans, without grouping five thousand volunteers' rows."""
    ids = list(tenant_ids)
    parts = segments(period.first_day, period.last_day)
    # fixed fragments only; every value is a parameter
    if len(parts) == 1 and parts[0][1] == parts[0][2]:
        # one station: read in the order of ``daily_count_wide_ranked`` (whose predicate this is,
        # word for word), the best first, only as far as the top-th
        where = (
            "tenant_id = %s" if len(ids) == 1 else "tenant_id = ANY(%s)"
        ) + ' AND "key"::text LIKE %s AND key = %s AND span = %s AND day = %s AND total > 0'
        params: list[Any] = [ids[0] if len(ids) == 1 else ids, WIDE_LIKE, key, parts[0][0], parts[0][1]]
        source = f"SELECT tenant_id, dimension, total AS t FROM core_dailycount WHERE {where}"  # noqa: S608
        edge_of = f"SELECT total FROM core_dailycount WHERE {where} ORDER BY total"  # noqa: S608
        edge_params = params
    else:
        segments_sql, segments_params = _segments_sql(period)
        source = (
            "SELECT tenant_id, dimension, sum(total) AS t FROM core_dailycount"  # noqa: S608
            f" WHERE tenant_id = ANY(%s) AND key = %s AND {segments_sql}"
            " GROUP BY tenant_id, dimension HAVING sum(total) > 0"
        )
        params = [ids, key, *segments_params]
        edge_of, edge_params = "SELECT t FROM grouped ORDER BY t", []
    if top is None:
        sql = source
    else:
        # the top-th best total, or when there are fewer, the worst a total can be
        direction, compare, worst = ("DESC", ">=", "0") if order == "desc" else ("ASC", "<=", "'Infinity'")
        picked = f"COALESCE(({edge_of} {direction} OFFSET %s LIMIT 1), {worst}::numeric)"
        if edge_params:
            sql = f"SELECT * FROM ({source}) AS found WHERE t {compare} {picked}"  # noqa: S608
        else:
            sql = f"WITH grouped AS ({source}) SELECT * FROM grouped WHERE t {compare} {picked}"  # noqa: S608
        params = [*params, *edge_params, max(top - 1, 0)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {int(dim): (tenant_id, Decimal(t)) for tenant_id, dim, t in rows}


def _weekly_sql(
    tenant: Any, key: str, period: Any, value: str, filters: dict[str, Any]
) -> tuple[str, list[Any]]:
    """``week, value`` of ``key`` for each week of the period with rows, as SQL: its week rows,
    and the day rows of a week the period cuts."""
    scans, params = _scans(tenant, key, period, filters, spans=(WEEK, DAY))
    column = "count" if value == "count" else "total"
    return (
        f"SELECT date_trunc('week', day::timestamp)::date AS week, sum({column}) AS v"  # noqa: S608
        f" FROM ({scans}) AS segment_rows GROUP BY 1",
        params,
    )


def _weeks_of(rows: Iterable[tuple[Any, Any]], value: str) -> dict[datetime.date, int | Decimal]:
    out: dict[datetime.date, int | Decimal] = {}
    for week, v in rows:
        monday = week.date() if isinstance(week, datetime.datetime) else week
        out[monday] = int(v or 0) if value == "count" else Decimal(v or 0)
    return out


@dataclass
class _WeeklyBatch:
    """The ``weekly`` calls of a ``batched_weekly`` run: recorded by the first pass, answered in
    the second from one query."""

    calls: dict[tuple[Any, ...], tuple[Any, str, Any, str, dict[str, Any]]] = field(default_factory=dict)
    answers: dict[tuple[Any, ...], dict[datetime.date, int | Decimal]] | None = None


_weekly_batch: contextvars.ContextVar[_WeeklyBatch | None] = contextvars.ContextVar(
    "rollups_weekly_batch", default=None
)


def batched_weekly(run: Callable[[], T]) -> T:
    """``run()``'s ``weekly`` reads in one query: ``run`` is called twice, first to record the
    series it reads (each ``weekly`` answers nothing), then, after one UNION ALL of them all, to
    answer them. ``run`` must read nothing else that costs (the dashboard's trend charts: every
    figure's ``series``, each a ``weekly``)."""
    batch = _WeeklyBatch()
    token = _weekly_batch.set(batch)
    try:
        run()
        parts, params = [], []
        calls = list(batch.calls.items())
        for index, (_signature, (tenant, key, period, value, filters)) in enumerate(calls):
            sql, part_params = _weekly_sql(tenant, key, period, value, filters)
            parts.append(f"SELECT %s, * FROM ({sql}) AS w{index}")  # noqa: S608 - fixed fragments
            params += [index, *part_params]
        rows: dict[int, list[tuple[Any, Any]]] = {}
        if parts:
            with connection.cursor() as cursor:
                cursor.execute(" UNION ALL ".join(parts), params)
                for index, week, v in cursor.fetchall():
                    rows.setdefault(index, []).append((week, v))
        batch.answers = {
            signature: _weeks_of(rows.get(index, []), call[3])
            for index, (signature, call) in enumerate(calls)
        }
        return run()
    finally:
        _weekly_batch.reset(token)


def weekly(
    tenant: Any, key: str, period: Any, *, value: str = "count", **filters: Any
) -> dict[datetime.date, int | Decimal]:
    """``{monday: count}`` (or total, ``value="total"``) of ``key`` for each week of the period that
    has rows (one query over the week rows, and the day rows of a week the period cuts; inside
    ``batched_weekly``, one query for all)."""
    batch = _weekly_batch.get()
    if batch is not None:
        signature = (
            tuple(_tenant_ids(tenant)),
            key,
            period.first_day,
            period.last_day,
            value,
            tuple(sorted(filters.items())),
        )
        if batch.answers is None:
            batch.calls[signature] = (tenant, key, period, value, filters)
            return {}
        if signature in batch.answers:
            return batch.answers[signature]
    sql, params = _weekly_sql(tenant, key, period, value, filters)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _weeks_of(cursor.fetchall(), value)


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
