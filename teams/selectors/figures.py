"""The teams app's dashboard figures (``core.registry.figures``, registered in ``apps.py``): one
selector each over a station and period (``core.periods.Period``). The flows (applications, their
screening time, points awarded and redeemed) read the rollups the services keep
(``selectors.rollups``), one query each, and have their plain aggregate over the rows (``*_raw``,
the figure's ``raw``); the stocks (active volunteers, households per officer) are aggregates over
indexed columns."""

import datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from jointdefense.core import rollups
from jointdefense.core.periods import Period
from jointdefense.tenancy.models import Community, Membership, Role, Tenant

from ..models import DEFAULT_BACKGROUND_GROUPS, BackgroundGroup, PointEntry, Volunteer, VolunteerRole
from .rollups import APPLICATIONS, POINTS, SCREENING, screening_median_raw

HOUSEHOLDS_NORM = 1000  # one community officer per 1,000 households (the field reports' norm)
MINUTES_A_DAY = 1440


def _active(period: Period) -> Q:
    return Q(status=Volunteer.Status.ACTIVE, activated_at__lt=period.end)


def _active_counts(tenant: Tenant, period: Period) -> dict[str, int]:
    """The active volunteers of the period: ``""`` all of them, ``role:<role>`` by each role and
    ``from:<slug>`` by each background, in one aggregate query shared by their figures and, in a
    batch of stations, by the stations (``rollups.shared_many``: the dashboard asks for them one by
    one, a batch of weekly summaries station by station). The database counts the volunteers of
    each station, background and set of roles (a few dozen groups, however many volunteers); each
    figure adds up the groups it counts."""

    def compute_many(ids: list[int], periods: list[Period]) -> list[dict[int, dict[str, int]]]:
        names = ["", *(f"role:{role}" for role in VolunteerRole)]
        names += [f"from:{slug}" for slug, _label in DEFAULT_BACKGROUND_GROUPS]
        found = [{pk: dict.fromkeys(names, 0) for pk in ids} for _period in periods]
        ends = [p.end for p in periods]
        # through the cursor: the dashboard's costliest figure, and the ORM took as long to write
        # the statement as the database to answer it. Fixed fragments and the models' tables only.
        counts_by_end = ", ".join("count(*) FILTER (WHERE v.activated_at < %s)" for _end in ends)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT v.tenant_id, g.slug, v.roles, {counts_by_end}"  # noqa: S608
                f" FROM {Volunteer._meta.db_table} AS v"
                f" LEFT JOIN {BackgroundGroup._meta.db_table} AS g ON g.id = v.background_group_id"
                " WHERE v.tenant_id = ANY(%s) AND v.status = %s AND v.activated_at < %s"
                " GROUP BY 1, 2, 3",
                [*ends, ids, Volunteer.Status.ACTIVE.value, max(ends)],
            )
            groups = cursor.fetchall()
        for tenant_id, background, roles, *counted in groups:
            for index, n in enumerate(counted):
                counts = found[index][tenant_id]
                counts[""] += n
                for role in set(roles or ()):
                    if (name := f"role:{role}") in counts:
                        counts[name] += n
                if (name := f"from:{background}") in counts:
                    counts[name] += n
        return found

    return rollups.shared_many("teams.active", tenant, period, compute_many)


def active_volunteers(tenant: Tenant, period: Period) -> int:
    """Volunteers active now who were active by the end of the period."""
    return _active_counts(tenant, period)[""]


def active_volunteers_in_role(tenant: Tenant, period: Period, role: str) -> int:
    """Of those, the volunteers classified in ``role`` (a volunteer may hold several)."""
    counts = _active_counts(tenant, period)
    if f"role:{role}" in counts:
        return counts[f"role:{role}"]
    return Volunteer.objects.filter(_active(period), tenant=tenant, roles__contains=[role]).count()


