"""Team pages: the list (a team leader sees only the teams they lead), creating and editing a team,
its roster with filters, adding and removing members."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from jointdefense.tenancy.models import Role
from teams.models import Team, TeamMember
from teams.services.teams import team_member_add
from tests.factories import (
    CommunityFactory,
    TeamFactory,
    UserFactory,
    VolunteerFactory,
    active_volunteer,
    roles_of,
)


def url(name, station="station-a", **kwargs):
    return reverse(f"teams:{name}", kwargs={"station": station, **kwargs})


def members_of(team):
    with scopes_disabled():
        return {
            m.volunteer.full_name: m.is_leader
            for m in TeamMember.objects.filter(team=team).select_related("volunteer")
        }


@pytest.fixture
def leader(station_a, officer_a, team_a, patroller_a):
    """Patroller A leads team A (and so holds the team leader role)."""
    with scopes_disabled():
        team_member_add(team=team_a, volunteer=patroller_a, actor=officer_a, is_leader=True)
    return patroller_a.user


@pytest.fixture
def other_team(station_a):
    with scopes_disabled():
        return TeamFactory(tenant=station_a, name="Market Riders", type=Team.Type.RIDERS)


# ---- the list -------------------------------------------------------------------------------------


def test_officer_sees_every_team_of_the_station(login, officer_a, team_a, other_team, team_b):
    body = login(officer_a).get(url("team-list")).content.decode()

    assert "Garden Patrol" in body and "Market Riders" in body
    assert "River Patrol" not in body
    assert url("team-create") in body


def test_team_leader_sees_only_the_teams_they_lead(login, leader, team_a, other_team):
    client = login(leader)

    body = client.get(url("team-list")).content.decode()
    assert "Garden Patrol" in body and "Market Riders" not in body
    assert url("team-create") not in body
    assert client.get(url("team-detail", pk=team_a.pk)).status_code == 200
    assert client.get(url("team-detail", pk=other_team.pk)).status_code == 403
    assert client.get(url("team-create")).status_code == 403


def test_bureau_viewer_reads_every_team_but_cannot_change_them(login, bureau_viewer, team_a, other_team):
    client = login(bureau_viewer)

    body = client.get(url("team-list")).content.decode()
    assert "Garden Patrol" in body and "Market Riders" in body
    assert client.get(url("team-detail", pk=other_team.pk)).status_code == 200
    assert client.get(url("team-edit", pk=team_a.pk)).status_code == 403


def test_volunteer_gets_403_on_teams(login, volunteer_a, team_a):
    client = login(volunteer_a)
    assert client.get(url("team-list")).status_code == 403
    assert client.get(url("team-detail", pk=team_a.pk)).status_code == 403


def test_outsider_gets_404_on_a_team_of_station_a(login, officer_b, team_a):
    client = login(officer_b)
    assert client.get(url("team-detail", pk=team_a.pk)).status_code == 404
    assert client.get(url("team-detail", station="station-b", pk=team_a.pk)).status_code == 404


def test_team_list_costs_the_same_queries_whatever_its_length(
    login, officer_a, station_a, django_assert_num_queries
):
    client = login(officer_a)
    for n in range(4):
        with scopes_disabled():
            team = TeamFactory(tenant=station_a, name=f"Team {n}")
        volunteer = active_volunteer(station_a, officer_a, full_name=f"Leader {n}")
        with scopes_disabled():
            team_member_add(team=team, volunteer=volunteer, actor=officer_a, is_leader=True)
        # 1 the station (middleware), 2 session, 3 user, 4 the user's roles in the station,
        # 5 count of teams (paginator), 6 the page of teams with community and member count,
        # 7 their leaders with volunteers, 8 the user's stations (station switcher in the header)
        with django_assert_num_queries(8):
            response = client.get(url("team-list"))
        assert response.status_code == 200
        assert f"Leader {n}" in response.content.decode()


# ---- creating and editing -------------------------------------------------------------------------


def test_officer_creates_a_team_with_grid_cells(login, officer_a, station_a, community_a, cell_a):
    response = login(officer_a).post(
        url("team-create"),
        {
            "name": "Evening Brigade",
            "type": "patrol_brigade",
            "home_community": community_a.pk,
            "grid_cells": [cell_a.pk],
            "description": "Road segments near the market",
            "is_active": "on",
        },
    )

    with scopes_disabled():
        team = Team.objects.get(tenant=station_a, name="Evening Brigade")
        assert list(team.grid_cells.all()) == [cell_a]
    assert response.status_code == 302
    assert response["Location"] == url("team-detail", pk=team.pk)
    assert team.home_community == community_a


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "Garden Patrol"}, "This station already has a team with this name."),
        ({"name": ""}, "This field is required."),
        ({"type": "navy"}, "Select a valid choice"),
        ({"home_community": "community_b"}, "Select a valid choice"),
        ({"grid_cells": "cell_b"}, "Select a valid choice"),
    ],
    ids=["duplicate-name", "no-name", "unknown-type", "other-station-community", "other-station-cell"],
)
def test_bad_team_is_refused_and_nothing_saved(
    login, officer_a, station_a, team_a, community_b, cell_b, overrides, message
):
    data = {"name": "Evening Brigade", "type": "patrol_brigade", "is_active": "on", **overrides}
    if data.get("home_community") == "community_b":
        data["home_community"] = community_b.pk
    if data.get("grid_cells") == "cell_b":
        data["grid_cells"] = [cell_b.pk]

    response = login(officer_a).post(url("team-create"), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    with scopes_disabled():
        assert list(Team.objects.filter(tenant=station_a).values_list("name", flat=True)) == ["Garden Patrol"]


def test_officer_edits_a_team(login, officer_a, team_a, cell_a):
    client = login(officer_a)
    page = client.get(url("team-edit", pk=team_a.pk)).content.decode()
    assert 'value="Garden Patrol"' in page

    response = client.post(
        url("team-edit", pk=team_a.pk),
        {
            "name": "Garden Night Patrol",
            "type": "community_patrol",
            "grid_cells": [cell_a.pk],
        },
    )

    assert response.status_code == 302
    with scopes_disabled():
        team = Team.objects.get(pk=team_a.pk)
        assert list(team.grid_cells.all()) == [cell_a]
    assert team.name == "Garden Night Patrol"
    assert team.is_active is False


# ---- the roster and its members -------------------------------------------------------------------


def test_roster_shows_leaders_first(login, officer_a, station_a, team_a, leader):
    aaron = active_volunteer(station_a, officer_a, full_name="Aaron Early")
    with scopes_disabled():
        team_member_add(team=team_a, volunteer=aaron, actor=officer_a)

    body = login(officer_a).get(url("team-detail", pk=team_a.pk)).content.decode()

    assert body.index("Patroller A") < body.index("Aaron Early")


def test_officer_adds_and_removes_a_member(login, officer_a, station_a, team_a, patroller_a):
    client = login(officer_a)
    page = client.get(url("team-detail", pk=team_a.pk)).content.decode()
    assert f'<option value="{patroller_a.pk}">' in page

    response = client.post(
        url("team-member-add", pk=team_a.pk), {"volunteer": patroller_a.pk, "is_leader": "on"}
    )
    assert response.status_code == 302
    assert members_of(team_a) == {"Patroller A": True}
    assert Role.TEAM_LEADER in roles_of(patroller_a.user, station_a)
    page = client.get(url("team-detail", pk=team_a.pk)).content.decode()
    assert f'<option value="{patroller_a.pk}">' not in page  # already in the team

    response = client.post(url("team-member-remove", pk=team_a.pk, volunteer=patroller_a.pk))
    assert response.status_code == 302
    assert members_of(team_a) == {}
    assert Role.TEAM_LEADER not in roles_of(patroller_a.user, station_a)
    assert Role.VOLUNTEER in roles_of(patroller_a.user, station_a)


def test_adding_a_volunteer_who_is_not_active_is_refused(login, officer_a, station_a, team_a):
    with scopes_disabled():
        applicant = VolunteerFactory(tenant=station_a, full_name="Not Yet Screened")
    client = login(officer_a)
    assert (
        f'<option value="{applicant.pk}">'
        not in client.get(url("team-detail", pk=team_a.pk)).content.decode()
    )

    response = client.post(url("team-member-add", pk=team_a.pk), {"volunteer": applicant.pk})

    assert response.status_code == 400
    assert "Only active volunteers join teams." in response.content.decode()
    assert members_of(team_a) == {}


def test_adding_a_volunteer_of_another_station_is_refused(login, officer_a, team_a, patroller_b):
    response = login(officer_a).post(url("team-member-add", pk=team_a.pk), {"volunteer": patroller_b.pk})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert members_of(team_a) == {}


def test_team_leader_cannot_change_members(login, leader, team_a, officer_a, station_a):
    other = active_volunteer(station_a, officer_a, full_name="Other Volunteer")
    client = login(leader)

    page = client.get(url("team-detail", pk=team_a.pk)).content.decode()
    assert url("team-member-add", pk=team_a.pk) not in page
    assert client.post(url("team-member-add", pk=team_a.pk), {"volunteer": other.pk}).status_code == 403
    assert members_of(team_a) == {"Patroller A": True}


def test_member_pages_answer_405_to_get(login, officer_a, team_a, patroller_a):
    client = login(officer_a)
    assert client.get(url("team-member-add", pk=team_a.pk)).status_code == 405
    assert client.get(url("team-member-remove", pk=team_a.pk, volunteer=patroller_a.pk)).status_code == 405


@pytest.fixture
def crew(station_a, officer_a, team_a, community_a):
    with scopes_disabled():
        hill = CommunityFactory(tenant=station_a, slug="hill", name="Hill Community")
    people = [
        active_volunteer(
            station_a,
            officer_a,
            full_name="Pat Patrol",
            roles=["patrol"],
            home_community=community_a,
            availability=["sat_night"],
            user=UserFactory(username="pat"),
        ),
        active_volunteer(
            station_a,
            officer_a,
            full_name="Mei Mediator",
            roles=["mediation"],
            home_community=hill,
            availability=["mon_morning"],
            user=UserFactory(username="mei"),
        ),
    ]
    outsider = active_volunteer(
        station_a,
        officer_a,
        full_name="Not In Team",
        roles=["mediation"],
        home_community=hill,
        availability=["mon_morning"],
    )
    with scopes_disabled():
        for person in people:
            team_member_add(team=team_a, volunteer=person, actor=officer_a)
    return {"hill": hill, "outsider": outsider}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"Pat Patrol", "Mei Mediator"}),
        ({"role": "mediation"}, {"Mei Mediator"}),
        ({"community": "hill"}, {"Mei Mediator"}),
        ({"weekday": "sat"}, {"Pat Patrol"}),
        ({"daypart": "morning"}, {"Mei Mediator"}),
        ({"weekday": "sun"}, set()),
    ],
    ids=["all", "role", "community", "weekday", "daypart", "nobody"],
)
def test_team_roster_filters(login, officer_a, team_a, crew, query, expected):
    query = dict(query)
    if query.get("community") == "hill":
        query["community"] = crew["hill"].pk

    response = login(officer_a).get(url("team-detail", pk=team_a.pk), query)

    assert response.status_code == 200
    body = response.content.decode()
    roster = (
        body.split('data-testid="roster"')[1].split("</table>")[0] if 'data-testid="roster"' in body else ""
    )
    shown = {name for name in ("Pat Patrol", "Mei Mediator", "Not In Team") if name in roster}
    assert shown == expected
