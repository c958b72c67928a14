"""The incidents app's rollups (``core.rollups``): the series its figures read, what each one counts,
and how a rebuild computes it again from the rows (one
:class:`~jointdefense.core.registry.RollupSource` per series, registered in ``apps.py``). The
services write the same counts as they go: ``services/rollups.py`` builds the bumps of each write,
and the write applies them with one ``bump_all`` in its transaction. Every day is the station's
local day of the moment named.

* ``incidents.received``: by the report's receipt; dimension ``<category kind>:<category id>:<status>``
  with the status *now*, moved by every status change and by a merge.
* ``incidents.received.by_community``, ``incidents.received.by_grid_cell``: the same reports by
  their receipt, dimension the id of the community or grid cell the report was placed in (empty:
  none), for the heat map's breakdown (``selectors.heat``). A report's place is set when it is
  received and never moves, so only the receipt bumps them. Wide series (one dimension per place):
  a figure table's ``rollups.prefetched`` leaves them out; rebuilt with ``incidents.received``.
* ``incidents.resolved``: by the report's last resolution (its latest status change to resolved);
  dimension the category's kind; counted while the report is resolved or closed, so undone when it
  is reopened or joined to another report. "Hazards removed" reads it.
* ``incidents.clues``: by the report's receipt; dimension ``<category kind>:<value>`` of a report an
  officer marked (``valuable``, or ``case``: it helped solve a case).
* ``incidents.triage_minutes``, ``incidents.resolve_minutes``: histograms by the report's receipt;
  dimension the bucket (``core.rollups.minutes_bucket``) of the minutes from the report to its
  first status change out of "new", to its first resolution; bumped by that change.
* ``incidents.mediations``: ``opened`` by the day opened, the outcome (``settled``, …) by the day closed.
* ``incidents.visits``: return visits by their due date: ``open`` (not made yet), ``on_time``,
  ``late`` (made after the due date); a visit to be made again leaves and comes back ``open``.
* ``incidents.ratings``: by the rating; dimension ``<level>:<rating>``.
* ``incidents.escalations``: by the day a visit one level up was opened; dimension its level.

What stays a plain aggregate: a return visit not made and past its due date is "late" by the
clock, not by a write, so the late visits add the station's open visits past due (few rows, on the
``(tenant, visited_at, due_at)`` index) to the series' visits made late.
"""

from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db.models import Max

from jointdefense.tenancy.models import Tenant

from ..models import Report, ReportEvent

RECEIVED = "incidents.received"
RECEIVED_BY_COMMUNITY = "incidents.received.by_community"
RECEIVED_BY_GRID_CELL = "incidents.received.by_grid_cell"
RESOLVED = "incidents.resolved"
CLUES = "incidents.clues"
TRIAGE_MINUTES = "incidents.triage_minutes"
RESOLVE_MINUTES = "incidents.resolve_minutes"
MEDIATIONS = "incidents.mediations"
VISITS = "incidents.visits"
RATINGS = "incidents.ratings"
ESCALATIONS = "incidents.escalations"

DONE = ("resolved", "closed")

Row = tuple[str, str, Any, int, int]


def received_dimension(kind: str, category_id: int, status: str) -> str:
    return f"{kind}:{category_id}:{status}"


def last_resolution(report: Report) -> Any:
    """When the report was last resolved (its latest status change to resolved), or None."""
    return ReportEvent.objects.filter(
        tenant=report.tenant_id,
        report=report.pk,
        kind=ReportEvent.Kind.STATUS,
        to_status=Report.Status.RESOLVED,
    ).aggregate(at=Max("created_at"))["at"]


def _rows(sql: str, tenant: Tenant, key: str, **params: Any) -> Iterator[Row]:
    """``sql`` run with ``%(key)s``, ``%(tenant)s`` and ``%(tz)s`` (the station's time zone); its
    rows are the source's ``(key, dimension, day, count, total)``."""
    with connection.cursor() as cursor:
        cursor.execute(sql, {"key": key, "tenant": tenant.pk, "tz": tenant.time_zone, **params})
        yield from cursor.fetchall()


RECEIVED_SQL = """
    SELECT %(key)s, c.kind || ':' || r.category_id || ':' || r.status,
           (r.created_at AT TIME ZONE %(tz)s)::date, count(*), 0
    FROM incidents_report r JOIN incidents_category c ON c.id = r.category_id
    WHERE r.tenant_id = %(tenant)s GROUP BY 2, 3
"""

RECEIVED_BY_COMMUNITY_SQL = """
    SELECT %(key)s, coalesce(community_id::text, ''), (created_at AT TIME ZONE %(tz)s)::date, count(*), 0
    FROM incidents_report WHERE tenant_id = %(tenant)s GROUP BY 2, 3
"""

RECEIVED_BY_GRID_CELL_SQL = """
    SELECT %(key)s, coalesce(grid_cell_id::text, ''), (created_at AT TIME ZONE %(tz)s)::date, count(*), 0
    FROM incidents_report WHERE tenant_id = %(tenant)s GROUP BY 2, 3
"""

RESOLVED_SQL = """
    SELECT %(key)s, c.kind, (last.at AT TIME ZONE %(tz)s)::date, count(*), 0
    FROM (
        SELECT report_id, max(created_at) AS at FROM incidents_reportevent
        WHERE tenant_id = %(tenant)s AND kind = 'status' AND to_status = 'resolved'
        GROUP BY report_id
    ) AS last
    JOIN incidents_report r ON r.id = last.report_id AND r.tenant_id = %(tenant)s
    JOIN incidents_category c ON c.id = r.category_id
    WHERE r.status IN ('resolved', 'closed') GROUP BY 2, 3
"""

