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
        rows = set(DailyCount.objects.filter(tenant=berlin).values_list("span", "day", "count"))
    # each on its day, its week (from the Monday), its month (from the 1st) and its year
    assert rows == {
        ("d", datetime.date(2023, 10, 29), 1),
        ("d", datetime.date(2023, 10, 30), 1),
        ("w", datetime.date(2023, 10, 23), 1),
        ("w", datetime.date(2023, 10, 30), 1),
        ("m", datetime.date(2023, 10, 1), 2),
        ("y", datetime.date(2023, 1, 1), 2),
    }
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


def test_batched_weekly_reads_every_series_in_one_query_and_answers_as_weekly(berlin, station_b):
    for day, n in (("2024-03-04", 2), ("2024-03-10", 1), ("2024-03-11", 5), ("2024-03-31", 3)):
        rollups.bump(berlin, "x.reports", datetime.date.fromisoformat(day), count=n, dimension=f"d{n}")
        rollups.bump(berlin, "x.hours", datetime.date.fromisoformat(day), total=n / 2)
    rollups.bump(station_b, "x.reports", datetime.date(2024, 3, 5), count=9)
    march = Period.containing("month", datetime.date(2024, 3, 1), BERLIN)

    def reads():
        return [
            rollups.weekly(berlin, "x.reports", march),
            rollups.weekly(berlin, "x.reports", march, dimension="d5"),
            rollups.weekly(berlin, "x.hours", march, value="total"),
            rollups.weekly(station_b, "x.reports", march),
            rollups.weekly(berlin, "x.nothing", march),
        ]

    expected = reads()
    assert expected[1] == {datetime.date(2024, 3, 11): 5}
    with CaptureQueriesContext(connection) as queries:
        assert rollups.batched_weekly(reads) == expected
    assert len(queries) == 1


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
    assert rollups.rebuild(berlin) == 4  # the day, its week, its month and its year
    today = datetime.datetime.now(BERLIN).date()
    with scopes_disabled():
        rows = set(DailyCount.objects.filter(span="d").values_list("tenant_id", "key", "day", "count"))
        months = set(DailyCount.objects.filter(span="m").values_list("tenant_id", "key", "day", "count"))
    assert rows == {
        (berlin.pk, "x.members", today, 2),
        (berlin.pk, "y.other", datetime.date(2020, 1, 1), 1),
        (station_b.pk, "x.members", datetime.date(2020, 1, 1), 5),
    }
    assert (berlin.pk, "x.members", today.replace(day=1), 2) in months
    assert (berlin.pk, "x.members", datetime.date(2020, 1, 1), 99) not in months


@pytest.mark.parametrize(
    "first,last,expected",
    [
        # a year: its year row
        ("2024-01-01", "2024-12-31", [("y", "2024-01-01", "2024-01-01")]),
        # a quarter: its three months
        ("2024-04-01", "2024-06-30", [("m", "2024-04-01", "2024-06-01")]),
        # two years and a bit: the years, then months and days on either side
        (
            "2023-12-01",
            "2026-02-03",
            [
                ("m", "2023-12-01", "2023-12-01"),
                ("y", "2024-01-01", "2025-01-01"),
                ("m", "2026-01-01", "2026-01-01"),
                ("d", "2026-02-01", "2026-02-03"),  # Sunday to Tuesday: no whole week
            ],
        ),
        # a week: one week row
        ("2024-03-04", "2024-03-10", [("w", "2024-03-04", "2024-03-04")]),
        # Friday 1 to Sunday 10 March: three days, then the week from Monday 4
        ("2024-03-01", "2024-03-10", [("w", "2024-03-04", "2024-03-04"), ("d", "2024-03-01", "2024-03-03")]),
        # 20 February to 12 April: March whole, weeks and days on either side
        (
            "2024-02-20",
            "2024-04-12",
            [
                ("m", "2024-03-01", "2024-03-01"),
                ("d", "2024-02-20", "2024-02-29"),  # no whole week: Tuesday to Thursday
                ("w", "2024-04-01", "2024-04-01"),
                ("d", "2024-04-08", "2024-04-12"),
            ],
        ),
        # a single day
        ("2024-03-05", "2024-03-05", [("d", "2024-03-05", "2024-03-05")]),
    ],
)
def test_a_period_is_read_as_whole_years_months_weeks_then_days(first, last, expected):
    got = rollups.segments(datetime.date.fromisoformat(first), datetime.date.fromisoformat(last))
    assert sorted(got) == sorted(
        (span, datetime.date.fromisoformat(a), datetime.date.fromisoformat(b)) for span, a, b in expected
    )


