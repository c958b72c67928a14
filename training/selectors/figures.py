"""The training app's dashboard figure (``core.registry.figures``, registered in ``apps.py``):
training compliance.

The figure reads the kept count of the period's last day (``models.ComplianceCount``, one row:
the count at the end of that day, or today's latest for a period not over yet) instead of running
the join below, some 200 ms on a station of 5,000 volunteers and 50,000 certificates, twice a
dashboard. Its ``raw`` twin runs the join (``compliance_counts``, one SQL aggregate;
``records.compliance`` computes the same share with its breakdowns, for the compliance page): the
tests hold the two equal and ``make bench`` times one against the other."""

import datetime
import zoneinfo
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from jointdefense.core import rollups
from jointdefense.core.periods import Period, local_midnight
from jointdefense.tenancy.models import Tenant

from ..models import ComplianceCount

ONE_DAY = datetime.timedelta(days=1)

# Active volunteers, and of them those holding, at %(when)s, a valid certificate (or one of a
# course including it, transitively) of every offered course their roles or their active teams'
# types need. One statement: a recursive CTE closes the held courses over the inclusions.
COMPLIANCE_SQL = """
WITH RECURSIVE held(volunteer_id, course_id) AS (
    SELECT c.volunteer_id, c.course_id
    FROM training_certificate c JOIN teams_volunteer v ON v.id = c.volunteer_id
    WHERE c.tenant_id = %(tenant)s AND v.tenant_id = %(tenant)s AND v.status = 'active'
      AND c.revoked_at IS NULL AND c.issued_at <= %(when)s
      AND (c.expires_at IS NULL OR c.expires_at > %(when)s)
  UNION
    SELECT h.volunteer_id, i.included_id
    FROM held h JOIN training_courseinclusion i ON i.course_id = h.course_id AND i.tenant_id = %(tenant)s
),
volunteers AS (
    SELECT v.id, v.roles, ARRAY(
        SELECT t.type FROM teams_teammember m JOIN teams_team t ON t.id = m.team_id
        WHERE m.tenant_id = %(tenant)s AND m.volunteer_id = v.id AND t.is_active
    )::varchar[] AS types
    FROM teams_volunteer v WHERE v.tenant_id = %(tenant)s AND v.status = 'active'
),
-- each active volunteer with each offered course their roles or team types need
needed AS (
    SELECT volunteers.id AS volunteer_id, r.id AS course_id
    FROM volunteers JOIN training_course r ON r.tenant_id = %(tenant)s AND r.is_active
      AND (r.required_for_roles && volunteers.roles OR r.required_for_team_types && volunteers.types)
),
-- those lacking one: a hash join of what is needed against what is held, not a search per pair
lacking AS (
    SELECT DISTINCT n.volunteer_id FROM needed n
    LEFT JOIN held h ON h.volunteer_id = n.volunteer_id AND h.course_id = n.course_id
    WHERE h.volunteer_id IS NULL
)
SELECT (SELECT count(*) FROM volunteers), (SELECT count(*) FROM volunteers) - (SELECT count(*) FROM lacking)
"""


def compliance_counts(tenant: Tenant, when: datetime.datetime) -> tuple[int, int]:
    """(active volunteers, of them compliant) at ``when``: one query."""
    with connection.cursor() as cursor:
        cursor.execute(COMPLIANCE_SQL, {"tenant": tenant.pk, "when": when})
        total, compliant = cursor.fetchone()
    return int(total), int(compliant)


def day_end(tenant: Tenant, day: datetime.date) -> datetime.datetime:
    """The moment the station's local ``day`` ends (its next local midnight)."""
    return local_midnight(day + ONE_DAY, tenant.zoneinfo)


