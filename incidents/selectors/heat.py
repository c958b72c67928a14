"""The dashboard's heat map of reports (``core.registry.dashboard_maps``, registered in
``figures.py``): the period's reports aggregated by the database into small cells, and the
breakdown table beside it, reports per community and per grid cell (from the wide rollups
``incidents.received.by_community`` and ``.by_grid_cell``; the ``_raw`` twins count the rows).

Privacy: the cells are snapped from ``public_location`` (already blurred to about 100 m), never from
the exact point. "In the period" and "the reports" are those of the ``incidents.reports_received``
figure (received in ``[period.start, period.end)``, every status), so the rows of the breakdown add
up to that figure and each links to the report queue holding exactly them.
"""

from typing import Any

from django.contrib.gis.db.models.functions import SnapToGrid
from django.db import connection
from django.db.models import Count, FloatField, Func, QuerySet

from jointdefense.core import rollups
from jointdefense.core.periods import Period
from jointdefense.tenancy.models import Community, GridCell, Tenant

from ..models import Report
from .figures import received
from .rollups import RECEIVED_BY_COMMUNITY, RECEIVED_BY_GRID_CELL

# what a breakdown row shows of its place (``str`` of a grid cell is its code and name)
LABEL_FIELDS = {Community: ("pk", "tenant_id", "name"), GridCell: ("pk", "tenant_id", "code", "name")}
CELL_DEGREES = 0.002  # about 220 m north-south: coarser than the public blur of about 100 m
MAX_CELLS = 2000  # the busiest cells, when a long period has more


class _Y(Func):
    function = "ST_Y"
    output_field = FloatField()


class _X(Func):
    function = "ST_X"
    output_field = FloatField()


def reports_in(tenant: Tenant, period: Period) -> QuerySet[Report]:
    return received(tenant).filter(created_at__gte=period.start, created_at__lt=period.end)


def heat_points(tenant: Tenant, period: Period, limit: int = MAX_CELLS) -> list[list[float]]:
    """``[lat, lng, reports]`` per cell of about ``CELL_DEGREES`` holding any of the period's
    reports, the busiest first, at most ``limit`` (one GROUP BY)."""
    cell = SnapToGrid("public_location", CELL_DEGREES)
    rows = (
        reports_in(tenant, period)
        .annotate(lat=_Y(cell), lng=_X(cell))
        .values("lat", "lng")
        .annotate(weight=Count("pk"))
        .order_by("-weight", "lat", "lng")
        .values_list("lat", "lng", "weight")[:limit]
    )
    return [[round(lat, 6), round(lng, 6), weight] for lat, lng, weight in rows]


def _counted_raw(tenant: Tenant, period: Period, field: str) -> list[tuple[int | None, int]]:
    rows = (
        reports_in(tenant, period)
        .values(field)
        .annotate(n=Count("pk"))
        .order_by("-n", field)
        .values_list(field, "n")
    )
    return list(rows)


def _counted(
    tenant: Tenant, period: Period, key: str, model: Any, limit: int | None
) -> tuple[list[tuple[Any, int]], int]:
    """``(place, reports)`` of the period from the wide rollup ``key``, the busiest first, the
    first ``limit`` only when given, and how many rows there are in all: one query over the
    period's year, month, week and day rows that also folds, orders, counts and cuts them, then
    the shown places' names (one query, without their boundaries). A place deleted since (its
    reports' place was set empty) counts as none, as the rows do."""
    sums, params = rollups.by_dimension_sql(tenant, key, period)
    # fixed fragments and a model's table only; every value is a parameter
    sql = (
        f"WITH sums AS ({sums}), placed AS ("  # noqa: S608
        " SELECT place.id AS pk, sum(sums.count) AS n FROM sums"
        f" LEFT JOIN {model._meta.db_table} AS place"
        " ON place.tenant_id = %s AND place.id::text = sums.dimension"
        " GROUP BY place.id HAVING sum(sums.count) > 0)"
        " SELECT pk, n, count(*) OVER () FROM placed ORDER BY n DESC, pk IS NULL, pk"
    )
    params = [*params, tenant.pk]
    if limit is not None:
        sql += " LIMIT %s"
        params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        shown = cursor.fetchall()
    places = (
        model.objects.filter(tenant=tenant)
        .only(*LABEL_FIELDS[model])
        .in_bulk([pk for pk, _n, _all in shown if pk])
    )
    return [(places[pk] if pk else None, int(n)) for pk, n, _all in shown], (shown[0][2] if shown else 0)


def reports_by_community(tenant: Tenant, period: Period, limit: int | None = None) -> list[dict[str, Any]]:
    """The period's reports per community, the busiest first (``community`` None: outside every
    community), from ``incidents.received.by_community``; the first ``limit`` only when given
    (``breakdown_rows`` counts them all)."""
    return [
        {"community": place, "count": n}
        for place, n in _counted(tenant, period, RECEIVED_BY_COMMUNITY, Community, limit)[0]
    ]


def reports_by_community_raw(tenant: Tenant, period: Period) -> list[dict[str, Any]]:
    """The same by one GROUP BY over the period's reports (the suite holds the two equal)."""
    counts = _counted_raw(tenant, period, "community")
    names = Community.objects.filter(tenant=tenant).in_bulk([pk for pk, _n in counts if pk])
    return [{"community": names.get(pk) if pk else None, "count": n} for pk, n in counts]


def reports_by_grid_cell(tenant: Tenant, period: Period, limit: int | None = None) -> list[dict[str, Any]]:
    """The period's reports per grid cell, the busiest first (``grid_cell`` None: in none), from
    ``incidents.received.by_grid_cell``; the first ``limit`` only when given."""
    return [
        {"grid_cell": place, "count": n}
        for place, n in _counted(tenant, period, RECEIVED_BY_GRID_CELL, GridCell, limit)[0]
    ]


def breakdown_rows(
    tenant: Tenant, period: Period, by: str, limit: int | None = None
) -> tuple[list[dict[str, Any]], int]:
    """``reports_by_community`` (``by="community"``) or ``reports_by_grid_cell`` (``"grid_cell"``)
    with how many rows there are in all."""
    key, model = (
        (RECEIVED_BY_COMMUNITY, Community) if by == "community" else (RECEIVED_BY_GRID_CELL, GridCell)
    )
    rows, total = _counted(tenant, period, key, model, limit)
    return [{by: place, "count": n} for place, n in rows], total


def reports_by_grid_cell_raw(tenant: Tenant, period: Period) -> list[dict[str, Any]]:
    counts = _counted_raw(tenant, period, "grid_cell")
    cells = GridCell.objects.filter(tenant=tenant).in_bulk([pk for pk, _n in counts if pk])
    return [{"grid_cell": cells.get(pk) if pk else None, "count": n} for pk, n in counts]