CLUES_SQL = """
    SELECT %(key)s, c.kind || ':' || r.clue_value, (r.created_at AT TIME ZONE %(tz)s)::date, count(*), 0
    FROM incidents_report r JOIN incidents_category c ON c.id = r.category_id
    WHERE r.tenant_id = %(tenant)s AND r.clue_value <> '' GROUP BY 2, 3
"""

# the first status change out of "new" (%(triage)s) or to "resolved"; the bucket is
# core.rollups.minutes_bucket in SQL
MINUTES_SQL = """
    SELECT %(key)s,
           (CASE WHEN m < 120 THEN floor(m) WHEN m < 1440 THEN floor(m / 5) * 5
                 WHEN m < 43200 THEN floor(m / 60) * 60 ELSE floor(m / 1440) * 1440 END)::bigint::text,
           day, count(*), 0
    FROM (
        SELECT (r.created_at AT TIME ZONE %(tz)s)::date AS day,
               greatest(0, EXTRACT(EPOCH FROM first.at - r.created_at) / 60.0) AS m
        FROM (
            SELECT report_id, min(created_at) AS at FROM incidents_reportevent
            WHERE tenant_id = %(tenant)s AND kind = 'status'
              AND CASE WHEN %(triage)s THEN from_status = 'new' ELSE to_status = 'resolved' END
            GROUP BY report_id
        ) AS first
        JOIN incidents_report r ON r.id = first.report_id AND r.tenant_id = %(tenant)s
    ) AS durations GROUP BY 2, 3
"""

MEDIATIONS_SQL = """
    SELECT %(key)s, 'opened', (opened_at AT TIME ZONE %(tz)s)::date, count(*), 0
    FROM incidents_mediation WHERE tenant_id = %(tenant)s GROUP BY 3
    UNION ALL
    SELECT %(key)s, status, (closed_at AT TIME ZONE %(tz)s)::date, count(*), 0
    FROM incidents_mediation WHERE tenant_id = %(tenant)s AND closed_at IS NOT NULL GROUP BY 2, 3
"""

VISITS_SQL = """
    SELECT %(key)s,
           CASE WHEN visited_at IS NULL THEN 'open' WHEN visited_at <= due_at THEN 'on_time' ELSE 'late' END,
           (due_at AT TIME ZONE %(tz)s)::date, count(*), 0
    FROM incidents_returnvisit WHERE tenant_id = %(tenant)s GROUP BY 2, 3
"""

RATINGS_SQL = """
    SELECT %(key)s, level || ':' || rating, (rated_at AT TIME ZONE %(tz)s)::date, count(*), 0
    FROM incidents_returnvisit
    WHERE tenant_id = %(tenant)s AND rating <> '' AND rated_at IS NOT NULL GROUP BY 2, 3
"""

ESCALATIONS_SQL = """
    SELECT %(key)s, level, (created_at AT TIME ZONE %(tz)s)::date, count(*), 0
    FROM incidents_returnvisit WHERE tenant_id = %(tenant)s AND level <> 'officer' GROUP BY 2, 3
"""


def received_rows(tenant: Tenant) -> Iterator[Row]:
    """The received reports by category and status, and by place (the wide series share the
    prefix, so a rebuild of ``incidents.received`` writes them all)."""
    yield from _rows(RECEIVED_SQL, tenant, RECEIVED)
    yield from _rows(RECEIVED_BY_COMMUNITY_SQL, tenant, RECEIVED_BY_COMMUNITY)
    yield from _rows(RECEIVED_BY_GRID_CELL_SQL, tenant, RECEIVED_BY_GRID_CELL)


def resolved_rows(tenant: Tenant) -> Iterator[Row]:
    return _rows(RESOLVED_SQL, tenant, RESOLVED)


def clue_rows(tenant: Tenant) -> Iterator[Row]:
    return _rows(CLUES_SQL, tenant, CLUES)


def triage_minutes_rows(tenant: Tenant) -> Iterator[Row]:
    return _rows(MINUTES_SQL, tenant, TRIAGE_MINUTES, triage=True)


def resolve_minutes_rows(tenant: Tenant) -> Iterator[Row]:
    return _rows(MINUTES_SQL, tenant, RESOLVE_MINUTES, triage=False)


def mediation_rows(tenant: Tenant) -> Iterator[Row]:
    return _rows(MEDIATIONS_SQL, tenant, MEDIATIONS)


def visit_rows(tenant: Tenant) -> Iterator[Row]:
    return _rows(VISITS_SQL, tenant, VISITS)


def rating_rows(tenant: Tenant) -> Iterator[Row]:
    return _rows(RATINGS_SQL, tenant, RATINGS)


def escalation_rows(tenant: Tenant) -> Iterator[Row]:
    return _rows(ESCALATIONS_SQL, tenant, ESCALATIONS)


SOURCES = (
    (RECEIVED, received_rows),
    (RESOLVED, resolved_rows),
    (CLUES, clue_rows),
    (TRIAGE_MINUTES, triage_minutes_rows),
    (RESOLVE_MINUTES, resolve_minutes_rows),
    (MEDIATIONS, mediation_rows),
    (VISITS, visit_rows),
    (RATINGS, rating_rows),
    (ESCALATIONS, escalation_rows),
)
