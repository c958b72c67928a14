"""Patrols in the field (patrols.services.field): starting a patrol for a shift, the check-in rules
with their reasons (geofence, shift window, no location, another route, too fast, repeated),
offline resends deduplicated by client_id, the officer's review, notes and photos, and points
awarded once. Hours are tests/patrols/test_selectors_hours.py."""

import datetime
import io
import uuid

import pytest
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from PIL import Image

from jointdefense.core.models import AuditEvent
from patrols.errors import PatrolError
from patrols.models import CheckIn, CheckInFlag, Patrol, Signup
from patrols.selectors import hours
from patrols.services import field
from teams.models import PointEntry
from tests.factories import MINUTE, CheckpointFactory, RouteFactory, ShiftFactory, at, check_in

# ---- starting ------------------------------------------------------------------------------------------


def test_a_signed_up_volunteer_starts_a_patrol_for_the_shift(patrol_a, shift_a, patroller_a):
    assert patrol_a.status == Patrol.Status.ACTIVE
    assert patrol_a.route_id == shift_a.route_id and patrol_a.volunteer == patroller_a
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="patrol.started", target_id=str(patrol_a.pk)).exists()


def test_starting_needs_an_active_sign_up(shift_a, patroller_a, station_a):
    with scope(tenant=station_a), pytest.raises(PatrolError, match="not signed up"):
        field.patrol_start(shift=shift_a, volunteer=patroller_a, actor=None)
    with scopes_disabled():
        Signup.objects.create(
            tenant=station_a, shift=shift_a, volunteer=patroller_a, withdrawn_at=timezone.now()
        )
    with scope(tenant=station_a), pytest.raises(PatrolError, match="not signed up"):
        field.patrol_start(shift=shift_a, volunteer=patroller_a, actor=None)


def test_starting_opens_half_an_hour_before_the_shift_and_closes_at_its_end(signed_up, shift_a, patroller_a):
    with scope(tenant=shift_a.tenant):
        with pytest.raises(PatrolError, match="half an hour before"):
            field.patrol_start(
                shift=shift_a, volunteer=patroller_a, actor=None, now=shift_a.starts_at - 31 * MINUTE
            )
        with pytest.raises(PatrolError, match="over"):
            field.patrol_start(shift=shift_a, volunteer=patroller_a, actor=None, now=shift_a.ends_at)
        patrol = field.patrol_start(
            shift=shift_a, volunteer=patroller_a, actor=None, now=shift_a.starts_at - 30 * MINUTE
        )
        assert patrol.pk
        with pytest.raises(PatrolError, match="already started"):
            field.patrol_start(shift=shift_a, volunteer=patroller_a, actor=None)


def test_starting_goes_through_the_one_eligibility_rule(signed_up, shift_a, patroller_a):
    with scopes_disabled():
        type(patroller_a).objects.filter(pk=patroller_a.pk).update(roles=["publicity"])
        patroller_a.refresh_from_db()
    with scope(tenant=shift_a.tenant), pytest.raises(PatrolError, match="does not have the patrol role"):
        field.patrol_start(shift=shift_a, volunteer=patroller_a, actor=None)


def test_a_cancelled_shift_cannot_be_started(signed_up, shift_a, patroller_a):
    with scopes_disabled():
        type(shift_a).objects.filter(pk=shift_a.pk).update(is_cancelled=True)
        shift_a.refresh_from_db()
    with scope(tenant=shift_a.tenant), pytest.raises(PatrolError, match="cancelled"):
        field.patrol_start(shift=shift_a, volunteer=patroller_a, actor=None)


# ---- the rules ----------------------------------------------------------------------------------------


def test_a_check_in_at_the_checkpoint_in_the_shift_is_in_order(patrol_a, patroller_a, checkpoints):
    when = timezone.now() - MINUTE
    ci, created = check_in(patroller_a, checkpoints[0], when)
    assert created and ci.flags == [] and ci.review == CheckIn.Review.OK and ci.counts
    assert ci.patrol == patrol_a and ci.device_time == when
    assert ci.received_at >= when and ci.distance_m < 1
    with scopes_disabled():
        assert Patrol.objects.get(pk=patrol_a.pk).last_check_in_at == when


def test_outside_the_radius_is_kept_and_flagged_with_the_distance(patrol_a, patroller_a, checkpoints):
    ci, _ = check_in(patroller_a, checkpoints[0], timezone.now(), position=at(checkpoints[0], 120))
    assert ci.flags == [CheckInFlag.OUTSIDE_RADIUS] and ci.review == CheckIn.Review.FLAGGED
    assert 115 < ci.distance_m < 125
    assert "120 m from the checkpoint; its radius is 50 m." in ci.flag_details
    assert not ci.counts