def kept_compliance(
    tenant: Tenant, day: datetime.date, now: datetime.datetime | None = None
) -> tuple[int, int]:
    """(active volunteers, of them compliant) of the station's local ``day`` from its kept count:
    at the day's end, or for today as of its latest count. One query when the count is there; a
    past day nobody closed (history from before the count was kept, a missed beat, a day a change
    of the past dropped) or a today not counted yet is computed once, with ``compliance_counts``
    at the day's end (or now), and kept, so that the next read is one query again."""
    now = now or timezone.now()
    today = now.astimezone(tenant.zoneinfo).date()
    day = min(day, today)
    end = day_end(tenant, day)
    with connection.cursor() as cursor:  # read on every dashboard: without the ORM's statement building
        cursor.execute(
            f"SELECT total, compliant, computed_at FROM {ComplianceCount._meta.db_table}"  # noqa: S608
            " WHERE tenant_id = %s AND day = %s",
            [tenant.pk, day],
        )
        row = cursor.fetchone()
    if row is not None and (day == today or row[2] >= end):
        return row[0], row[1]
    total, compliant = compliance_counts(tenant, min(end, now))
    ComplianceCount.keep(
        tenant_id=tenant.pk, day=day, total=total, compliant=compliant, computed_at=now, day_end=end
    )
    return total, compliant


# each station's kept count of the day ``kept_compliance`` reads (the given day, or its own today
# when that comes first), with its time zone, to judge the count as ``kept_compliance`` does
KEPT_MANY_SQL = (
    "SELECT t.id, t.time_zone, c.total, c.compliant, c.computed_at"  # noqa: S608 - table names only
    f" FROM {Tenant._meta.db_table} t LEFT JOIN {ComplianceCount._meta.db_table} c ON c.tenant_id = t.id"
    " AND c.day = LEAST(%s::date, (%s::timestamptz AT TIME ZONE t.time_zone)::date)"
    " WHERE t.id = ANY(%s)"
)


def kept_compliance_many(
    ids: list[int], day: datetime.date, now: datetime.datetime | None = None
) -> dict[int, tuple[int, int]]:
    """``kept_compliance`` of several stations in one query (a bureau's side by side, a batch of
    weekly summaries); a station whose count is missing or stale is computed and kept on its own,
    as ``kept_compliance`` does."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(KEPT_MANY_SQL, [day, now, list(ids)])
        rows = cursor.fetchall()
    found: dict[int, tuple[int, int]] = {}
    for tenant_id, time_zone, total, compliant, computed_at in rows:
        tz = zoneinfo.ZoneInfo(time_zone)
        today = now.astimezone(tz).date()
        kept_day = min(day, today)
        if total is not None and (kept_day == today or computed_at >= local_midnight(kept_day + ONE_DAY, tz)):
            found[tenant_id] = (total, compliant)
        else:
            found[tenant_id] = kept_compliance(Tenant.objects.get(pk=tenant_id), day, now)
    return found


def _share(total: int, compliant: int) -> Decimal | None:
    return None if not total else Decimal(100 * compliant) / Decimal(total)


def compliance_share(tenant: Tenant, period: Period) -> Decimal | None:
    """The share (percent) of active volunteers holding every certificate they need, as counted
    at the end of the period's last day (for a period not over yet: today's latest count, at most
    15 minutes old, or seconds after a change of training or of a volunteer), read from the kept
    count in one query (``kept_compliance``), for every station and period of a
    ``rollups.prefetched`` block at once."""

    def compute_many(ids: list[int], periods: list[Period]) -> list[dict[int, Decimal | None]]:
        now = timezone.now()
        return [
            {
                tenant_id: _share(*counts)
                for tenant_id, counts in kept_compliance_many(ids, p.last_day, now).items()
            }
            for p in periods
        ]

    return rollups.shared_many("training.compliance", tenant, period, compute_many)


def compliance_share_raw(tenant: Tenant, period: Period) -> Decimal | None:
    """The same share computed now from the rows (one SQL aggregate) at the end of the period or
    now: today's active volunteers and courses, so a past period's share follows later changes
    of volunteers and courses, which its kept count, counted at the time, does not."""
    return _share(*compliance_counts(tenant, min(period.end, timezone.now())))
