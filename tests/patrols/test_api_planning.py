"""The planning API: routes as GeoJSON, checkpoints (never their QR token), schedules, shifts with
their signed-up count and filters, sign-ups (own for volunteers, all for officers), officers'
assignments. Lists cost a fixed number of queries."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from patrols.models import Signup
from patrols.services import planning as services
from patrols.services import signups
from tests.factories import CheckpointFactory, RouteFactory, ShiftFactory, UserFactory, active_volunteer


def api(name, station, **kwargs):
    return reverse(f"api:{name}", kwargs={"station": station.slug, **kwargs})


def soon(hours=48):
    return timezone.now() + datetime.timedelta(hours=hours)


def queries_for(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(ctx), response.json()


def test_routes_are_geojson_with_a_fixed_query_count(login, officer_a, station_a):
    client = login(officer_a)
    with scope(tenant=station_a):
        route = RouteFactory(tenant=station_a, name="Loop", tier="brigade")
        CheckpointFactory(route=route, tenant=station_a, position=1)
    few, body = queries_for(client, api("route-list", station_a))
    assert body["type"] == "FeatureCollection"
    feature = body["features"][0]
    assert feature["geometry"]["type"] == "LineString"
    assert feature["properties"]["name"] == "Loop" and feature["properties"]["checkpoint_count"] == 1
    with scope(tenant=station_a):
        for _ in range(5):
            CheckpointFactory(route=RouteFactory(tenant=station_a), tenant=station_a)
    many, body = queries_for(client, api("route-list", station_a))
    assert len(body["features"]) == 6 and many == few
    _n, body = queries_for(client, api("route-list", station_a), tier="brigade")
    assert [f["properties"]["name"] for f in body["features"]] == ["Loop"]


def test_checkpoints_never_show_their_qr_token(login, patroller_a, station_a):
    with scope(tenant=station_a):
        checkpoint = CheckpointFactory(tenant=station_a, route__tenant=station_a)
    body = login(patroller_a.user).get(api("checkpoint-list", station_a)).json()
    assert body["results"][0]["id"] == checkpoint.pk
    assert checkpoint.qr_token not in str(body) and "qr_token" not in body["results"][0]


def test_shifts_carry_their_signed_up_count_and_filter(login, officer_a, station_a, patroller_a):
    client = login(officer_a)
    with scope(tenant=station_a):
        route = RouteFactory(tenant=station_a, tier="compound")
        full = ShiftFactory(tenant=station_a, route=route, starts_at=soon(), headcount=1)
        ShiftFactory(tenant=station_a, route=route, starts_at=soon(60), headcount=1)
        signups.shift_signup(shift=full, volunteer=patroller_a)
    few, body = queries_for(client, api("shift-list", station_a))
    assert [(s["id"], s["signed_up"]) for s in body["results"]][0] == (full.pk, 1)
    with scopes_disabled():
        for n in range(6):
            ShiftFactory(tenant=station_a, route__tenant=station_a, starts_at=soon(70 + n))
    many, body = queries_for(client, api("shift-list", station_a))
    assert body["count"] == 8 and many == few
    _n, body = queries_for(client, api("shift-list", station_a), has_places="true", tier="compound")
    assert body["count"] == 1
    _n, body = queries_for(client, api("shift-list", station_a), starts_before=soon(50).isoformat())
    assert [s["id"] for s in body["results"]] == [full.pk]


def test_schedules_show_their_rotation(login, officer_a, station_a, team_a, team_b):
    from patrols.models import Schedule
    from tests.factories import TeamFactory

    with scopes_disabled():
        second = TeamFactory(tenant=station_a, name="Second")
    with scope(tenant=station_a):
        schedule = services.schedule_save(
            schedule=Schedule(
                tenant=station_a,
                name="Round the clock",
                kind="rotation",
                route=RouteFactory(tenant=station_a),
                start_time=datetime.time(8),
                duration_minutes=480,
                shifts_per_day=3,
                valid_from=timezone.localdate(),
            ),
            actor=officer_a,
            rotation=[second, team_a],
        )
    body = login(officer_a).get(api("schedule-detail", station_a, pk=schedule.pk)).json()
    assert body["rotation"] == [second.pk, team_a.pk] and body["kind"] == "rotation"


def test_a_volunteer_signs_up_and_withdraws_through_the_api(login, station_a, officer_a, patroller_a):
    other = active_volunteer(station_a, officer_a, user=UserFactory(username="other"), full_name="Other")
    with scope(tenant=station_a):
        shift = ShiftFactory(tenant=station_a, route__tenant=station_a, starts_at=soon(), headcount=1)
    client = login(patroller_a.user)
    response = client.post(
        api("signup-list", station_a), {"shift": shift.pk}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["is_active"]
    signup_id = response.json()["id"]
    # the shift is full now: the next volunteer is told so, and nothing is saved
    response = login(other.user).post(
        api("signup-list", station_a), {"shift": shift.pk}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["This shift is full."], "code": "full"}
    # a volunteer lists and withdraws only their own
    assert login(other.user).get(api("signup-list", station_a)).json()["count"] == 0
    assert login(other.user).post(api("signup-withdraw", station_a, pk=signup_id)).status_code == 404
    response = client.post(api("signup-withdraw", station_a, pk=signup_id))
    assert response.status_code == 200 and response.json()["withdrawn_at"]
    # officers see everyone's
    assert login(officer_a).get(api("signup-list", station_a)).json()["count"] == 1


def test_an_officer_may_not_sign_up_and_a_volunteer_may_not_assign(login, officer_a, station_a, patroller_a):
    with scope(tenant=station_a):
        shift = ShiftFactory(tenant=station_a, route__tenant=station_a, starts_at=soon())
    response = login(officer_a).post(api("signup-list", station_a), {"shift": shift.pk})
    assert response.status_code == 403
    response = login(patroller_a.user).post(api("shift-assign", station_a, pk=shift.pk), {"volunteer": 1})
    assert response.status_code == 403


def test_an_officer_assigns_a_team_through_the_api(login, officer_a, station_a, team_a, patroller_a):
    from teams.services import teams as team_services

    clerk = active_volunteer(
        station_a, officer_a, user=UserFactory(username="clerk"), full_name="Clerk", roles=["mediation"]
    )
    with scope(tenant=station_a):
        for v in (patroller_a, clerk):
            team_services.team_member_add(team=team_a, volunteer=v, actor=officer_a)
        shift = ShiftFactory(tenant=station_a, route__tenant=station_a, starts_at=soon())
    client = login(officer_a)
    response = client.post(
        api("shift-assign", station_a, pk=shift.pk), {"team": team_a.pk}, content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert [a["volunteer"] for a in body["assigned"]] == [patroller_a.pk]
    assert body["refused"] == [
        {"volunteer": clerk.pk, "volunteer_name": "Clerk", "reason": "Clerk does not have the patrol role."}
    ]
    response = client.post(api("shift-assign", station_a, pk=shift.pk), {}, content_type="application/json")
    assert response.status_code == 400
    with scope(tenant=station_a):
        assert Signup.objects.get(tenant=station_a).source == Signup.Source.TEAM


def test_an_officer_draws_routes_and_checkpoints_through_the_api(login, officer_a, station_a, community_a):
    from tests.factories import station_origin

    client = login(officer_a)
    x, y = station_origin(station_a)
    path = {"type": "LineString", "coordinates": [[x + 0.002, y + 0.002], [x + 0.008, y + 0.008]]}
    body = {"name": "Garden loop", "tier": "community", "community": "garden", "path": path}
    response = client.post(api("route-list", station_a), body, content_type="application/json")
    assert response.status_code == 201, response.content
    route_id = response.json()["id"]
    assert response.json()["geometry"]["coordinates"][0] == [x + 0.002, y + 0.002]
    # leaving the community is refused with the message, and nothing changes
    far = {"type": "LineString", "coordinates": [[x + 0.002, y + 0.002], [x + 0.05, y + 0.002]]}
    response = client.patch(
        api("route-detail", station_a, pk=route_id), {"path": far}, content_type="application/json"
    )
    assert response.status_code == 400 and "leaves Garden Community" in response.json()["path"][0]
    bad = client.post(
        api("route-list", station_a),
        {**body, "name": "Bad", "path": {"type": "Point"}},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "GeoJSON LineString" in bad.json()["path"][0]
    response = client.post(
        api("checkpoint-list", station_a),
        {"route": route_id, "name": "Gate", "lat": y + 0.005, "lng": x + 0.005, "radius_m": 30},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["position"] == 1
    outside = client.post(
        api("checkpoint-list", station_a),
        {"route": route_id, "name": "Far", "lat": y + 0.05, "lng": x + 0.05},
        content_type="application/json",
    )
    assert outside.status_code == 400 and "outside Garden Community" in outside.json()["location"][0]
    # volunteers read routes but do not draw them
    assert login_volunteer_post(login, station_a, api("route-list", station_a), body) == 403


def login_volunteer_post(login, station, url, body):
    from jointdefense.tenancy.models import Role
    from tests.factories import member

    user = member(station, Role.VOLUNTEER, username="plain_volunteer")
    return login(user).post(url, body, content_type="application/json").status_code


def test_an_officer_creates_a_rotation_schedule_through_the_api(login, officer_a, station_a, team_a):
    from tests.factories import TeamFactory

    with scopes_disabled():
        route = RouteFactory(tenant=station_a)
        second = TeamFactory(tenant=station_a, name="Second")
    body = {
        "name": "Round the clock",
        "kind": "rotation",
        "route": route.pk,
        "start_time": "08:00",
        "duration_minutes": 480,
        "shifts_per_day": 3,
        "rotation": [team_a.pk, second.pk],
        "valid_from": timezone.localdate().isoformat(),
    }
    client = login(officer_a)
    response = client.post(api("schedule-list", station_a), body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["rotation"] == [team_a.pk, second.pk]
    with scopes_disabled():
        from patrols.models import Shift

        assert Shift.objects.filter(schedule_id=response.json()["id"]).count() == 28 * 3
    refused = client.post(
        api("schedule-list", station_a),
        {**body, "name": "Other", "rotation": [team_a.pk]},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "at least two teams" in refused.json()["rotation"][0]


def test_checkpoint_schedule_and_signup_lists_cost_a_fixed_number_of_queries(
    login, officer_a, station_a, team_a
):
    from patrols.models import Schedule
    from tests.factories import TeamFactory

    client = login(officer_a)

    def add(n):
        with scope(tenant=station_a):
            for k in range(n):
                route = RouteFactory(tenant=station_a)
                CheckpointFactory(route=route, tenant=station_a)
                teams = [TeamFactory(tenant=station_a) for _ in range(2)]
                services.schedule_save(
                    schedule=Schedule(
                        tenant=station_a,
                        name=f"S{route.pk}",
                        kind="rotation",
                        route=route,
                        start_time=datetime.time(8),
                        duration_minutes=480,
                        valid_from=timezone.localdate(),
                        is_active=False,
                    ),
                    actor=officer_a,
                    rotation=teams,
                )
                person = active_volunteer(
                    station_a,
                    officer_a,
                    user=UserFactory(username=f"p{route.pk}-{k}"),
                    full_name=f"P{route.pk}",
                )
                shift = ShiftFactory(tenant=station_a, route=route, starts_at=soon())
                signups.shift_signup(shift=shift, volunteer=person)

    names = ["checkpoint-list", "schedule-list", "signup-list"]
    add(1)
    few = {name: queries_for(client, api(name, station_a))[0] for name in names}
    add(4)
    for name in names:
        many, body = queries_for(client, api(name, station_a))
        assert body["count"] == 5 and many == few[name], name


def test_coverage_filters_by_tier_route_and_team(login, officer_a, station_a, team_a):
    from tests.factories import monday

    with scopes_disabled():
        brigade = RouteFactory(tenant=station_a, tier="brigade", name="Key road")
        loop = RouteFactory(tenant=station_a, tier="community", name="Loop")
        start = datetime.datetime.combine(monday(), datetime.time(9), tzinfo=station_a.zoneinfo)
        ShiftFactory(tenant=station_a, route=brigade, starts_at=start, team=team_a)
        ShiftFactory(tenant=station_a, route=loop, starts_at=start)
    client = login(officer_a)
    url = reverse("patrols:coverage", kwargs={"station": station_a.slug})

    def routes(**params):
        page = client.get(url, {"week": monday().isoformat(), **params})
        return [row.route.name for row in page.context["coverage"].rows]

    assert routes() == ["Key road", "Loop"]
    assert routes(tier="community") == ["Loop"]
    assert routes(route=brigade.pk) == ["Key road"]
    assert routes(team=team_a.pk) == ["Key road"]


def test_routes_schedules_and_their_lists_answer_as_the_schema_says(station_a, officer_a):
    """A station route has no community (null), the routes list is a FeatureCollection with the page's
    count (not a paginated list of collections), and a schedule's start time is the station's wall
    clock "08:00:00" with no UTC offset: each answer matches the schema."""
    from patrols.models import Schedule
    from tests.support import answer_as_documented

    with scope(tenant=station_a):
        route = RouteFactory(tenant=station_a, tier="brigade")
        schedule = services.schedule_save(
            schedule=Schedule(
                tenant=station_a,
                name="Mornings",
                kind=Schedule.Kind.DAILY,
                route=route,
                start_time=datetime.time(8, 0),
                duration_minutes=240,
                valid_from=timezone.localdate(),
            ),
            actor=officer_a,
        )
    station = station_a.slug
    routes = answer_as_documented(officer_a, "GET", "/api/s/{station}/patrols/routes/", station=station)
    assert routes.json()["type"] == "FeatureCollection" and routes.json()["count"] == 1
    one = answer_as_documented(
        officer_a, "GET", "/api/s/{station}/patrols/routes/{id}/", station=station, id=route.pk
    )
    assert one.json()["properties"]["community"] is None
    answer = answer_as_documented(
        officer_a, "GET", "/api/s/{station}/patrols/schedules/{id}/", station=station, id=schedule.pk
    )
    assert answer.json()["start_time"] == "08:00:00"


def test_a_team_leader_sees_only_the_schedules_of_their_teams(login, station_a, officer_a, team_a):
    from patrols.models import Schedule
    from teams.services.teams import team_member_add
    from tests.factories import TeamFactory

    leader = active_volunteer(station_a, officer_a, user=UserFactory(username="leader"), full_name="Leader")
    with scopes_disabled():
        other_team = TeamFactory(tenant=station_a, name="Other team")
    with scope(tenant=station_a):
        team_member_add(team=team_a, volunteer=leader, actor=officer_a, is_leader=True)
        route = RouteFactory(tenant=station_a)

        def schedule(name, **kwargs):
            return services.schedule_save(
                schedule=Schedule(
                    tenant=station_a,
                    name=name,
                    route=route,
                    start_time=datetime.time(8),
                    duration_minutes=480,
                    valid_from=timezone.localdate(),
                    **kwargs,
                ),
                actor=officer_a,
            )

        theirs = schedule("Theirs", kind="daily", team=team_a)
        others = schedule("Others", kind="daily", team=other_team)
        schedule("Nobody's", kind="daily")
        rotation = services.schedule_save(
            schedule=Schedule(
                tenant=station_a,
                name="Rotation",
                kind="rotation",
                route=route,
                start_time=datetime.time(8),
                duration_minutes=480,
                shifts_per_day=3,
                valid_from=timezone.localdate(),
            ),
            actor=officer_a,
            rotation=[other_team, team_a],
        )
    client = login(leader.user)
    body = client.get(api("schedule-list", station_a)).json()
    assert sorted(r["name"] for r in body["results"]) == ["Rotation", "Theirs"]
    assert client.get(api("schedule-detail", station_a, pk=theirs.pk)).status_code == 200
    assert client.get(api("schedule-detail", station_a, pk=rotation.pk)).status_code == 200
    assert client.get(api("schedule-detail", station_a, pk=others.pk)).status_code == 404
    refused = client.patch(
        api("schedule-detail", station_a, pk=others.pk), {"name": "Mine now"}, content_type="application/json"
    )
    assert refused.status_code == 403
    with scopes_disabled():
        assert Schedule.objects.get(pk=others.pk).name == "Others"
    # officers still see every schedule
    names = [r["name"] for r in login(officer_a).get(api("schedule-list", station_a)).json()["results"]]
    assert sorted(names) == sorted(["Theirs", "Others", "Nobody's", "Rotation"])