def test_just_inside_the_radius_is_in_order(patrol_a, patroller_a, checkpoints):
    ci, _ = check_in(patroller_a, checkpoints[0], timezone.now(), position=at(checkpoints[0], 45))
    assert ci.flags == []


def test_outside_the_shift_window_is_flagged_with_the_hours(patrol_a, patroller_a, checkpoints, shift_a):
    late = shift_a.ends_at + field.CHECK_IN_GRACE + MINUTE
    ci, _ = check_in(patroller_a, checkpoints[0], late, now=late)
    assert ci.flags == [CheckInFlag.OUTSIDE_WINDOW]
    hhmm = timezone.localtime(late, shift_a.tenant.zoneinfo).strftime("%H:%M")  # the station's time
    assert f"Checked in at {hhmm}, outside the shift's hours" in ci.flag_details


def test_within_the_grace_before_the_shift_is_in_order(patrol_a, patroller_a, checkpoints, shift_a):
    ci, _ = check_in(patroller_a, checkpoints[0], shift_a.starts_at - field.CHECK_IN_GRACE + MINUTE)
    assert CheckInFlag.OUTSIDE_WINDOW not in ci.flags


def test_a_phone_clock_far_ahead_is_flagged(patrol_a, patroller_a, checkpoints):
    ci, _ = check_in(patroller_a, checkpoints[0], timezone.now() + 10 * MINUTE)
    assert ci.flags == [CheckInFlag.OUTSIDE_WINDOW] and "ahead of the server" in ci.flag_details


def test_scans_sent_together_cannot_claim_hours_by_their_phone_times(
    patrol_a, patroller_a, checkpoints, shift_a
):
    """Started at the shift's start, two checkpoints scanned hours later with made-up phone times:
    the one that claims to be hours old is flagged and the patrol proves no hours."""
    late = shift_a.starts_at + 229 * MINUTE
    first, _ = check_in(patroller_a, checkpoints[0], shift_a.starts_at + MINUTE, now=late)
    second, _ = check_in(patroller_a, checkpoints[2], late, now=late)
    assert first.flags == [CheckInFlag.DEVICE_CLOCK]
    assert "longer than a phone stays offline" in first.flag_details
    assert second.flags == []
    with scopes_disabled():
        assert hours.patrol_hours(Patrol.objects.get(pk=patrol_a.pk)) == 0


def test_a_check_in_queued_offline_for_a_while_is_in_order(patrol_a, patroller_a, checkpoints):
    ci, _ = check_in(patroller_a, checkpoints[0], timezone.now() - 40 * MINUTE)
    assert CheckInFlag.DEVICE_CLOCK not in ci.flags


def test_no_location_is_flagged(patrol_a, patroller_a, checkpoints):
    ci, _ = check_in(patroller_a, checkpoints[0], timezone.now(), position={"lat": None, "lng": None})
    assert ci.flags == [CheckInFlag.NO_LOCATION] and ci.location is None
    assert "no location" in ci.flag_details


def test_a_checkpoint_of_another_route_is_flagged(patrol_a, patroller_a, station_a):
    with scopes_disabled():
        other = CheckpointFactory(route=RouteFactory(tenant=station_a, name="Market street"), position=1)
    ci, _ = check_in(patroller_a, other, timezone.now())
    assert ci.flags == [CheckInFlag.OTHER_ROUTE] and "another route" in ci.flag_details


def test_two_checkpoints_faster_than_walking_are_flagged(patrol_a, patroller_a, checkpoints):
    t0 = timezone.now() - 10 * MINUTE
    check_in(patroller_a, checkpoints[0], t0)
    # checkpoints are about 220 m apart: 30 seconds is 26 km/h, too fast on a community route
    ci, _ = check_in(patroller_a, checkpoints[1], t0 + datetime.timedelta(seconds=30))
    assert ci.flags == [CheckInFlag.TOO_FAST]
    assert "km/h" in ci.flag_details and "at most 12 km/h" in ci.flag_details
    # five minutes later is a walk
    ci, _ = check_in(patroller_a, checkpoints[2], t0 + 6 * MINUTE)
    assert ci.flags == []


def test_a_brigade_on_e_bikes_may_go_faster(patrol_a, patroller_a, checkpoints, route_a):
    with scopes_disabled():
        type(route_a).objects.filter(pk=route_a.pk).update(tier="brigade")
    t0 = timezone.now() - 10 * MINUTE
    check_in(patroller_a, checkpoints[0], t0)
    ci, _ = check_in(patroller_a, checkpoints[1], t0 + datetime.timedelta(seconds=50))  # ~16 km/h
    assert ci.flags == []
    assert field.MAX_SPEED_KMH["brigade"] > field.MAX_SPEED_KMH["community"] > field.MAX_SPEED_KMH["compound"]


