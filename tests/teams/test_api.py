"""The teams API under /api/s/<station>/: roster, screening, teams, points ledger, rewards and
redemptions. Roles from tenancy.roles; another station's objects are 404 like missing ones."""

import datetime

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from jointdefense.tenancy.models import Membership, Role
from teams.models import PointEntry, Redemption, Reward, ScreeningEvent, TeamMember, Volunteer, mask_id_number
from teams.selectors.points import balance
from teams.services.points import points_award
from teams.services.rewards import redemption_request
from teams.services.teams import team_member_add
from tests.factories import TeamFactory, UserFactory, VolunteerFactory, active_volunteer


def api_url(name, station, **kwargs):
    return reverse(f"api:{name}", kwargs={"station": station.slug, **kwargs})


def call(client, method, url, data=None):
    if method == "get":
        return client.get(url, data or {})
    return getattr(client, method)(url, data or {}, content_type="application/json")


@pytest.fixture
def applicant_a(station_a, community_a):
    with scope(tenant=station_a):
        return VolunteerFactory(tenant=station_a, full_name="Applicant A", home_community=community_a)


@pytest.fixture
def leader_a(station_a, officer_a, team_a):
    """An active volunteer who leads team A (and so holds the team leader role)."""
    user = UserFactory(username="leader_a", full_name="Leader A")
    volunteer = active_volunteer(station_a, officer_a, user=user, full_name="Leader A")
    with scope(tenant=station_a):
        team_member_add(team=team_a, volunteer=volunteer, actor=officer_a, is_leader=True)
    return user


@pytest.fixture
def award_a(station_a, officer_a, patroller_a):
    with scope(tenant=station_a):
        entry, _created = points_award(
            tenant=station_a,
            volunteer=patroller_a,
            kind="valuable_clue",
            idempotency_key="clue:1",
            actor=officer_a,
        )
    return entry


@pytest.fixture
def redemption_a(station_a, officer_a, patroller_a, award_a):
    with scope(tenant=station_a):
        reward = Reward.objects.create(tenant=station_a, kind="item", name="Torch", cost_points=30, stock=2)
        return redemption_request(volunteer=patroller_a, reward=reward, actor=patroller_a.user)


# ---- roster --------------------------------------------------------------------------------------------


def test_officer_lists_volunteers_with_full_id_numbers_teams_and_balance(
    login, officer_a, station_a, patroller_a, team_a, award_a
):
    with scope(tenant=station_a):
        team_member_add(team=team_a, volunteer=patroller_a, actor=officer_a)
    data = login(officer_a).get(api_url("volunteer-list", station_a)).json()
    [row] = data["results"]
    assert row["full_name"] == "Patroller A"
    assert row["id_number"] == patroller_a.id_number
    assert row["home_community"] == "garden"
    assert row["teams"] == [{"id": team_a.pk, "name": "Garden Patrol"}]
    assert row["status"] == "active"
    assert row["balance"] == 75  # a valuable clue: 50 points × 1.5


def test_bureau_viewer_sees_masked_id_numbers(login, bureau_viewer, station_a, patroller_a):
    client = login(bureau_viewer)
    [row] = client.get(api_url("volunteer-list", station_a)).json()["results"]
    assert row["id_number"] == mask_id_number(patroller_a.id_number)
    assert (
        patroller_a.id_number
        not in client.get(api_url("volunteer-detail", station_a, pk=patroller_a.pk)).content.decode()
    )


def test_volunteer_may_not_read_the_roster(login, volunteer_a, station_a, patroller_a):
    client = login(volunteer_a)
    assert client.get(api_url("volunteer-list", station_a)).status_code == 403
    assert client.get(api_url("volunteer-detail", station_a, pk=patroller_a.pk)).status_code == 403


def test_roster_filters_like_the_roster_page(login, officer_a, station_a, patroller_a, applicant_a):
    client = login(officer_a)
    active = client.get(api_url("volunteer-list", station_a), {"status": "active"}).json()["results"]
    assert [v["full_name"] for v in active] == ["Patroller A"]
    found = client.get(api_url("volunteer-list", station_a), {"q": "applicant"}).json()["results"]
    assert [v["full_name"] for v in found] == ["Applicant A"]
    assert client.get(api_url("volunteer-list", station_a), {"status": "nonsense"}).status_code == 400


