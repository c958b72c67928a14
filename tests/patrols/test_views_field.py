"""Pages of patrols in the field (patrols.views.field): the volunteer's phone pages (my patrol,
start, the patrol, the check-in page, the service worker), the officers' duty board, patrols with
hours and review queue; constant query counts on every list. The API is test_api_field.py."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from patrols.models import CheckIn, Patrol, Signup
from patrols.services import field
from tests.factories import (
    MINUTE,
    CheckpointFactory,
    RouteFactory,
    ShiftFactory,
    UserFactory,
    active_volunteer,
    at,
    check_in,
)


def u(name, station, **kwargs):
    return reverse(f"patrols:{name}", kwargs={"station": station.slug, **kwargs})


def api(name, station, **kwargs):
    return reverse(f"api:{name}", kwargs={"station": station.slug, **kwargs})


def test_volunteer_starts_checks_in_without_javascript_and_ends(
    login, patroller_a, signed_up, shift_a, checkpoints, station_a, officer_a
):
    client = login(patroller_a.user)
    page = client.get(u("my-patrol", station_a))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Garden loop" in body and u("patrol-start", station_a, pk=shift_a.pk) in body

    response = client.post(u("patrol-start", station_a, pk=shift_a.pk))
    with scopes_disabled():
        patrol = Patrol.objects.get(volunteer=patroller_a)
    assert response.url == u("patrol", station_a, pk=patrol.pk)
    page = client.get(response.url)
    assert page.status_code == 200
    assert [cp.name for cp in page.context["checkpoints"]] == ["North gate", "Market", "School"]
    assert u("service-worker", station_a) in page.content.decode()

    check_in_page = client.get(u("check-in", station_a, qr_token=checkpoints[0].qr_token))
    assert check_in_page.status_code == 200 and "North gate" in check_in_page.content.decode()
    form = check_in_page.context["form"]
    response = client.post(
        u("check-in", station_a, qr_token=checkpoints[0].qr_token),
        {
            "client_id": form.initial["client_id"],
            "device_time": timezone.now().isoformat(),
            **at(checkpoints[0]),
            "accuracy_m": 6,
        },
    )
    assert response.status_code == 302 and response.url == u("patrol", station_a, pk=patrol.pk)
    page = client.get(response.url)
    assert [cp.done for cp in page.context["checkpoints"]] == [True, False, False]
    assert "Checked in at North gate." in page.content.decode()

    assert client.post(u("patrol-note", station_a, pk=patrol.pk), {"text": "Gate open"}).status_code == 302
    assert client.post(u("patrol-end", station_a, pk=patrol.pk)).url == u("my-patrol", station_a)
    patrol.refresh_from_db()
    assert patrol.status == "ended" and "Gate open" in patrol.notes


def test_check_in_page_says_to_start_the_patrol_first(login, patroller_a, checkpoints, station_a):
    page = login(patroller_a.user).get(u("check-in", station_a, qr_token=checkpoints[0].qr_token))
    assert page.status_code == 200 and page.context["patrol"] is None
    assert "You are not on patrol" in page.content.decode()


def test_an_unknown_qr_code_is_404(login, patroller_a, station_a):
    assert login(patroller_a.user).get(u("check-in", station_a, qr_token="nope")).status_code == 404


def test_officers_do_not_walk_and_volunteers_do_not_see_the_board(login, officer_a, patroller_a, station_a):
    assert login(officer_a).get(u("my-patrol", station_a)).status_code == 403
    for name in ("board", "patrol-list", "review-queue"):
        assert login(patroller_a.user).get(u(name, station_a)).status_code == 403


def test_another_volunteers_patrol_is_404(login, patrol_a, station_a, officer_a):
    other = active_volunteer(station_a, officer_a, user=UserFactory(username="p2"), full_name="P2")
    assert login(other.user).get(u("patrol", station_a, pk=patrol_a.pk)).status_code == 404
    assert login(other.user).post(u("patrol-end", station_a, pk=patrol_a.pk)).status_code == 404


def test_the_service_worker_is_served_with_the_patrol_scope(login, patroller_a, station_a):
    response = login(patroller_a.user).get(u("service-worker", station_a))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == f"/s/{station_a.slug}/patrols/"
    source = response.content.decode()
    assert "__SCOPE__" not in source and u("check-in-offline", station_a) in source


def test_the_navigation_shows_each_their_patrol_pages(login, patroller_a, officer_a, station_a):
    mine = login(patroller_a.user).get(reverse("tenancy:home", kwargs={"station": station_a.slug}))
    assert u("my-patrol", station_a) in mine.content.decode()
    assert u("board", station_a) not in mine.content.decode()
    theirs = login(officer_a).get(reverse("tenancy:home", kwargs={"station": station_a.slug}))
    for name in ("board", "patrol-list", "review-queue"):
        assert u(name, station_a) in theirs.content.decode()


# ---- officers ---------------------------------------------------------------------------------------------


def many_patrols(station, officer, n, start_index=0):
    """n volunteers on patrol, each on a route of their own with two check-ins."""
    now = timezone.now()
    for i in range(start_index, start_index + n):
        volunteer = active_volunteer(
            station, officer, user=UserFactory(username=f"walker{i}"), full_name=f"Walker {i}"
        )
        with scope(tenant=station):
            route = RouteFactory(
                tenant=station, name=f"Route {i}", tier=["brigade", "community", "compound"][i % 3]
            )
            cps = [CheckpointFactory(route=route, position=p) for p in (1, 2)]
            shift = ShiftFactory(route=route, starts_at=now - 60 * MINUTE)
            Signup.objects.create(tenant=station, shift=shift, volunteer=volunteer)
            field.patrol_start(shift=shift, volunteer=volunteer, actor=None)
        check_in(volunteer, cps[0], now - 40 * MINUTE)
        check_in(volunteer, cps[1], now - 10 * MINUTE)


def test_duty_board_shows_every_active_patrol_with_its_last_check_in(login, officer_a, station_a):
    many_patrols(station_a, officer_a, 3)
    client = login(officer_a)
    assert client.get(u("board", station_a)).status_code == 200
    data = client.get(u("board-data", station_a)).json()
    positions = [f for f in data["features"] if f["properties"]["layer"] == "position"]
    routes = [f for f in data["features"] if f["properties"]["layer"] == "route"]
    assert len(positions) == 3 and len(routes) == 3
    assert {f["properties"]["tier"] for f in routes} == {"brigade", "community", "compound"}
    assert all(f["properties"]["checkpoints_done"] == 2 for f in positions)
    assert all(f["properties"]["checkpoints_total"] == 2 for f in positions)


def test_duty_board_and_lists_cost_a_fixed_number_of_queries(login, officer_a, station_a):
    client = login(officer_a)
    many_patrols(station_a, officer_a, 1)
    urls = [
        u("board-data", station_a),
        u("patrol-list", station_a),
        u("review-queue", station_a),
        api("patrol-list", station_a),
        api("checkin-list", station_a),
        api("patrol-board", station_a),
    ]
    counts = {}
    for url in urls:
        client.get(url)  # warm the session and the roles
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts[url] = len(ctx)
    many_patrols(station_a, officer_a, 4, start_index=1)
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        assert len(ctx) == counts[url], url


def test_officers_see_hours_per_volunteer_and_team(
    login, officer_a, patrol_a, patroller_a, checkpoints, shift_a, station_a
):
    t0 = shift_a.starts_at
    check_in(patroller_a, checkpoints[0], t0, now=t0)
    check_in(patroller_a, checkpoints[2], t0 + 75 * MINUTE, now=t0 + 75 * MINUTE)
    page = login(officer_a).get(u("patrol-list", station_a))
    assert page.status_code == 200
    report = page.context["report"]
    assert [(v.name, round(v.hours, 2)) for v in report.volunteers] == [("Patroller A", 1.25)]
    assert [(t.name, round(t.hours, 2)) for t in report.teams] == [("Garden Patrol", 1.25)]
    detail = login(officer_a).get(u("patrol-detail", station_a, pk=patrol_a.pk))
    assert detail.status_code == 200 and len(detail.context["check_ins"]) == 2


def test_an_officer_clears_a_flagged_check_in_from_the_queue(
    login, officer_a, patrol_a, patroller_a, checkpoints, station_a
):
    flagged, _ = check_in(patroller_a, checkpoints[0], timezone.now(), position=at(checkpoints[0], 400))
    client = login(officer_a)
    queue = client.get(u("review-queue", station_a))
    assert "400 m from the checkpoint" in queue.content.decode()
    assert "Outside the checkpoint&#x27;s radius" in queue.content.decode()
    response = client.post(
        u("check-in-review", station_a, pk=flagged.pk), {"decision": "clear", "note": "ok"}
    )
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert flagged.review == CheckIn.Review.CLEARED and flagged.reviewed_by == officer_a
    assert "Nothing waits for review." in client.get(u("review-queue", station_a)).content.decode()


def test_a_team_leader_sees_the_patrols_of_their_teams_shifts_only(
    login, officer_a, patrol_a, patroller_a, checkpoints, shift_a, station_a, team_a
):
    from teams.services import teams as team_services
    from tests.factories import TeamFactory

    leader = active_volunteer(station_a, officer_a, user=UserFactory(username="leader"), full_name="Leader")
    with scope(tenant=station_a):
        team_services.team_member_add(team=team_a, volunteer=leader, actor=officer_a, is_leader=True)
        other_team = TeamFactory(tenant=station_a, name="Market Patrol")
        other_shift = ShiftFactory(route=shift_a.route, team=other_team, starts_at=shift_a.starts_at)
        walker = active_volunteer(
            station_a, officer_a, user=UserFactory(username="w9"), full_name="Other Walker"
        )
        Signup.objects.create(tenant=station_a, shift=other_shift, volunteer=walker)
        other = field.patrol_start(shift=other_shift, volunteer=walker, actor=None)
    client = login(leader.user)
    page = client.get(u("patrol-list", station_a))
    assert page.status_code == 200
    assert [p.pk for p in page.context["patrols"]] == [patrol_a.pk]
    assert [t.name for t in page.context["report"].teams] == ["Garden Patrol"]
    assert client.get(u("patrol-detail", station_a, pk=patrol_a.pk)).status_code == 200
    assert client.get(u("patrol-detail", station_a, pk=other.pk)).status_code == 404
    assert [r["id"] for r in client.get(api("patrol-list", station_a)).json()["results"]] == [patrol_a.pk]
    assert client.get(u("review-queue", station_a)).status_code == 403
    assert client.get(u("board", station_a)).status_code == 403
    officer_page = login(officer_a).get(u("patrol-list", station_a))
    assert {p.pk for p in officer_page.context["patrols"]} == {patrol_a.pk, other.pk}


def test_the_volunteers_pages_cost_a_fixed_number_of_queries(
    login, patrol_a, patroller_a, checkpoints, route_a, station_a
):
    client = login(patroller_a.user)
    urls = [u("my-patrol", station_a), u("patrol", station_a, pk=patrol_a.pk)]
    check_in(patroller_a, checkpoints[0], timezone.now() - 9 * MINUTE)
    counts = {}
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts[url] = len(ctx)
    with scopes_disabled():
        more = [CheckpointFactory(route=route_a, position=p) for p in range(4, 9)]
    for n, cp in enumerate([checkpoints[1], checkpoints[2], *more]):
        check_in(patroller_a, cp, timezone.now() - datetime.timedelta(minutes=8 - n))
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        assert len(ctx) == counts[url], url


def test_a_photo_from_the_patrol_page_is_stored_without_metadata(login, patrol_a, patroller_a, station_a):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from patrols.models import PatrolPhoto

    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {2: (34.0, 46.0, 0.0)}  # GPS latitude
    Image.new("RGB", (320, 240), (200, 40, 40)).save(buf, format="JPEG", exif=exif)
    upload = SimpleUploadedFile("door.jpg", buf.getvalue(), content_type="image/jpeg")
    client = login(patroller_a.user)
    response = client.post(u("patrol-photo", station_a, pk=patrol_a.pk), {"photo": upload, "caption": "Door"})
    assert response.status_code == 302
    with scopes_disabled():
        photo = PatrolPhoto.objects.get(patrol=patrol_a)
    assert photo.caption == "Door" and not Image.open(photo.image.open("rb")).getexif()
    page = client.get(u("patrol", station_a, pk=patrol_a.pk))
    assert u("photo", station_a, pk=photo.pk) in page.content.decode()