def test_a_late_offline_check_in_is_judged_against_its_neighbours_in_time(patrol_a, patroller_a, checkpoints):
    t0 = timezone.now() - 20 * MINUTE
    check_in(patroller_a, checkpoints[2], t0 + 10 * MINUTE)
    # sent later from the queue, but made 20 seconds before a check-in 440 m away
    ci, _ = check_in(patroller_a, checkpoints[0], t0 + 10 * MINUTE - datetime.timedelta(seconds=20))
    assert CheckInFlag.TOO_FAST in ci.flags


def test_the_same_checkpoint_again_is_flagged(patrol_a, patroller_a, checkpoints):
    t0 = timezone.now() - 20 * MINUTE
    check_in(patroller_a, checkpoints[0], t0)
    ci, _ = check_in(patroller_a, checkpoints[0], t0 + 5 * MINUTE)
    assert ci.flags == [CheckInFlag.REPEATED] and "Already checked in here" in ci.flag_details


def test_every_broken_rule_is_recorded_with_its_reason(patrol_a, patroller_a, station_a):
    with scopes_disabled():
        other = CheckpointFactory(route=RouteFactory(tenant=station_a, name="Far road"), position=1)
    ci, _ = check_in(patroller_a, other, timezone.now() + 20 * MINUTE, position=at(other, 500))
    assert set(ci.flags) == {CheckInFlag.OTHER_ROUTE, CheckInFlag.OUTSIDE_RADIUS, CheckInFlag.OUTSIDE_WINDOW}
    assert len(ci.flag_details.splitlines()) == 3


# ---- offline resends ------------------------------------------------------------------------------------


def test_a_resent_check_in_is_stored_once(patrol_a, patroller_a, checkpoints):
    client_id = uuid.uuid4()
    when = timezone.now() - 3 * MINUTE
    first, created = check_in(patroller_a, checkpoints[0], when, client_id=client_id)
    again, created_again = check_in(patroller_a, checkpoints[0], when, client_id=client_id)
    assert created and not created_again and first.pk == again.pk
    with scopes_disabled():
        assert CheckIn.objects.filter(client_id=client_id).count() == 1


def test_another_volunteers_client_id_is_refused(patrol_a, patroller_a, checkpoints, station_a, officer_a):
    from tests.factories import UserFactory, active_volunteer

    other = active_volunteer(station_a, officer_a, user=UserFactory(username="other_p"), full_name="Other")
    client_id = uuid.uuid4()
    check_in(patroller_a, checkpoints[0], timezone.now(), client_id=client_id)
    with pytest.raises(PatrolError, match="already used"):
        check_in(other, checkpoints[0], timezone.now(), client_id=client_id)


def test_a_batch_is_recorded_oldest_first_each_on_its_own(patrol_a, patroller_a, checkpoints):
    t0 = timezone.now() - 8 * MINUTE
    items = [
        {"qr_token": checkpoints[1].qr_token, "client_id": uuid.uuid4(), "device_time": t0 + 6 * MINUTE},
        {"qr_token": "no-such-code", "client_id": uuid.uuid4(), "device_time": t0 + 7 * MINUTE},
        {"qr_token": checkpoints[0].qr_token, "client_id": uuid.uuid4(), "device_time": t0},
    ]
    for item in items[::2]:
        cp = checkpoints[1] if item["qr_token"] == checkpoints[1].qr_token else checkpoints[0]
        item.update(at(cp))
    with scope(tenant=patroller_a.tenant):
        results = field.check_in_submit_batch(volunteer=patroller_a, items=items)
    assert [r["status"] for r in results] == ["created", "refused", "created"]
    assert "not a checkpoint" in results[1]["error"]
    with scopes_disabled():
        assert list(CheckIn.objects.filter(patrol=patrol_a).values_list("flags", flat=True)) == [[], []]


def test_a_check_in_after_the_patrol_ended_goes_to_that_patrol_when_made_during_it(
    patrol_a, patroller_a, checkpoints
):
    made = timezone.now() - 2 * MINUTE
    with scope(tenant=patroller_a.tenant):
        field.patrol_end(patrol=patrol_a, volunteer=patroller_a, actor=None)
    ci, _ = check_in(patroller_a, checkpoints[0], made)
    assert ci.patrol_id == patrol_a.pk


def test_checking_in_without_a_patrol_is_refused(patroller_a, checkpoints):
    with pytest.raises(PatrolError, match="not on patrol"):
        check_in(patroller_a, checkpoints[0], timezone.now())


# ---- review, points ------------------------------------------------------------------------------