def test_officer_classifies_a_volunteer(login, officer_a, station_a, patroller_a):
    client = login(officer_a)
    url = api_url("volunteer-classify", station_a, pk=patroller_a.pk)
    response = call(client, "patch", url, {"roles": ["publicity", "patrol"]})
    assert response.status_code == 200
    assert response.json()["roles"] == ["patrol", "publicity"]
    refused = call(client, "patch", url, {"roles": ["astronaut"]})
    assert refused.status_code == 400
    assert "roles" in refused.json()
    with scopes_disabled():
        assert Volunteer.objects.get(pk=patroller_a.pk).roles == ["patrol", "publicity"]


def test_bureau_viewer_may_not_classify(login, bureau_viewer, station_a, patroller_a):
    url = api_url("volunteer-classify", station_a, pk=patroller_a.pk)
    assert call(login(bureau_viewer), "patch", url, {"roles": ["patrol"]}).status_code == 403


# ---- screening ------------------------------------------------------------------------------------------


def test_officer_screens_an_application_to_active(login, officer_a, station_a, applicant_a):
    client = login(officer_a)
    listed = client.get(api_url("application-list", station_a)).json()["results"]
    assert [a["full_name"] for a in listed] == ["Applicant A"]

    def step(name, data=None):
        response = call(client, "post", api_url(f"application-{name}", station_a, pk=applicant_a.pk), data)
        assert response.status_code == 200, response.content
        return response.json()

    assert step("start-review")["status"] == "under_review"
    reviewed = step("review", {"result": "passed", "reviewed_on": "2026-01-05", "notes": "Clean record"})
    assert reviewed["background_review"]["result"] == "passed"
    assert step("approve")["status"] == "approved"
    active = step("activate")
    assert active["status"] == "active"
    with scopes_disabled():
        assert Role.VOLUNTEER in Membership.objects.get(tenant=station_a, user=applicant_a.user).roles
    assert client.get(api_url("application-list", station_a)).json()["results"] == []


def test_approval_without_a_review_is_refused_and_changes_nothing(login, officer_a, station_a, applicant_a):
    client = login(officer_a)
    call(client, "post", api_url("application-start-review", station_a, pk=applicant_a.pk))
    with scopes_disabled():
        events = ScreeningEvent.objects.filter(volunteer=applicant_a).count()
    response = call(client, "post", api_url("application-approve", station_a, pk=applicant_a.pk))
    assert response.status_code == 400
    assert "Record a background review first" in response.json()["non_field_errors"][0]
    assert response.json()["code"] == "no_review"
    with scopes_disabled():
        applicant = Volunteer.objects.get(pk=applicant_a.pk)
        assert applicant.status == "under_review"
        assert ScreeningEvent.objects.filter(volunteer=applicant_a).count() == events


def test_failed_review_then_rejection_with_a_reason(login, officer_a, station_a, applicant_a):
    client = login(officer_a)
    review = call(
        client,
        "post",
        api_url("application-review", station_a, pk=applicant_a.pk),
        {"result": "failed", "reviewed_on": "2026-01-05"},
    )
    assert review.status_code == 200
    assert review.json()["background_review"] is None  # only a passed review counts
    no_reason = call(
        client, "post", api_url("application-reject", station_a, pk=applicant_a.pk), {"reason": ""}
    )
    assert no_reason.status_code == 400
    rejected = call(
        client,
        "post",
        api_url("application-reject", station_a, pk=applicant_a.pk),
        {"reason": "Failed review"},
    )
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["rejection_reason"] == "Failed review"


def test_review_in_the_future_is_refused(login, officer_a, station_a, applicant_a):
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    response = call(
        login(officer_a),
        "post",
        api_url("application-review", station_a, pk=applicant_a.pk),
        {"result": "passed", "reviewed_on": tomorrow},
    )
    assert response.status_code == 400
    assert "future" in response.json()["reviewed_on"][0]


