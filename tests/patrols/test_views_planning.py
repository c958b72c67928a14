"""Planning pages: routes and checkpoints drawn on the map (refused outside the station or the
community, with a message, nothing saved), the QR sheet, schedules, the coverage week (gaps, team
leaders' own teams, constant queries), the volunteers' shift board and officers' assignments."""

import datetime
import io
import json

import pytest
import qrcode
import qrcode.image.svg
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from jointdefense.core.models import AuditEvent
from patrols.models import Checkpoint, Route, Schedule, Shift, Signup
from patrols.services import planning as services
from patrols.services import signups
from teams.services import teams as team_services
from tests.factories import (
    CheckpointFactory,
    RouteFactory,
    ShiftFactory,
    TeamFactory,
    UserFactory,
    active_volunteer,
    monday,
    station_origin,
)


def u(name, station, **kwargs):
    return reverse(f"patrols:{name}", kwargs={"station": station.slug, **kwargs})


def line(*points):
    return json.dumps({"type": "LineString", "coordinates": [list(p) for p in points]})


def route_data(station, community=None, **overrides):
    x, y = station_origin(station)
    return {
        "name": "Garden loop",
        "tier": "community" if community else "brigade",
        "community": community.pk if community else "",
        "path": line((x + 0.002, y + 0.002), (x + 0.008, y + 0.002), (x + 0.008, y + 0.008)),
        "description": "",
        "is_active": "on",
        **overrides,
    }


def test_an_officer_draws_a_community_route_and_it_is_audited(login, officer_a, station_a, community_a):
    response = login(officer_a).post(u("route-create", station_a), route_data(station_a, community_a))
    assert response.status_code == 302
    with scope(tenant=station_a):
        route = Route.objects.get(tenant=station_a)
        assert route.community == community_a and route.tier == "community"
        assert len(route.path) == 3
        assert AuditEvent.objects.get(tenant=station_a, action="route.created").actor == officer_a
    assert response.url == u("route-detail", station_a, pk=route.pk)


def test_the_route_form_shows_a_drawing_map_with_the_station(login, officer_a, station_a, community_a):
    page = login(officer_a).get(u("route-create", station_a))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="id_path"' in html and "leaflet.draw" in html and 'id="planning-layers"' in html


def test_a_route_leaving_the_station_is_refused_with_a_message(login, officer_a, station_a):
    x, y = station_origin(station_a)
    data = route_data(station_a, path=line((x + 0.05, y + 0.05), (x + 0.2, y + 0.05)))
    response = login(officer_a).post(u("route-create", station_a), data)
    assert response.status_code == 400
    assert "leaves the area of Station A" in response.content.decode()
    with scopes_disabled():
        assert not Route.objects.exists()


def test_a_community_route_leaving_its_community_is_refused(login, officer_a, station_a, community_a):
    x, y = station_origin(station_a)
    data = route_data(station_a, community_a, path=line((x + 0.005, y + 0.005), (x + 0.05, y + 0.005)))
    response = login(officer_a).post(u("route-create", station_a), data)
    assert response.status_code == 400
    assert "leaves Garden Community" in response.content.decode()
    # and a community route needs its community
    response = login(officer_a).post(u("route-create", station_a), route_data(station_a, tier="community"))
    assert "belongs to a community" in response.content.decode()
    with scopes_disabled():
        assert not Route.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "not json",
        json.dumps({"type": "Point", "coordinates": [100.01, 10.01]}),
        json.dumps({"type": "LineString", "coordinates": [[100.01, 10.01]]}),
        json.dumps({"type": "LineString", "coordinates": [[100.01, 10.01], ["x", 10.02]]}),
        json.dumps({"type": "LineString", "coordinates": [[100.01, 10.01], [500, 10.02]]}),
    ],
)
def test_malformed_lines_are_refused(login, officer_a, station_a, path):
    response = login(officer_a).post(u("route-create", station_a), route_data(station_a, path=path))
    assert response.status_code == 400
    assert "Draw the route on the map" in response.content.decode()


def test_checkpoints_are_added_in_order_and_refused_outside(login, officer_a, station_a):
    with scope(tenant=station_a):
        route = RouteFactory(tenant=station_a)
    x, y = route.path[0]
    client = login(officer_a)
    for name in ("Gate", "Market"):
        data = {
            "name": name,
            "position": "",
            "location": json.dumps({"type": "Point", "coordinates": [x + 0.001, y]}),
            "radius_m": 40,
            "is_active": "on",
        }
        assert client.post(u("checkpoint-create", station_a, pk=route.pk), data).status_code == 302
    outside = {**data, "name": "Far", "location": json.dumps({"type": "Point", "coordinates": [x + 1, y]})}
    response = client.post(u("checkpoint-create", station_a, pk=route.pk), outside)
    assert response.status_code == 400
    assert "outside the area of Station A" in response.content.decode()
    taken = {**data, "name": "Twin", "position": 1}
    response = client.post(u("checkpoint-create", station_a, pk=route.pk), taken)
    assert "has this place in the order" in response.content.decode()
    with scope(tenant=station_a):
        assert list(Checkpoint.objects.filter(tenant=station_a).values_list("position", "name")) == [
            (1, "Gate"),
            (2, "Market"),
        ]
    detail = client.get(u("route-detail", station_a, pk=route.pk))
    assert "Market" in detail.content.decode()