def test_a_rejected_check_in_never_counts(patrol_a, patroller_a, checkpoints, officer_a):
    t0 = timezone.now() - 60 * MINUTE
    check_in(patroller_a, checkpoints[0], t0 + 20 * MINUTE)
    bad, _ = check_in(patroller_a, checkpoints[1], t0 + 50 * MINUTE, position={"lat": None, "lng": None})
    with scope(tenant=patroller_a.tenant):
        field.check_in_review(check_in=bad, actor=officer_a, decision="reject")
        assert hours.patrol_hours(patrol_a) == 0
        with pytest.raises(PatrolError, match="not waiting"):
            field.check_in_review(check_in=bad, actor=officer_a, decision="clear")
    bad.refresh_from_db()
    assert bad.review == CheckIn.Review.REJECTED and bad.reviewed_by == officer_a


def test_points_for_a_patrol_with_nothing_flagged_are_awarded_once(
    patrol_a, patroller_a, checkpoints, shift_a, django_capture_on_commit_callbacks
):
    t0 = shift_a.starts_at
    check_in(patroller_a, checkpoints[0], t0, now=t0)
    check_in(patroller_a, checkpoints[2], t0 + 90 * MINUTE, now=t0 + 90 * MINUTE)
    with scope(tenant=patroller_a.tenant):
        field.patrol_end(patrol=patrol_a, volunteer=patroller_a, actor=patroller_a.user)
        patrol_a.refresh_from_db()
        entry = field.patrol_points_award(patrol=patrol_a)
        again = field.patrol_points_award(patrol=patrol_a)
    assert entry.points == 15 and entry.contribution == "patrol_hour"  # 10 points an hour × 1.5 h
    assert again.pk == entry.pk
    with scopes_disabled():
        assert PointEntry.objects.filter(idempotency_key=f"patrol:{patrol_a.pk}").count() == 1


def test_no_points_while_a_check_in_is_flagged_then_once_cleared(
    patrol_a, patroller_a, checkpoints, shift_a, officer_a
):
    t0 = shift_a.starts_at
    check_in(patroller_a, checkpoints[0], t0, now=t0)
    flagged, _ = check_in(
        patroller_a, checkpoints[2], t0 + 60 * MINUTE, position=at(checkpoints[2], 200), now=t0 + 60 * MINUTE
    )
    with scope(tenant=patroller_a.tenant):
        field.patrol_end(patrol=patrol_a, volunteer=patroller_a, actor=None)
        patrol_a.refresh_from_db()
        assert field.patrol_points_award(patrol=patrol_a) is None
        field.check_in_review(check_in=flagged, actor=officer_a, decision="clear")
        entry = field.patrol_points_award(patrol=patrol_a)
    assert entry.points == 10


def test_notes_and_photos_without_metadata(patrol_a, patroller_a):
    image = Image.new("RGB", (64, 48), (10, 120, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    buf = io.BytesIO()
    image.save(buf, format="JPEG", exif=exif)
    upload = SimpleUploadedFile("gate.jpg", buf.getvalue(), content_type="image/jpeg")
    with scope(tenant=patroller_a.tenant):
        field.patrol_note_add(patrol=patrol_a, volunteer=patroller_a, text="  Gate  left open ")
        photo = field.patrol_photo_add(patrol=patrol_a, volunteer=patroller_a, upload=upload, caption="Gate")
        with pytest.raises(PatrolError, match="not a photo"):
            field.patrol_photo_add(
                patrol=patrol_a,
                volunteer=patroller_a,
                upload=SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg"),
            )
    assert patrol_a.notes.endswith("Gate left open")
    stored = Image.open(photo.image.open("rb"))
    assert not stored.getexif()


def test_distance_is_geodesic():
    # one degree of latitude is about 111.2 km
    assert field.distance_m(Point(113.0, 34.0, srid=4326), Point(113.0, 35.0, srid=4326)) == pytest.approx(
        111_195, rel=0.002
    )


def test_a_patrol_nobody_ended_ends_with_its_shift_when_the_next_one_starts(
    patrol_a, patroller_a, shift_a, route_a
):
    with scopes_disabled():
        later = ShiftFactory(route=route_a, starts_at=shift_a.ends_at + 60 * MINUTE)
        Signup.objects.create(tenant=shift_a.tenant, shift=later, volunteer=patroller_a)
    with scope(tenant=shift_a.tenant):
        nxt = field.patrol_start(shift=later, volunteer=patroller_a, actor=None, now=later.starts_at)
    patrol_a.refresh_from_db()
    assert patrol_a.status == "ended" and patrol_a.ended_at == shift_a.ends_at
    assert nxt.status == "active"