def test_any_period_sums_the_same_as_its_days(berlin):
    # a count on each day of 25 December 2023 to 10 April 2024 (1 to 7 by the day), by month
    day, bumps = datetime.date(2023, 12, 25), []
    while day <= datetime.date(2024, 4, 10):
        bumps.append(rollups.Bump("x.reports", day, count=day.toordinal() % 7 + 1, dimension=str(day.month)))
        day += datetime.timedelta(days=1)
    rollups.bump_all(berlin, bumps)
    by_day = {b.when: b.count for b in bumps}
    for first, last in (
        ("2024-01-01", "2024-03-31"),
        ("2023-12-27", "2024-02-13"),
        ("2024-02-26", "2024-03-03"),
        ("2024-02-29", "2024-03-01"),
        ("2023-12-20", "2024-04-30"),
    ):
        period = Period(
            "custom", datetime.date.fromisoformat(first), datetime.date.fromisoformat(last), BERLIN
        )
        expected = sum(n for d, n in by_day.items() if period.first_day <= d <= period.last_day)
        assert rollups.counted(berlin, "x.reports", period) == expected, (first, last)
        months = rollups.by_dimension(berlin, "x.reports", period)
        weeks = rollups.weekly(berlin, "x.reports", period)
        assert sum(weeks.values()) == expected
        with rollups.prefetched([berlin], [period]), CaptureQueriesContext(connection) as queries:
            assert rollups.counted(berlin, "x.reports", period) == expected
            assert rollups.by_dimension(berlin, "x.reports", period) == months
        assert len(queries) == 0


def test_prefetched_answers_every_read_of_its_stations_and_periods_without_a_query(berlin, station_b):
    day = datetime.date(2024, 3, 6)
    rollups.bump_all(
        berlin,
        [
            rollups.Bump("x.reports", day, count=2, dimension="fire:1:new"),
            rollups.Bump("x.reports", day, count=3, dimension="theft:2:closed"),
            rollups.Bump("x.minutes", day, count=4, dimension="30"),
            rollups.Bump("x.minutes", day, count=1, dimension="90"),
        ],
    )
    rollups.bump(station_b, "x.reports", day, count=7, dimension="fire:9:new")
    month = Period.containing("month", day, BERLIN)
    reads = [
        lambda: rollups.summed(berlin, "x.reports", month),
        lambda: rollups.counted(berlin, "x.reports", month, dimension="fire:1:new"),
        lambda: rollups.counted(berlin, "x.reports", month, dimensions=["theft:2:closed", "x"]),
        lambda: rollups.counted(berlin, "x.reports", month, dimension_prefix="fire:"),
        lambda: rollups.counted(berlin, "x.reports", month, dimension_suffix=":closed"),
        lambda: rollups.by_dimension(berlin, "x.reports", month),
        lambda: rollups.by_station([berlin.pk, station_b.pk], "x.reports", month),
        lambda: rollups.percentile(berlin, "x.minutes", month, 0.9),
        lambda: rollups.counted(berlin, "x.nothing", month),
        lambda: rollups.counted(berlin, "x.reports", month.previous()),
    ]
    expected = [read() for read in reads]
    assert expected[:5] == [(5, 0), 2, 3, 2, 3]
    with (
        rollups.prefetched([berlin, station_b], [month, month.previous()]),
        CaptureQueriesContext(connection) as queries,
    ):
        assert [read() for read in reads] == expected
    assert len(queries) == 0
    # a period it did not read is read as before
    with rollups.prefetched([berlin], [month]), CaptureQueriesContext(connection) as queries:
        assert rollups.counted(berlin, "x.reports", week_of("2024-03-06")) == 5
    assert len(queries) == 1


