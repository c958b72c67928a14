"""The teams app's rollups (``core.rollups``): the series its services bump as they write and the
rows a rebuild computes again from the ledger and the applications
(``core.registry.RollupSource("teams.", rows)``, registered in ``apps.py``).

Series, each on the station's local day of the moment named:

* ``teams.points``: one per ledger entry, dimension = its kind (``award``, ``redemption``,
  ``reversal``), total = its points (signed), on the day it is dated (``created_at``);
* ``teams.points.by_volunteer``: the points *awarded* (entries of kind ``award``), dimension the
  volunteer's id, total = the points, for the volunteers' ranking (``selectors.rankings``); a wide
  series (one dimension per volunteer), which a figure table's ``rollups.prefetched`` leaves out;
* ``teams.applications``: one per application, on the day it was made (``applied_at``);
* ``teams.screening``: a histogram (``core.rollups.minutes_bucket``) of the time from an
  application to its first background review, on the day that review was recorded.
"""

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate

from jointdefense.core import rollups
from jointdefense.tenancy.models import Tenant

from ..models import PointEntry, Volunteer

POINTS = "teams.points"
AWARDED_BY_VOLUNTEER = "teams.points.by_volunteer"
APPLICATIONS = "teams.applications"
SCREENING = "teams.screening"

# ``core.rollups.minutes_bucket`` in SQL, over a column ``m`` of minutes
MINUTES_BUCKET_SQL = (
    "(CASE WHEN m < 120 THEN floor(m) WHEN m < 1440 THEN floor(m / 5) * 5"
    " WHEN m < 43200 THEN floor(m / 60) * 60 ELSE floor(m / 1440) * 1440 END)::bigint"
)
# each application's first background review and the minutes it took, of one station
FIRST_REVIEWS_SQL = (
    "SELECT v.id, min(b.recorded_at) AS first,"
    " GREATEST(EXTRACT(EPOCH FROM (min(b.recorded_at) - v.applied_at)) / 60.0, 0) AS m"
    " FROM teams_volunteer v JOIN teams_backgroundreview b"
    " ON b.volunteer_id = v.id AND b.tenant_id = v.tenant_id"
    " WHERE v.tenant_id = %s GROUP BY v.id, v.applied_at"
)


def screening_minutes(applied_at: datetime.datetime, reviewed_at: datetime.datetime) -> float:
    return max(0.0, (reviewed_at - applied_at).total_seconds() / 60)


def screening_bump(tenant: Any, applied_at: datetime.datetime, reviewed_at: datetime.datetime) -> None:
    """Count an application's first background review in the screening histogram."""
    bucket = rollups.minutes_bucket(screening_minutes(applied_at, reviewed_at))
    rollups.bump(tenant, SCREENING, reviewed_at, dimension=bucket)


def screening_median_raw(tenant: Tenant, start: datetime.datetime, end: datetime.datetime) -> float | None:
    """The median of the same buckets, by ``percentile_cont`` over the reviews themselves."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY {MINUTES_BUCKET_SQL})"  # noqa: S608 - constants
            f" FROM ({FIRST_REVIEWS_SQL}) r WHERE r.first >= %s AND r.first < %s",
            [tenant.pk, start, end],
        )
        row = cursor.fetchone()
    return None if row is None or row[0] is None else float(row[0])


def rows(tenant: Tenant) -> Iterator[tuple[str, str, Any, int, Decimal]]:
    """``(key, dimension, day, count, total)`` of every ``teams.`` series, grouped by the database
    by the station's local day (four queries)."""
    tz = tenant.zoneinfo

    def ledger(by: str, **where: Any) -> Any:
        """The ledger's entries counted and summed by local day and ``by``."""
        return (
            PointEntry.objects.filter(tenant=tenant, **where)
            .annotate(day=TruncDate("created_at", tzinfo=tz))
            .values("day", by)
            .annotate(n=Count("pk"), points=Sum("points"))
            .order_by()
            .values_list("day", by, "n", "points")
        )

    for day, kind, n, points in ledger("kind"):
        yield POINTS, kind, day, n, Decimal(points or 0)
    for day, volunteer_id, n, points in ledger("volunteer_id", kind=PointEntry.Kind.AWARD):
        yield AWARDED_BY_VOLUNTEER, str(volunteer_id), day, n, Decimal(points or 0)
    applications = (
        Volunteer.objects.filter(tenant=tenant)
        .annotate(day=TruncDate("applied_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("day", "n")
    )
    for day, n in applications:
        yield APPLICATIONS, "", day, n, Decimal(0)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (r.first AT TIME ZONE %s)::date, {MINUTES_BUCKET_SQL}, count(*)"  # noqa: S608 - constants
            f" FROM ({FIRST_REVIEWS_SQL}) r GROUP BY 1, 2",
            [tenant.time_zone, tenant.pk],
        )
        for day, bucket, n in cursor.fetchall():
            yield SCREENING, str(bucket), day, n, Decimal(0)
