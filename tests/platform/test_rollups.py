"""The rollups behind the station's figures (jointdefense/core/rollups.py): bumps land on the
station's local day and add up, a move shifts a count between dimensions, a rollback takes the bump
with it, the reads sum by period, dimension, week and station, the histogram percentile agrees with
PostgreSQL's own, and a rebuild replaces a station's rollups by what their source computes."""

import datetime
import zoneinfo

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from jointdefense.core import rollups
from jointdefense.core.models import DailyCount
from jointdefense.core.periods import Period
from jointdefense.core.registry import RollupSource, rollup_sources

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


@pytest.fixture
def berlin(station_a):
    station_a.time_zone = "Europe/Berlin"
    station_a.save(update_fields=["time_zone"])
    return station_a


def at(text):
    return datetime.datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def week_of(day, tz=BERLIN):
    return Period.containing("week", datetime.date.fromisoformat(day), tz)


def test_a_bump_lands_on_the_station_local_day(berlin):
    # 23:30 in Berlin on Sunday 29 October 2023 is 22:30 UTC, still the Sunday there
    rollups.bump(berlin, "x.reports", at("2023-10-29T23:30"))
    rollups.bump(berlin, "x.reports", at("2023-10-30T00:10"))
    with scopes_disabled():
        days = dict(DailyCount.objects.filter(tenant=berlin).values_list("day", "count"))
    assert days == {datetime.date(2023, 10, 29): 1, datetime.date(2023, 10, 30): 1}
    assert rollups.counted(berlin, "x.reports", week_of("2023-10-29")) == 1
    assert rollups.counted(berlin, "x.reports", week_of("2023-10-30")) == 1


def test_bumps_add_up_and_a_move_shifts_between_dimensions(berlin, station_b):
    day = datetime.date(2024, 3, 4)
    rollups.bump_all(
        berlin,
        [
            rollups.Bump("x.reports", day, dimension="new"),
            rollups.Bump("x.reports", day, dimension="new"),
            rollups.Bump("x.hours", day, total=2.5),
        ],
    )
    rollups.move(berlin, "x.reports", day, from_dimension="new", to_dimension="closed")
    rollups.bump(station_b, "x.reports", day, dimension="new", count=7)
    week = week_of("2024-03-04")
    assert rollups.by_dimension(berlin, "x.reports", week) == {"new": (1, 0), "closed": (1, 0)}
    assert rollups.summed(berlin, "x.hours", week) == (1, pytest.approx(2.5))
    assert rollups.counted(berlin, "x.reports", week, dimension="new") == 1
    assert rollups.by_station([berlin.pk, station_b.pk], "x.reports", week, dimension="new") == {
        berlin.pk: (1, 0),
        station_b.pk: (7, 0),
    }


def test_a_rolled_back_write_leaves_no_count(berlin):
    with pytest.raises(RuntimeError), transaction.atomic():
        rollups.bump(berlin, "x.reports", datetime.date(2024, 3, 4))
        raise RuntimeError
    assert rollups.counted(berlin, "x.reports", week_of("2024-03-04")) == 0


def test_weekly_gives_each_local_week_in_one_query(berlin):
    for day, n in (("2024-03-04", 2), ("2024-03-10", 1), ("2024-03-11", 5), ("2024-03-31", 3)):
        rollups.bump(berlin, "x.reports", datetime.date.fromisoformat(day), count=n)
    march = Period.containing("month", datetime.date(2024, 3, 1), BERLIN)
    with CaptureQueriesContext(connection) as queries:
        weeks = rollups.weekly(berlin, "x.reports", march)
    assert len(queries) == 1
    # 31 March 2024 (the DST change) is the Sunday of the week starting 25 March
    assert weeks == {
        datetime.date(2024, 3, 4): 3,
        datetime.date(2024, 3, 11): 5,
        datetime.date(2024, 3, 25): 3,
    }


@pytest.mark.parametrize("fraction", [0.5, 0.9, 0.25, 1.0, 0.0])
def test_the_histogram_percentile_is_postgresqls_percentile_cont(db, fraction):
    values = [3, 3, 7, 10, 10, 10, 42, 95, 118]
    buckets = {}
    for v in values:
        buckets[v] = buckets.get(v, 0) + 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_cont(%s) WITHIN GROUP (ORDER BY v) FROM unnest(%s::float[]) AS v",
            [fraction, values],
        )
        expected = cursor.fetchone()[0]
    assert rollups.percentile_of(buckets.items(), fraction) == pytest.approx(expected)
    assert rollups.percentile_of([], fraction) is None


@pytest.mark.parametrize(
    "minutes,bucket",
    [(0, "0"), (59.9, "59"), (119, "119"), (121, "120"), (1439, "1435"), (1510, "1500"), (50000, "48960")],
)
def test_durations_fall_in_buckets(minutes, bucket):
    assert rollups.minutes_bucket(minutes) == bucket


@pytest.fixture
def source():
    """A source counting the station's members by the day they were added (a real table)."""

    def rows(tenant):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 'x.members', '', (now() AT TIME ZONE %s)::date, count(*), 0 "
                "FROM tenancy_membership WHERE tenant_id = %s",
                [tenant.time_zone, tenant.pk],
            )
            yield from cursor.fetchall()

    rollup_sources.register(RollupSource("x.members", rows))
    yield
    rollup_sources._entries.pop("x.members")


def test_a_rebuild_replaces_the_station_rollups_by_its_source(source, berlin, station_b, chief_a, officer_a):
    rollups.bump(berlin, "x.members", datetime.date(2020, 1, 1), count=99)  # wrong: replaced
    rollups.bump(berlin, "y.other", datetime.date(2020, 1, 1))  # another source's: kept
    rollups.bump(station_b, "x.members", datetime.date(2020, 1, 1), count=5)  # another station's: kept
    assert rollups.rebuild(berlin) == 1
    today = datetime.datetime.now(BERLIN).date()
    with scopes_disabled():
        rows = set(DailyCount.objects.values_list("tenant_id", "key", "day", "count"))
    assert rows == {
        (berlin.pk, "x.members", today, 2),
        (berlin.pk, "y.other", datetime.date(2020, 1, 1), 1),
        (station_b.pk, "x.members", datetime.date(2020, 1, 1), 5),
    }