def active_volunteers_from(tenant: Tenant, period: Period, background: str) -> int:
    """Of those, the volunteers from the background group with the short name ``background``."""
    counts = _active_counts(tenant, period)
    if f"from:{background}" in counts:
        return counts[f"from:{background}"]
    return Volunteer.objects.filter(_active(period), tenant=tenant, background_group__slug=background).count()


def new_applications(tenant: Tenant, period: Period) -> int:
    """People who applied in the period (also imported from a roster)."""
    return rollups.counted(tenant, APPLICATIONS, period)


def new_applications_raw(tenant: Tenant, period: Period) -> int:
    return Volunteer.objects.filter(
        tenant=tenant, applied_at__gte=period.start, applied_at__lt=period.end
    ).count()


def screening_days(tenant: Tenant, period: Period) -> float | None:
    """The median time, in days, from an application to its first background review, of the
    applications first reviewed in the period (to the hour under 30 days: the histogram's buckets)."""
    minutes = rollups.percentile(tenant, SCREENING, period, 0.5)
    return None if minutes is None else minutes / MINUTES_A_DAY


def screening_days_raw(tenant: Tenant, period: Period) -> float | None:
    minutes = screening_median_raw(tenant, period.start, period.end)
    return None if minutes is None else minutes / MINUTES_A_DAY


def _points(tenant: Tenant, period: Period, kind: str) -> int:
    return int(rollups.summed(tenant, POINTS, period, dimension=kind)[1])


def _points_raw(tenant: Tenant, period: Period, kind: str) -> int:
    total: int = PointEntry.objects.filter(
        tenant=tenant, kind=kind, created_at__gte=period.start, created_at__lt=period.end
    ).aggregate(n=Coalesce(Sum("points"), 0))["n"]
    return total


def points_awarded(tenant: Tenant, period: Period) -> int:
    """Points awarded in the period (corrections not netted: they are their own entries)."""
    return _points(tenant, period, PointEntry.Kind.AWARD)


def points_awarded_raw(tenant: Tenant, period: Period) -> int:
    return _points_raw(tenant, period, PointEntry.Kind.AWARD)


def points_redeemed(tenant: Tenant, period: Period) -> int:
    """Points spent on rewards in the period (redemptions are negative entries)."""
    return -_points(tenant, period, PointEntry.Kind.REDEMPTION)


def points_redeemed_raw(tenant: Tenant, period: Period) -> int:
    return -_points_raw(tenant, period, PointEntry.Kind.REDEMPTION)


def points_weekly(tenant: Tenant, period: Period, kind: str) -> dict[datetime.date, int]:
    sign = -1 if kind == PointEntry.Kind.REDEMPTION else 1
    weeks = rollups.weekly(tenant, POINTS, period, value="total", dimension=kind)
    return {week: sign * int(value) for week, value in weeks.items()}


def households_per_officer(tenant: Tenant, period: Period) -> Decimal | None:
    """The households of the station's communities (those with a count) per community police
    officer with an active membership, now (the norm: :data:`HOUSEHOLDS_NORM`). Two aggregate
    queries, once for both periods of a table (a figure of now) and, in a batch, for all its
    stations; None without officers or households."""

    def compute_many(ids: list[int], periods: list[Any]) -> list[dict[int, Decimal | None]]:
        with connection.cursor() as cursor:  # one statement for both counts, fixed fragments only
            cursor.execute(
                "SELECT station.id,"  # noqa: S608
                f" (SELECT sum(households) FROM {Community._meta.db_table} WHERE tenant_id = station.id),"
                f" (SELECT count(*) FROM {Membership._meta.db_table}"
                "   WHERE tenant_id = station.id AND is_active AND roles @> ARRAY[%s]::varchar[])"
                " FROM unnest(%s::int[]) AS station(id)",
                [Role.OFFICER.value, ids],
            )
            counted = cursor.fetchall()
        per_officer = {
            pk: Decimal(households) / Decimal(officers) if households and officers else None
            for pk, households, officers in counted
        }
        return [per_officer for _period in periods]  # a figure of now: the same for every period

    return rollups.shared_many("teams.households_per_officer", tenant, None, compute_many)