def expected_qr_svg(data):
    """The SVG the qrcode library draws for ``data`` (box 10, border 2), without its XML declaration."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]


def test_the_qr_sheet_encodes_each_checkpoints_absolute_check_in_url(login, officer_a, station_a):
    with scope(tenant=station_a):
        route = RouteFactory(tenant=station_a)
        first = CheckpointFactory(route=route, tenant=station_a, position=1)
        CheckpointFactory(route=route, tenant=station_a, position=2)
        CheckpointFactory(route=route, tenant=station_a, position=3, is_active=False)
    page = login(officer_a).get(u("route-qr", station_a, pk=route.pk))
    html = page.content.decode()
    url = f"http://testserver/s/station-a/patrols/check-in/{first.qr_token}/"
    assert url in html
    assert expected_qr_svg(url) in html  # the code shown is the code of that URL
    assert html.count("<svg") == 2  # the checkpoint not in use gets no code


# ---- schedules ----------------------------------------------------------------------------------------


def schedule_data(route, **overrides):
    return {
        "name": "Brigade round the clock",
        "kind": "rotation",
        "route": route.pk,
        "start_time": "08:00",
        "duration_minutes": 480,
        "shifts_per_day": 3,
        "headcount": 3,
        "team": "",
        "valid_from": timezone.localdate().isoformat(),
        "valid_until": "",
        "is_active": "on",
        **overrides,
    }


def test_an_officer_creates_a_four_teams_three_rotations_schedule(login, officer_a, station_a):
    with scopes_disabled():
        route = RouteFactory(tenant=station_a, tier="brigade")
        squads = [TeamFactory(tenant=station_a, name=f"Squad {n}") for n in range(1, 5)]
    data = schedule_data(route, **{f"turn_{n}": t.pk for n, t in enumerate(squads, start=1)})
    response = login(officer_a).post(u("schedule-create", station_a), data)
    assert response.status_code == 302, response.content.decode()
    with scope(tenant=station_a):
        schedule = Schedule.objects.get(tenant=station_a)
        assert [st.team for st in schedule.rotation.order_by("position")] == squads
        shifts = list(Shift.objects.filter(tenant=station_a, schedule=schedule).order_by("starts_at"))
        assert len(shifts) == 28 * 3
        # the four squads take the shifts in turn (which squad comes first depends on the hour the
        # test runs: shifts of today that have begun are not generated)
        turns = [squads.index(s.team) for s in shifts]
        assert all(b == (a + 1) % 4 for a, b in zip(turns, turns[1:], strict=False))
    listing = login(officer_a).get(u("schedule-list", station_a)).content.decode()
    assert "Squad 1 → Squad 2 → Squad 3 → Squad 4" in listing
    edit = login(officer_a).get(u("schedule-edit", station_a, pk=schedule.pk))
    assert edit.context["form"]["turn_4"].value() == squads[3].pk


def test_a_rotation_without_teams_is_refused_on_the_form(login, officer_a, station_a):
    with scopes_disabled():
        route = RouteFactory(tenant=station_a)
    response = login(officer_a).post(u("schedule-create", station_a), schedule_data(route))
    assert response.status_code == 400
    assert "at least two teams" in response.content.decode()
    assert response.context["form"].errors["turn_1"]
    with scopes_disabled():
        assert not Schedule.objects.exists()


# ---- coverage -------------------------------------------------------------------------------------------


def shifts_in_week(station, count, team=None):
    tz = station.zoneinfo
    with scopes_disabled():
        route = Route.objects.filter(tenant=station).first() or RouteFactory(tenant=station)
        for n in range(count):
            start = datetime.datetime.combine(monday(), datetime.time(8), tzinfo=tz) + datetime.timedelta(
                hours=5 * n
            )
            ShiftFactory(tenant=station, route=route, team=team, starts_at=start, headcount=2)


def test_coverage_shows_signed_up_against_needed_and_gaps(login, officer_a, station_a, patroller_a):
    shifts_in_week(station_a, 2)
    with scope(tenant=station_a):
        full = Shift.objects.filter(tenant=station_a).order_by("starts_at").first()
        full.headcount = 1
        full.save()
        Signup.objects.create(tenant=station_a, shift=full, volunteer=patroller_a)
    page = login(officer_a).get(u("coverage", station_a), {"week": monday().isoformat()})
    html = page.content.decode()
    assert page.context["coverage"].gaps == 1
    assert html.count("pl-shift pl-gap") == 1 and "1/1" in html and "0/2" in html
    assert "2 of 3 places filled" not in html and "1 of 3 places filled" in html


def test_coverage_costs_the_same_queries_for_few_and_many_shifts(login, officer_a, station_a):
    client = login(officer_a)
    url = u("coverage", station_a)
    shifts_in_week(station_a, 2)
    client.get(url)  # warm the session and the caches
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    shifts_in_week(station_a, 12)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert sum(len(d) for row in page.context["coverage"].rows for d in row.days) == 14
    # session, user, roles, the filter's choices come lazily, the shifts with their counts: one query
    assert len(many) == len(few)


def test_a_team_leader_sees_only_the_shifts_of_their_teams(login, station_a, officer_a, team_a):
    leader = active_volunteer(station_a, officer_a, user=UserFactory(username="leader"), full_name="Leader")
    with scopes_disabled():
        other_team = TeamFactory(tenant=station_a, name="Other team")
    with scope(tenant=station_a):
        team_services.team_member_add(team=team_a, volunteer=leader, actor=officer_a, is_leader=True)
    shifts_in_week(station_a, 2, team=team_a)
    shifts_in_week(station_a, 3, team=other_team)
    client = login(leader.user)
    page = client.get(u("coverage", station_a), {"week": monday().isoformat()})
    assert page.status_code == 200
    shown = [s for row in page.context["coverage"].rows for d in row.days for s in d]
    assert len(shown) == 2 and {s.team_id for s in shown} == {team_a.pk}
    with scopes_disabled():
        theirs = Shift.objects.filter(team=team_a).first()
        others = Shift.objects.filter(team=other_team).first()
    assert client.get(u("shift-detail", station_a, pk=theirs.pk)).status_code == 200
    assert client.get(u("shift-detail", station_a, pk=others.pk)).status_code == 403


def test_a_plain_volunteer_has_no_planning_pages_but_a_shifts_entry(login, station_a, patroller_a):
    client = login(patroller_a.user)
    for name in ("route-list", "coverage", "schedule-list", "hotspots"):
        assert client.get(u(name, station_a)).status_code == 403
    home = client.get(reverse("tenancy:home", kwargs={"station": station_a.slug})).content.decode()
    assert u("shifts", station_a) in home and u("route-list", station_a) not in home


# ---- the volunteers' shift board ------------------------------------------------------------------------


def test_a_volunteer_signs_up_and_withdraws_on_the_shift_board(login, station_a, patroller_a):
    with scope(tenant=station_a):
        shift = ShiftFactory(
            tenant=station_a, route__tenant=station_a, starts_at=timezone.now() + datetime.timedelta(days=2)
        )
    client = login(patroller_a.user)
    board = client.get(u("shifts", station_a))
    assert [s.pk for s in board.context["shifts"]] == [shift.pk]
    response = client.post(u("shift-signup", station_a, pk=shift.pk), follow=True)
    assert "You are on the shift" in response.content.decode()
    assert response.context["shifts"][0].mine
    response = client.post(u("shift-withdraw", station_a, pk=shift.pk), follow=True)
    assert "You have withdrawn" in response.content.decode()
    with scope(tenant=station_a):
        assert Signup.objects.get(tenant=station_a).withdrawn_at is not None


def test_the_board_hides_full_shifts_and_says_why_a_sign_up_fails(login, station_a, officer_a, patroller_a):
    other = active_volunteer(station_a, officer_a, user=UserFactory(username="other"), full_name="Other")
    with scope(tenant=station_a):
        shift = ShiftFactory(
            tenant=station_a,
            route__tenant=station_a,
            starts_at=timezone.now() + datetime.timedelta(days=2),
            headcount=1,
        )
        signups.shift_signup(shift=shift, volunteer=other)
    client = login(patroller_a.user)
    assert list(client.get(u("shifts", station_a)).context["shifts"]) == []
    response = client.post(u("shift-signup", station_a, pk=shift.pk), follow=True)
    assert "This shift is full." in response.content.decode()


def test_the_board_costs_the_same_queries_for_few_and_many_shifts(login, station_a, patroller_a):
    client = login(patroller_a.user)
    url = u("shifts", station_a)

    def add(n):
        with scopes_disabled():
            for k in range(n):
                ShiftFactory(
                    tenant=station_a,
                    route__tenant=station_a,
                    starts_at=timezone.now() + datetime.timedelta(days=1, hours=k),
                )

    add(1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(8)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert len(page.context["shifts"]) == 9
    assert len(many) == len(few)


# ---- officers' assignments ----------------------------------------------------------------------------


def test_an_officer_puts_a_team_on_a_shift_and_sees_who_was_refused(login, station_a, officer_a, team_a):
    ok = active_volunteer(station_a, officer_a, user=UserFactory(username="ok"), full_name="Able")
    clerk = active_volunteer(
        station_a, officer_a, user=UserFactory(username="clerk"), full_name="Clerk", roles=["publicity"]
    )
    with scope(tenant=station_a):
        for v in (ok, clerk):
            team_services.team_member_add(team=team_a, volunteer=v, actor=officer_a)
        shift = ShiftFactory(
            tenant=station_a, route__tenant=station_a, starts_at=timezone.now() + datetime.timedelta(days=1)
        )
    client = login(officer_a)
    page = client.post(u("shift-assign", station_a, pk=shift.pk), {"team": team_a.pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Not put on the shift" in html and "Clerk does not have the patrol role." in html
    assert [s.volunteer for s in page.context["roster"]] == [ok]
    # one person, then taking them off again
    response = client.post(u("shift-assign", station_a, pk=shift.pk), {"volunteer": clerk.pk})
    assert response.status_code == 400 and "does not have the patrol role" in response.content.decode()
    with scope(tenant=station_a):
        signup = Signup.objects.get(tenant=station_a, volunteer=ok)
    client.post(u("signup-remove", station_a, pk=shift.pk, signup=signup.pk))
    with scope(tenant=station_a):
        signup.refresh_from_db()
        assert signup.withdrawn_at is not None
        assert (
            AuditEvent.objects.filter(
                tenant=station_a, actor=officer_a, action__in=["shift.team_assigned", "shift.removed"]
            ).count()
            == 2
        )


def test_an_officer_adds_a_night_shift_in_station_time_and_cancels_it(login, officer_a, station_a, team_a):
    with scopes_disabled():
        route = RouteFactory(tenant=station_a)
    client = login(officer_a)
    day = timezone.localdate() + datetime.timedelta(days=3)
    form = client.get(u("shift-create", station_a), {"route": route.pk, "start": "21:00"})
    assert form.context["form"]["route"].value() == str(route.pk)
    data = {"route": route.pk, "team": team_a.pk, "day": day.isoformat(), "start": "22:00", "end": "02:00"}
    response = client.post(u("shift-create", station_a), {**data, "headcount": 3})
    assert response.status_code == 302
    with scope(tenant=station_a):
        shift = Shift.objects.get(tenant=station_a)
        tz = station_a.zoneinfo
        assert shift.starts_at.astimezone(tz) == datetime.datetime.combine(day, datetime.time(22), tzinfo=tz)
        assert shift.ends_at - shift.starts_at == datetime.timedelta(hours=4)
        assert shift.schedule is None and shift.team == team_a and shift.headcount == 3
        assert AuditEvent.objects.filter(tenant=station_a, action="shift.created", actor=officer_a).exists()
    assert client.post(u("shift-create", station_a), {**data, "headcount": 0}).status_code == 400
    client.post(u("shift-cancel", station_a, pk=shift.pk))
    with scope(tenant=station_a):
        shift.refresh_from_db()
        assert shift.is_cancelled
    page = client.get(
        u("coverage", station_a), {"week": (day - datetime.timedelta(days=day.weekday())).isoformat()}
    )
    assert page.context["coverage"].rows == []


@pytest.mark.parametrize("name", ["route-list", "schedule-list"])
def test_planning_lists_cost_the_same_queries_for_few_and_many(login, officer_a, station_a, name):
    from tests.factories import TeamFactory

    client = login(officer_a)
    url = u(name, station_a)

    def add(n):
        with scope(tenant=station_a):
            for _ in range(n):
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
                        shifts_per_day=3,
                        valid_from=timezone.localdate(),
                        is_active=False,
                    ),
                    actor=officer_a,
                    rotation=teams,
                )

    add(1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(4)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert page.status_code == 200 and len(page.context["object_list"]) == 5
    assert len(many) == len(few)


def test_the_board_marks_shifts_that_overlap_ones_own(login, station_a, patroller_a):
    with scope(tenant=station_a):
        start = timezone.now() + datetime.timedelta(days=2)
        mine = ShiftFactory(tenant=station_a, route__tenant=station_a, starts_at=start)
        clash = ShiftFactory(
            tenant=station_a, route__tenant=station_a, starts_at=start + datetime.timedelta(hours=1)
        )
        free = ShiftFactory(
            tenant=station_a, route__tenant=station_a, starts_at=start + datetime.timedelta(hours=5)
        )
        signups.shift_signup(shift=mine, volunteer=patroller_a)
    shifts = {s.pk: s for s in login(patroller_a.user).get(u("shifts", station_a)).context["shifts"]}
    assert shifts[mine.pk].mine and shifts[clash.pk].clashes and not shifts[free.pk].clashes