def test_bureau_viewer_may_not_screen(login, bureau_viewer, station_a, applicant_a):
    client = login(bureau_viewer)
    assert client.get(api_url("application-list", station_a)).status_code == 403
    assert (
        call(client, "post", api_url("application-start-review", station_a, pk=applicant_a.pk)).status_code
        == 403
    )


# ---- teams ------------------------------------------------------------------------------------------------


def test_team_leader_sees_only_the_teams_they_lead(login, leader_a, station_a, team_a):
    with scopes_disabled():
        other = TeamFactory(tenant=station_a, name="Lake Patrol")
    client = login(leader_a)
    teams = client.get(api_url("team-list", station_a)).json()["results"]
    assert [(t["name"], t["member_count"]) for t in teams] == [("Garden Patrol", 1)]
    assert teams[0]["leaders"] == [{"id": teams[0]["leaders"][0]["id"], "full_name": "Leader A"}]
    assert client.get(api_url("team-detail", station_a, pk=other.pk)).status_code == 404
    detail = client.get(api_url("team-detail", station_a, pk=team_a.pk)).json()
    assert [m["volunteer"]["full_name"] for m in detail["members"]] == ["Leader A"]
    assert (
        call(client, "post", api_url("team-list", station_a), {"name": "Mine", "type": "other"}).status_code
        == 403
    )


def test_officer_creates_and_changes_a_team(login, officer_a, station_a, community_a, cell_a, team_a):
    client = login(officer_a)
    response = call(
        client,
        "post",
        api_url("team-list", station_a),
        {"name": "Rider Team", "type": "riders", "home_community": "garden", "grid_cells": ["GA-01"]},
    )
    assert response.status_code == 201, response.content
    team = response.json()
    assert (team["home_community"], team["grid_cells"], team["member_count"]) == ("garden", ["GA-01"], 0)
    changed = call(
        client, "patch", api_url("team-detail", station_a, pk=team["id"]), {"description": "Evenings"}
    )
    assert changed.status_code == 200
    assert changed.json()["description"] == "Evenings"
    assert changed.json()["grid_cells"] == ["GA-01"]
    duplicate = call(
        client, "post", api_url("team-list", station_a), {"name": "Garden Patrol", "type": "other"}
    )
    assert duplicate.status_code == 400
    assert "name" in duplicate.json()


def test_team_from_another_stations_community_is_refused(login, officer_a, station_a, community_b):
    response = call(
        login(officer_a),
        "post",
        api_url("team-list", station_a),
        {"name": "Stray", "type": "other", "home_community": "river"},
    )
    assert response.status_code == 400
    assert "home_community" in response.json()


def test_officer_adds_and_removes_members(login, officer_a, station_a, team_a, patroller_a, applicant_a):
    client = login(officer_a)
    members_url = api_url("team-members", station_a, pk=team_a.pk)
    added = call(client, "post", members_url, {"volunteer": patroller_a.pk, "is_leader": True})
    assert added.status_code == 201
    assert added.json()["is_leader"] is True
    with scopes_disabled():
        assert Role.TEAM_LEADER in Membership.objects.get(tenant=station_a, user=patroller_a.user).roles
    not_active = call(client, "post", members_url, {"volunteer": applicant_a.pk})
    assert not_active.status_code == 400
    assert "Only active volunteers" in not_active.json()["volunteer"][0]
    remove_url = api_url("team-remove-member", station_a, pk=team_a.pk, volunteer_id=patroller_a.pk)
    assert client.delete(remove_url).status_code == 204
    assert client.delete(remove_url).status_code == 404
    with scopes_disabled():
        assert not TeamMember.objects.filter(team=team_a).exists()
        assert Role.TEAM_LEADER not in Membership.objects.get(tenant=station_a, user=patroller_a.user).roles


def test_another_stations_volunteer_cannot_join(login, officer_a, station_a, team_a, patroller_b):
    response = call(
        login(officer_a),
        "post",
        api_url("team-members", station_a, pk=team_a.pk),
        {"volunteer": patroller_b.pk},
    )
    assert response.status_code == 400
    assert "volunteer" in response.json()


