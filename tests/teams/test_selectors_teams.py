"""teams.selectors.teams: what a team leader sees of the station's teams."""

import pytest
from django_scopes import scope, scopes_disabled

from teams.selectors.teams import team_list_with_roster, teams_led_by
from teams.services.teams import team_member_add
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


def test_a_leader_gets_only_the_teams_they_lead_with_their_roster(station_a, officer_a, patroller_a, team_a):
    with scopes_disabled():
        other = TeamFactory(tenant=station_a, name="River Watch")
    with scope(tenant=station_a):
        team_member_add(team=team_a, volunteer=patroller_a, actor=officer_a, is_leader=True)
        assert teams_led_by(tenant=station_a, user=patroller_a.user) == [team_a.pk]
        led = list(team_list_with_roster(tenant=station_a, led_by=patroller_a.user))
        every = list(team_list_with_roster(tenant=station_a))
    assert [t.pk for t in led] == [team_a.pk]
    assert [m.volunteer_id for m in led[0].roster] == [patroller_a.pk]
    assert {t.pk for t in every} == {team_a.pk, other.pk}
