"""The patrols app's team measures (patrols/selectors/rankings.py) against hand-counted patrols
of station A's three teams in one week (station B's team walks more and is never counted for A),
and the ranking built from them (tenancy.selectors.team_ranking): ties share a rank."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled

from jointdefense.core.periods import Period
from jointdefense.core.registry import team_measures
from jointdefense.tenancy.selectors import RankRow, ranked, team_ranking
from patrols.selectors import rankings as r
from tests.factories import (
    CheckpointFactory,
    RouteFactory,
    active_volunteer,
    patrol_walked,
    team_with,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
WEEK = Period.containing("week", datetime.date(2024, 5, 15), SHANGHAI)  # Mon 13 – Sun 19 May 2024
MONDAY = datetime.datetime(2024, 5, 13, 8, 0, tzinfo=SHANGHAI)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def walks(station_a, station_b, officer_a, officer_b):
    """Station A: North (Ann, Bo) 2 patrols, 2.5 h, 5 check-ins, 4 of 6 checkpoints; South (Ann)
    1 patrol, 2.5 h, 2 check-ins, 2 of 3; East (Cy) 1 patrol, 0 h (one counted check-in), 1 of 3.
    Ann also walks a shift of no team (1 h) and North walks the week before. Station B: River,
    10 h."""
    ann, bo, cy = (active_volunteer(station_a, officer_a, full_name=n) for n in ("Ann", "Bo", "Cy"))
    north, south = team_with(station_a, "North", ann, bo), team_with(station_a, "South", ann)
    east = team_with(station_a, "East", cy)
    with scopes_disabled():
        route = RouteFactory(tenant=station_a)
        c1, c2, c3 = (CheckpointFactory(route=route, position=n) for n in (1, 2, 3))
        CheckpointFactory(route=route, position=4, is_active=False)  # not planned any more
    patrol_walked(ann, route, MONDAY, [(0, c1), (1, c2), (2, c3)], team=north)  # 2 h, 3 of 3
    patrol_walked(bo, route, MONDAY + DAY, [(0, c1), (0.5, c1)], team=north)  # 0.5 h, 1 of 3
    patrol_walked(ann, route, MONDAY + 2 * DAY, [(0, c1), (2.5, c2)], team=south)  # 2.5 h, 2 of 3
    patrol_walked(cy, route, MONDAY + 3 * DAY, [(0, c1), (1, c2, "flagged")], team=east)  # 0 h, 1 of 3
    patrol_walked(ann, route, MONDAY + 4 * DAY, [(0, c1), (1, c2)])  # no team's shift: 1 h
    patrol_walked(ann, route, MONDAY - 7 * DAY, [(0, c1), (3, c2)], team=north)  # the week before
    river_walker = active_volunteer(station_b, officer_b, full_name="Dee")
    river = team_with(station_b, "River", river_walker)
    with scopes_disabled():
        route_b = RouteFactory(tenant=station_b)
        b1 = CheckpointFactory(route=route_b, position=1)
    patrol_walked(river_walker, route_b, MONDAY, [(0, b1), (10, b1)], team=river, hours=12)
    return {"north": north, "south": south, "east": east, "river": river, "ann": ann, "bo": bo, "cy": cy}


def values(entries):
    return {entry.name: entry.value for entry in entries}


def test_team_measures_count_each_team_s_patrols(station_a, walks):
    with scope(tenant=[station_a.pk]):
        assert values(r.team_patrol_hours([station_a.pk], WEEK)) == {
            "North": Decimal("2.5"),
            "South": Decimal("2.5"),
        }  # East walked, with a single check-in: no hours, so not in this ranking
        assert values(r.team_patrols_walked([station_a.pk], WEEK)) == {"North": 2, "South": 1, "East": 1}
        assert values(r.team_check_ins([station_a.pk], WEEK)) == {"North": 5, "South": 2, "East": 1}
        compliance = values(r.team_checkpoint_compliance([station_a.pk], WEEK))
        assert compliance == {
            "North": pytest.approx(Decimal(4) * 100 / 6),
            "South": pytest.approx(Decimal(2) * 100 / 3),
            "East": pytest.approx(Decimal(100) / 3),
        }
        assert values(r.team_patrol_hours([station_a.pk], WEEK.previous())) == {"North": Decimal(3)}


def test_volunteer_hours_include_shifts_of_no_team(station_a, walks):
    with scope(tenant=[station_a.pk]):
        assert values(r.volunteer_patrol_hours([station_a.pk], WEEK)) == {
            "Ann": Decimal("5.5"),
            "Bo": Decimal("0.5"),
        }  # Cy walked without hours
        # the rankings read the rollups; their plain GROUP BY twins give the same
        for compute, raw in (
            (r.volunteer_patrol_hours, r.volunteer_patrol_hours_raw),
            (r.team_patrol_hours, r.team_patrol_hours_raw),
        ):
            for period in (WEEK, WEEK.previous()):
                assert values(compute([station_a.pk], period)) == values(raw([station_a.pk], period))


def test_another_station_s_teams_are_never_counted(station_a, station_b, walks):
    with scope(tenant=[station_a.pk, station_b.pk]):
        assert "River" not in values(r.team_patrol_hours([station_a.pk], WEEK))
        assert values(r.team_patrol_hours([station_b.pk], WEEK)) == {"River": Decimal(10)}
        both = r.team_patrol_hours([station_a.pk, station_b.pk], WEEK)
    assert {(e.name, e.tenant_id) for e in both} >= {("River", station_b.pk), ("North", station_a.pk)}


def measure(key):
    return next(m for m in team_measures if m.key == key)


def test_the_ranking_gives_tied_teams_one_rank(station_a, chief_a, walks):
    with scope(tenant=[station_a.pk]):
        rows = team_ranking(
            user=chief_a, tenant=station_a, measure=measure("patrols.team_hours"), period=WEEK
        )
        assert [(row.rank, row.name, row.value) for row in rows] == [
            (1, "North", 2.5),
            (1, "South", 2.5),
        ]
        assert rows[0].link == f"/s/station-a/teams/{walks['north'].pk}/"
        walked = team_ranking(
            user=chief_a, tenant=station_a, measure=measure("patrols.team_patrols"), period=WEEK, order="asc"
        )
        assert [(row.rank, row.name) for row in walked] == [(1, "East"), (1, "South"), (3, "North")]
        top_one = team_ranking(
            user=chief_a, tenant=station_a, measure=measure("patrols.team_hours"), period=WEEK, limit=1
        )
    assert [row.name for row in top_one] == ["North", "South"]  # both share the first place


def test_the_hours_asked_for_the_top_keep_every_row_tied_with_the_last_place(station_a, chief_a, walks):
    with scope(tenant=[station_a.pk]):
        every = r.team_patrol_hours([station_a.pk], WEEK)
        best = r.team_patrol_hours([station_a.pk], WEEK, top=1)
        assert sorted((x.name, x.value) for x in best) == [("North", 2.5), ("South", 2.5)]  # tied first
        assert len(every) >= len(best)
        # the ranking built from the top rows is the ranking built from all of them
        for limit in (1, 2, 5):
            shown = team_ranking(
                user=chief_a,
                tenant=station_a,
                measure=measure("patrols.team_hours"),
                period=WEEK,
                limit=limit,
            )
            rows = [RankRow(0, x.id, x.name, station_a, float(x.value), "", "hours") for x in every]
            assert [(row.rank, row.name) for row in shown] == [
                (row.rank, row.name) for row in ranked(rows, limit=limit)
            ]