# ---- points ----------------------------------------------------------------------------------------------


def test_award_is_idempotent_by_the_clients_key(login, officer_a, station_a, patroller_a):
    client = login(officer_a)
    payload = {
        "volunteer": patroller_a.pk,
        "kind": "hazard_reported",
        "reason": "Broken lamp",
        "idempotency_key": "hazard-2026-0042",
    }
    first = call(client, "post", api_url("ledger-award", station_a), payload)
    second = call(client, "post", api_url("ledger-award", station_a), payload)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["points"] == 20
    with scopes_disabled():
        assert PointEntry.objects.filter(volunteer=patroller_a).count() == 1
    other_kind = call(client, "post", api_url("ledger-award", station_a), {**payload, "kind": "patrol_hour"})
    assert other_kind.status_code == 400
    assert "idempotency_key" in other_kind.json()


def test_award_needs_a_key_and_an_active_volunteer(login, officer_a, station_a, patroller_a, applicant_a):
    client = login(officer_a)
    no_key = call(
        client, "post", api_url("ledger-award", station_a), {"volunteer": patroller_a.pk, "kind": "other"}
    )
    assert no_key.status_code == 400
    assert "idempotency_key" in no_key.json()
    inactive = call(
        client,
        "post",
        api_url("ledger-award", station_a),
        {"volunteer": applicant_a.pk, "kind": "other", "idempotency_key": "k1"},
    )
    assert inactive.status_code == 400
    assert "Only active volunteers earn points" in inactive.json()["non_field_errors"][0]
    with scopes_disabled():
        assert not PointEntry.objects.filter(tenant=station_a).exists()


def test_api_keys_cannot_claim_another_apps_award(login, officer_a, station_a, patroller_a, award_a):
    """award_a was made by another app with key "clue:1"; the same key from a client is a new award."""
    response = call(
        login(officer_a),
        "post",
        api_url("ledger-award", station_a),
        {"volunteer": patroller_a.pk, "kind": "other", "idempotency_key": "clue:1"},
    )
    assert response.status_code == 201
    assert response.json()["id"] != award_a.pk


def test_ledger_lists_and_filters_entries(login, officer_a, station_a, patroller_a, award_a, redemption_a):
    client = login(officer_a)
    entries = client.get(api_url("ledger-list", station_a)).json()["results"]
    assert [e["kind"] for e in entries] == ["redemption", "award"]
    awards = client.get(
        api_url("ledger-list", station_a), {"kind": "award", "volunteer": patroller_a.pk}
    ).json()
    assert [e["id"] for e in awards["results"]] == [award_a.pk]
    assert awards["results"][0]["actor"] == "Officer A"


def test_chief_reverses_an_entry(login, chief_a, officer_a, station_a, patroller_a, award_a):
    url = api_url("ledger-reverse", station_a, pk=award_a.pk)
    assert call(login(officer_a), "post", url, {"reason": "Mistake"}).status_code == 403
    client = login(chief_a)
    assert call(client, "post", url, {"reason": ""}).status_code == 400
    response = call(client, "post", url, {"reason": "Counted twice"})
    assert response.status_code == 201
    assert response.json()["points"] == -75
    assert response.json()["reverses"] == award_a.pk
    again = call(client, "post", url, {"reason": "Counted twice"})
    assert again.status_code == 200
    assert again.json()["id"] == response.json()["id"]
    [row] = client.get(api_url("volunteer-list", station_a)).json()["results"]
    assert row["balance"] == 0


# ---- rewards and redemptions -------------------------------------------------------------------------------


def test_rewards_on_offer_for_everyone(login, volunteer_a, chief_a, station_a):
    with scopes_disabled():
        Reward.objects.create(tenant=station_a, kind="item", name="Torch", cost_points=30, stock=2)
        Reward.objects.create(
            tenant=station_a, kind="title", name="Star", threshold_points=100, is_active=False
        )
    offered = login(volunteer_a).get(api_url("reward-list", station_a)).json()["results"]
    assert [r["name"] for r in offered] == ["Torch"]
    everything = login(chief_a).get(api_url("reward-list", station_a)).json()["results"]
    assert {r["name"] for r in everything} == {"Torch", "Star"}


