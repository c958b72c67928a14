"""The teams app's team measures (teams/selectors/rankings.py): points awarded in a period to each
team's members and to each volunteer, counted by hand (redemptions and corrections are not awards,
a volunteer in two teams counts for both, station B's points never count for station A), and the
rankings built from them with their ties."""

import datetime
import zoneinfo

import pytest
from django_scopes import scope

from jointdefense.core.periods import Period
from jointdefense.core.registry import team_measures
from jointdefense.tenancy.selectors import team_ranking
from teams.selectors import rankings as r
from tests.factories import active_volunteer, points_given, team_with

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MAY = Period.containing("month", datetime.date(2024, 5, 1), SHANGHAI)
IN_MAY = datetime.datetime(2024, 5, 10, 9, 0, tzinfo=SHANGHAI)
FIRST_MOMENT = datetime.datetime(2024, 5, 1, 0, 0, tzinfo=SHANGHAI)
JUNE = datetime.datetime(2024, 6, 1, 0, 0, tzinfo=SHANGHAI)


@pytest.fixture
def ledger(station_a, station_b, officer_a, officer_b):
    """Ann 30 + 10 (one at the station's first midnight of May), Bo 15 + 25, Cy 5; Ann in North
    and South, Bo in North, Cy in South. Not counted: the correction of Bo's 15 (awards are counted
    as the dashboard's figure counts them), Ann's points on 1 June, Cy's in the last minute of
    April; station B's Dee 500 (in River)."""
    ann, bo, cy = (active_volunteer(station_a, officer_a, full_name=n) for n in ("Ann", "Bo", "Cy"))
    team_with(station_a, "North", ann, bo)
    team_with(station_a, "South", ann, cy)
    team_with(station_a, "Idle")
    points_given(ann, 30, IN_MAY)
    points_given(ann, 10, FIRST_MOMENT)
    corrected = points_given(bo, 15, IN_MAY)
    points_given(bo, 25, IN_MAY)
    points_given(cy, 5, IN_MAY)
    points_given(bo, -15, IN_MAY, kind="reversal", reverses=corrected)
    points_given(ann, 99, JUNE)
    points_given(cy, 99, FIRST_MOMENT - datetime.timedelta(minutes=1))
    dee = active_volunteer(station_b, officer_b, full_name="Dee")
    team_with(station_b, "River", dee)
    points_given(dee, 500, IN_MAY)


def values(entries):
    return {entry.name: entry.value for entry in entries}


def test_points_awarded_by_team_and_by_volunteer(station_a, ledger):
    with scope(tenant=[station_a.pk]):
        assert values(r.team_points_awarded([station_a.pk], MAY)) == {"North": 80, "South": 45}
        assert values(r.volunteer_points_awarded([station_a.pk], MAY)) == {"Ann": 40, "Bo": 40, "Cy": 5}


def test_the_volunteers_points_from_the_rollup_are_the_ledger_s(station_a, station_b, ledger):
    with scope(tenant=[station_a.pk, station_b.pk]):
        for ids in ([station_a.pk], [station_a.pk, station_b.pk]):
            for period in (MAY, MAY.previous(), Period.containing("year", MAY.first_day, SHANGHAI)):
                assert values(r.volunteer_points_awarded(ids, period)) == values(
                    r.volunteer_points_awarded_raw(ids, period)
                )
        # the top one: both tied at 40
        assert values(r.volunteer_points_awarded([station_a.pk], MAY, top=1)) == {"Ann": 40, "Bo": 40}


def test_another_station_s_points_never_count(station_a, station_b, ledger):
    with scope(tenant=[station_a.pk, station_b.pk]):
        assert "River" not in values(r.team_points_awarded([station_a.pk], MAY))
        assert values(r.team_points_awarded([station_a.pk, station_b.pk], MAY))["River"] == 500
        assert "Dee" not in values(r.volunteer_points_awarded([station_a.pk], MAY))


def test_tied_volunteers_share_the_first_place_and_link_to_their_page(station_a, chief_a, ledger):
    measure = next(m for m in team_measures if m.key == "teams.volunteer_points")
    with scope(tenant=[station_a.pk]):
        rows = team_ranking(user=chief_a, tenant=station_a, measure=measure, period=MAY)
    assert [(row.rank, row.name, row.value) for row in rows] == [(1, "Ann", 40), (1, "Bo", 40), (3, "Cy", 5)]
    assert rows[0].link == f"/s/station-a/volunteers/{rows[0].id}/"


def test_a_ranking_of_many_tied_volunteers_shows_a_few_and_counts_the_rest(
    station_a, officer_a, chief_a, login
):
    """Twenty-five volunteers with the same points: the top two places show four of them (twice
    the places) and say how many more share the first place; the dashboard says it too."""
    for n in range(25):
        points_given(active_volunteer(station_a, officer_a, full_name=f"Tied {n:02}"), 10, IN_MAY)
    measure = next(m for m in team_measures if m.key == "teams.volunteer_points")
    with scope(tenant=[station_a.pk]):
        rows = team_ranking(user=chief_a, tenant=station_a, measure=measure, period=MAY, limit=2)
    assert [(row.rank, row.name) for row in rows] == [(1, f"Tied {n:02}") for n in range(4)]
    assert rows.more_tied == 21 and rows.last_rank == 1
    page = login(chief_a).get(f"/s/{station_a.slug}/dashboard/?period=month&date=2024-05-01")
    assert page.status_code == 200
    body = page.content.decode()
    # the dashboard's top five: ten rows, and the fifteen others counted
    assert body.count("Tied ") == 10 and "And 15 more tied at place 1." in body