def test_a_block_inside_one_that_read_its_stations_and_periods_reads_nothing_again(berlin, station_b):
    day = datetime.date(2024, 3, 6)
    rollups.bump(berlin, "x.reports", day, count=2)
    rollups.bump(station_b, "x.reports", day, count=7)
    month = Period.containing("month", day, BERLIN)
    # a batch of stations' summaries: the outer block reads them all, each station's own block none
    with rollups.prefetched([berlin, station_b], [month, month.previous()]):
        with CaptureQueriesContext(connection) as queries, rollups.prefetched([station_b], [month]):
            assert rollups.counted(station_b, "x.reports", month) == 7
        assert len(queries) == 0
        with (
            CaptureQueriesContext(connection) as queries,
            rollups.prefetched([berlin], [week_of("2024-03-06")]),
        ):
            assert rollups.counted(berlin, "x.reports", week_of("2024-03-06")) == 2
        assert len(queries) == 1  # a period the outer block did not read: read by the inner one


def test_shared_computes_once_per_station_and_period_inside_a_block(berlin, station_b):
    calls = []

    def compute(name):
        calls.append(name)
        return len(calls)

    month = Period.containing("month", datetime.date(2024, 3, 6), BERLIN)
    assert rollups.shared("x", berlin, month, lambda: compute("a")) == 1
    assert rollups.shared("x", berlin, month, lambda: compute("a")) == 2  # outside: every time
    with rollups.prefetched([berlin], [month]):
        assert rollups.shared("x", berlin, month, lambda: compute("b")) == 3
        assert rollups.shared("x", berlin, month, lambda: compute("b")) == 3
        assert rollups.shared("x", berlin, month.previous(), lambda: compute("c")) == 4
        assert rollups.shared("x", station_b, month, lambda: compute("d")) == 5
    assert calls == ["a", "a", "b", "c", "d"]


def test_deferred_rollups_wait_for_the_rebuild_at_the_block_s_end(source, berlin, station_b, chief_a):
    day = datetime.date(2024, 3, 4)
    with rollups.deferred(berlin):
        rollups.bump(berlin, "x.members", day, count=99)  # waits: the rebuild counts the rows
        rollups.bump(station_b, "x.reports", day)  # another station's: counted at once
        assert rollups.is_deferred(berlin) and not rollups.is_deferred(station_b)
        with scopes_disabled():
            assert not DailyCount.objects.filter(tenant=berlin).exists()
            assert DailyCount.objects.filter(tenant=station_b, key="x.reports").exists()
    assert not rollups.is_deferred(berlin)
    today = datetime.datetime.now(BERLIN).date()
    with scopes_disabled():
        assert set(DailyCount.objects.filter(tenant=berlin, span="d").values_list("key", "day", "count")) == {
            ("x.members", today, 1)  # the chief's membership, as the source counts it
        }


def test_a_deferred_block_that_fails_rebuilds_nothing(source, berlin, chief_a):
    rollups.bump(berlin, "x.members", datetime.date(2020, 1, 1), count=5)
    with pytest.raises(RuntimeError), transaction.atomic(), rollups.deferred(berlin):
        raise RuntimeError
    assert not rollups.is_deferred(berlin)
    with scopes_disabled():
        assert list(DailyCount.objects.filter(tenant=berlin, span="d").values_list("day", "count")) == [
            (datetime.date(2020, 1, 1), 5)
        ]