def test_chief_approves_a_redemption(login, chief_a, officer_a, station_a, redemption_a):
    assert login(officer_a).get(api_url("redemption-list", station_a)).status_code == 403
    client = login(chief_a)
    listed = client.get(api_url("redemption-list", station_a), {"status": "requested"}).json()["results"]
    assert [r["reward"]["name"] for r in listed] == ["Torch"]
    response = call(client, "post", api_url("redemption-approve", station_a, pk=redemption_a.pk))
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["decided_by"]) == ("approved", "Chief A")
    twice = call(client, "post", api_url("redemption-approve", station_a, pk=redemption_a.pk))
    assert twice.status_code == 400
    assert "decided already" in twice.json()["non_field_errors"][0]


def test_refused_redemption_gives_the_points_back(login, chief_a, station_a, patroller_a, redemption_a):
    client = login(chief_a)
    url = api_url("redemption-refuse", station_a, pk=redemption_a.pk)
    assert call(client, "post", url, {"reason": ""}).status_code == 400
    response = call(client, "post", url, {"reason": "Out of torches"})
    assert response.json()["status"] == "refused"
    with scopes_disabled():
        assert balance(volunteer=Volunteer.objects.get(pk=patroller_a.pk)) == 75
        assert Redemption.objects.get(pk=redemption_a.pk).refusal_reason == "Out of torches"


# ---- isolation ---------------------------------------------------------------------------------------

# every endpoint: (URL name, method, the object ids it needs, a body)
ENDPOINTS = [
    ("volunteer-list", "get", {}, None),
    ("volunteer-detail", "get", {"pk": "patroller"}, None),
    ("volunteer-classify", "patch", {"pk": "patroller"}, {"roles": ["patrol"]}),
    ("application-list", "get", {}, None),
    ("application-detail", "get", {"pk": "applicant"}, None),
    ("application-start-review", "post", {"pk": "applicant"}, None),
    ("application-review", "post", {"pk": "applicant"}, {"result": "passed", "reviewed_on": "2026-01-05"}),
    ("application-approve", "post", {"pk": "applicant"}, None),
    ("application-reject", "post", {"pk": "applicant"}, {"reason": "No"}),
    ("application-activate", "post", {"pk": "applicant"}, None),
    ("team-list", "get", {}, None),
    ("team-list", "post", {}, {"name": "New", "type": "other"}),
    ("team-detail", "get", {"pk": "team"}, None),
    ("team-detail", "patch", {"pk": "team"}, {"description": "x"}),
    ("team-members", "post", {"pk": "team"}, {"volunteer": 1}),
    ("team-remove-member", "delete", {"pk": "team", "volunteer_id": "patroller"}, None),
    ("ledger-list", "get", {}, None),
    ("ledger-detail", "get", {"pk": "entry"}, None),
    ("ledger-award", "post", {}, {"volunteer": 1, "kind": "other", "idempotency_key": "x"}),
    ("ledger-reverse", "post", {"pk": "entry"}, {"reason": "x"}),
    ("reward-list", "get", {}, None),
    ("redemption-list", "get", {}, None),
    ("redemption-detail", "get", {"pk": "redemption"}, None),
    ("redemption-approve", "post", {"pk": "redemption"}, None),
    ("redemption-refuse", "post", {"pk": "redemption"}, {"reason": "x"}),
]


@pytest.fixture
def objects_a(patroller_a, applicant_a, team_a, award_a, redemption_a):
    return {
        "patroller": patroller_a,
        "applicant": applicant_a,
        "team": team_a,
        "entry": award_a,
        "redemption": redemption_a,
    }


def endpoint_url(name, station, ids, objects):
    return api_url(name, station, **{key: objects[value].pk for key, value in ids.items()})


