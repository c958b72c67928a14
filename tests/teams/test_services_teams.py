"""teams.services.teams: members of teams, and the team-leader role that leading one gives."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django_scopes import scope

from jointdefense.tenancy.models import Role
from teams.errors import ScreeningError, TeamError
from teams.models import Team, Volunteer
from teams.services.teams import team_member_add, team_save
from tests.factories import roles_of

S = Volunteer.Status
TODAY = datetime.date(2026, 11, 1)


def test_leading_a_team_gives_the_team_leader_role(patroller_a, officer_a, station_a, team_a):
    with scope(tenant=station_a):
        team_member_add(team=team_a, volunteer=patroller_a, actor=officer_a, is_leader=True)
        assert Role.TEAM_LEADER in roles_of(patroller_a.user, station_a)
        team_member_add(team=team_a, volunteer=patroller_a, actor=officer_a, is_leader=False)
        assert Role.TEAM_LEADER not in roles_of(patroller_a.user, station_a)


def test_only_active_volunteers_join_teams(application, officer_a, station_a, team_a):
    with scope(tenant=station_a), pytest.raises(ScreeningError):
        team_member_add(team=team_a, volunteer=application, actor=officer_a)


def test_another_stations_volunteer_cannot_join(patroller_b, officer_a, station_a, team_a):
    with scope(tenant=[station_a.pk, patroller_b.tenant_id]), pytest.raises(ScreeningError):
        team_member_add(team=team_a, volunteer=patroller_b, actor=officer_a)


def test_a_team_name_is_unique_in_the_station(officer_a, station_a, station_b, team_a):
    with scope(tenant=station_a), pytest.raises(TeamError) as err:
        team_save(team=Team(tenant=station_a, name=" Garden Patrol ", type="other"), actor=officer_a)
    assert (err.value.code, err.value.field) == ("unique", "name")
    with scope(tenant=station_a):
        team_a.description = "Same name, same team: no conflict"
        team_save(team=team_a, actor=officer_a)
    with scope(tenant=station_b):  # another station may use the name
        team_save(team=Team(tenant=station_b, name="Garden Patrol", type="other"), actor=officer_a)


def test_the_database_still_refuses_a_second_team_of_the_same_name(station_a, team_a):
    with scope(tenant=station_a), pytest.raises(IntegrityError), transaction.atomic():
        Team.objects.create(tenant=station_a, name="Garden Patrol", type="other")


def test_a_team_cannot_take_another_stations_community(officer_a, station_a, community_b):
    with scope(tenant=[station_a.pk, community_b.tenant_id]), pytest.raises(TeamError) as err:
        team_save(
            team=Team(tenant=station_a, name="Cross", type="other", home_community=community_b),
            actor=officer_a,
        )
    assert err.value.field == "home_community"