@pytest.mark.parametrize(("name", "method", "ids", "body"), ENDPOINTS)
def test_outsider_gets_404(name, method, ids, body, login, chief_b, station_a, objects_a):
    """Station B's chief (every permission in B, none in A) asking for station A's endpoints."""
    response = call(login(chief_b), method, endpoint_url(name, station_a, ids, objects_a), body)
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "method", "ids", "body"), [e for e in ENDPOINTS if e[2]])
def test_other_stations_object_through_own_station_is_404(
    name, method, ids, body, login, chief_b, station_b, objects_a
):
    response = call(login(chief_b), method, endpoint_url(name, station_b, ids, objects_a), body)
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["volunteer-list", "team-list", "ledger-list", "reward-list"])
def test_anonymous_api_call_is_refused(name, anonymous, station_a):
    assert anonymous.get(api_url(name, station_a)).status_code in (401, 403)


# ---- cost and schema -----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 6])
def test_volunteer_list_costs_a_fixed_number_of_queries(
    size, login, officer_a, station_a, team_a, django_assert_num_queries
):
    for n in range(size):
        volunteer = active_volunteer(station_a, officer_a, full_name=f"Volunteer {n}")
        with scope(tenant=station_a):
            team_member_add(team=team_a, volunteer=volunteer, actor=officer_a)
            points_award(tenant=station_a, volunteer=volunteer, kind="other", idempotency_key=f"k{n}")
    client = login(officer_a)
    client.get(api_url("volunteer-list", station_a))  # warm the session
    # station, session, user, memberships (roles), count, volunteers with community, group and
    # balance, their team memberships with the teams
    with django_assert_num_queries(7):
        rows = client.get(api_url("volunteer-list", station_a)).json()["results"]
    assert len(rows) == size
    assert all(r["balance"] == 10 and r["teams"] for r in rows)


@pytest.mark.parametrize("size", [1, 6])
def test_ledger_costs_a_fixed_number_of_queries(
    size, login, officer_a, station_a, patroller_a, django_assert_num_queries
):
    with scope(tenant=station_a):
        for n in range(size):
            points_award(
                tenant=station_a,
                volunteer=patroller_a,
                kind="other",
                idempotency_key=f"k{n}",
                actor=officer_a,
            )
    client = login(officer_a)
    client.get(api_url("ledger-list", station_a))
    # station, session, user, memberships (roles), count, entries with volunteer and actor
    with django_assert_num_queries(6):
        assert len(client.get(api_url("ledger-list", station_a)).json()["results"]) == size


def test_openapi_schema_lists_the_teams_endpoints(client, db):
    paths = client.get(reverse("api-schema"), {"format": "json"}).json()["paths"]
    for path in [
        "/api/s/{station}/volunteers/",
        "/api/s/{station}/volunteers/{id}/classify/",
        "/api/s/{station}/applications/{id}/approve/",
        "/api/s/{station}/teams/{id}/members/",
        "/api/s/{station}/teams/{id}/members/{volunteer_id}/",
        "/api/s/{station}/points/ledger/award/",
        "/api/s/{station}/points/ledger/{id}/reverse/",
        "/api/s/{station}/points/rewards/",
        "/api/s/{station}/points/redemptions/{id}/refuse/",
    ]:
        assert path in paths
    award = paths["/api/s/{station}/points/ledger/award/"]["post"]
    assert {"200", "201"} <= set(award["responses"])


def test_volunteer_and_team_without_a_community_answer_as_the_schema_says(station_a, officer_a):
    """home_community and background_group are null until set: the schema says so (it said string)."""
    from tests.support import answer_as_documented

    with scope(tenant=station_a):
        team = TeamFactory(tenant=station_a, name="Roaming Patrol")
        applicant = VolunteerFactory(tenant=station_a, full_name="New Applicant")
    volunteer = answer_as_documented(
        officer_a, "GET", "/api/s/{station}/volunteers/{id}/", station=station_a.slug, id=applicant.pk
    ).json()
    assert volunteer["home_community"] is None and volunteer["background_group"] is None
    answer = answer_as_documented(
        officer_a, "GET", "/api/s/{station}/teams/{id}/", station=station_a.slug, id=team.pk
    )
    assert answer.json()["home_community"] is None
