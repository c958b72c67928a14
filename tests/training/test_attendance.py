"""Attendance: the whole session on one page, all or nothing; results from the course's assessment;
passing issues the certificate and being present awards points, once; the QR check-in during the
session, at its place."""

import datetime

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from teams.models import PointEntry
from teams.selectors.points import balance
from tests.factories import CourseFactory, TrainingSessionFactory, enrolled, training_volunteer
from training import errors
from training.models import Certificate, Enrolment
from training.services.attendance import AttendanceRow, attendance_qr_checkin, attendance_record

A, R = Enrolment.Attendance, Enrolment.Result
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def held(station_a):
    """A scored session (pass mark 60 of 100) that ended an hour ago."""
    with scopes_disabled():
        course = CourseFactory(tenant=station_a, name="Conflict resolution", assessment="score", pass_mark=60)
        return TrainingSessionFactory(
            course=course, starts_at=timezone.now() - 3 * HOUR, ends_at=timezone.now() - HOUR
        )


def rows_of(held, people):
    return [enrolled(held, v) for v in people]


def test_the_officer_records_a_whole_session_and_passing_issues_certificates_and_points(
    station_a, officer_a, held, people_a
):
    ann, ben, cai, _dan = rows_of(held, people_a)
    page = [
        AttendanceRow(ann.pk, A.PRESENT, score=75),
        AttendanceRow(ben.pk, A.PRESENT, score=40),
        AttendanceRow(cai.pk, A.EXCUSED),
    ]
    with scope(tenant=station_a):
        attendance_record(session=held, actor=officer_a, rows=page)
        attendance_record(session=held, actor=officer_a, rows=page)  # saved twice: nothing doubles
        results = {
            e.volunteer.full_name: (e.attendance, e.result) for e in Enrolment.objects.filter(session=held)
        }
        assert results == {
            "Ann": (A.PRESENT, R.PASSED),
            "Ben": (A.PRESENT, R.FAILED),
            "Cai": (A.EXCUSED, R.PENDING),
            "Dan": (A.UNRECORDED, R.PENDING),
        }
        assert [c.volunteer.full_name for c in Certificate.objects.filter(course=held.course)] == ["Ann"]
        points = PointEntry.objects.filter(contribution="training_attended")
        assert sorted(p.volunteer.full_name for p in points) == ["Ann", "Ben"]


def test_attendance_corrected_from_present_reverses_the_points_once_and_back_awards_again(
    station_a, officer_a, held, people_a
):
    ann, *_ = rows_of(held, people_a)
    volunteer = people_a[0]

    def record(attendance, **row):
        with scope(tenant=station_a):
            attendance_record(session=held, actor=officer_a, rows=[AttendanceRow(ann.pk, attendance, **row)])
            return balance(volunteer=volunteer), list(
                PointEntry.objects.filter(volunteer=volunteer).order_by("pk").values_list("kind", "points")
            )

    assert record(A.PRESENT, score=75) == (10, [("award", 10)])
    # the officer ticked the wrong row: absent after all; the award is reversed by a new entry
    assert record(A.ABSENT) == (0, [("award", 10), ("reversal", -10)])
    assert record(A.EXCUSED) == (0, [("award", 10), ("reversal", -10)])  # once
    with scope(tenant=station_a):
        assert not Certificate.objects.filter(volunteer=volunteer, revoked_at__isnull=True).exists()
    # and present again after all: awarded again, once
    assert record(A.PRESENT, score=40) == (10, [("award", 10), ("reversal", -10), ("award", 10)])
    assert record(A.PRESENT, score=80) == (10, [("award", 10), ("reversal", -10), ("award", 10)])


def test_one_score_outside_the_scale_refuses_the_page_naming_the_volunteer(
    station_a, officer_a, held, people_a
):
    ann, ben, *_ = rows_of(held, people_a)
    with scope(tenant=station_a):
        with pytest.raises(errors.ScoreOutOfScale, match="Ben's score 140 is outside the scale of 0 to 100"):
            attendance_record(
                session=held,
                actor=officer_a,
                rows=[
                    AttendanceRow(ann.pk, A.PRESENT, score=90),
                    AttendanceRow(ben.pk, A.PRESENT, score=140),
                ],
            )
        assert not Enrolment.objects.filter(session=held).exclude(attendance=A.UNRECORDED).exists()
        assert not Certificate.objects.exists()


def test_a_result_for_someone_absent_or_a_row_of_another_session_is_refused(
    station_a, officer_a, held, people_a
):
    ann, *_ = rows_of(held, people_a)
    with scopes_disabled():
        other = enrolled(TrainingSessionFactory(course=held.course), people_a[1])
    with scope(tenant=station_a):
        with pytest.raises(errors.AttendanceError, match="Ann was not present and cannot have a result"):
            attendance_record(
                session=held, actor=officer_a, rows=[AttendanceRow(ann.pk, A.ABSENT, result=R.PASSED)]
            )
        with pytest.raises(errors.AttendanceError, match="not an enrolment of this session"):
            attendance_record(
                session=held, actor=officer_a, rows=[AttendanceRow(other.pk, A.PRESENT, score=80)]
            )


def test_only_staff_or_the_sessions_trainer_record(station_a, officer_a, held, people_a):
    ann, *_ = rows_of(held, people_a)
    trainer = training_volunteer(station_a, officer_a, "tess", roles=["trainer"])
    with scope(tenant=station_a):
        with pytest.raises(errors.NotATrainer):
            attendance_record(
                session=held, actor=trainer.user, rows=[AttendanceRow(ann.pk, A.PRESENT, score=80)]
            )
        held.trainer = trainer.user
        held.save()
        attendance_record(session=held, actor=trainer.user, rows=[AttendanceRow(ann.pk, A.PRESENT, score=80)])
        assert Certificate.objects.filter(volunteer=people_a[0]).count() == 1


def test_a_result_corrected_to_failed_revokes_the_certificate(station_a, officer_a, held, people_a):
    ann, *_ = rows_of(held, people_a)
    with scope(tenant=station_a):
        attendance_record(session=held, actor=officer_a, rows=[AttendanceRow(ann.pk, A.PRESENT, score=80)])
        attendance_record(session=held, actor=officer_a, rows=[AttendanceRow(ann.pk, A.PRESENT, score=20)])
        certificate = Certificate.objects.get(enrolment=ann)
        assert certificate.revoked_at is not None and certificate.revoked_by == officer_a


def test_pass_fail_takes_the_given_result(station_a, officer_a, people_a):
    with scopes_disabled():
        course = CourseFactory(tenant=station_a, assessment="pass_fail")
        session = TrainingSessionFactory(course=course, starts_at=timezone.now() - HOUR)
    ann, ben, *_ = rows_of(session, people_a)
    with scope(tenant=station_a):
        done = attendance_record(
            session=session,
            actor=officer_a,
            rows=[
                AttendanceRow(ann.pk, A.PRESENT, result=R.PASSED),
                AttendanceRow(ben.pk, A.PRESENT, result=R.FAILED),
            ],
        )
    assert [e.result for e in done] == [R.PASSED, R.FAILED]


# ---- QR check-in ------------------------------------------------------------------------------------


@pytest.fixture
def on_the_map(station_a, course_a):
    """An attendance-only session under way at a point."""
    with scopes_disabled():
        return TrainingSessionFactory(
            course=course_a,
            starts_at=timezone.now() - HOUR,
            ends_at=timezone.now() + HOUR,
            location=Point(113.70, 34.78, srid=4326),
            checkin_radius_m=100,
        )


def test_scanning_the_qr_at_the_place_marks_present_and_passes_an_attendance_course(
    station_a, on_the_map, people_a
):
    enrolled(on_the_map, people_a[0])
    with scope(tenant=station_a):
        e = attendance_qr_checkin(
            code=on_the_map.checkin_code, volunteer=people_a[0], location=Point(113.7005, 34.78)
        )
        again = attendance_qr_checkin(
            code=on_the_map.checkin_code, volunteer=people_a[0], location=Point(113.7005, 34.78)
        )
        assert (e.attendance, e.checkin_method, e.result) == (A.PRESENT, "qr", R.PASSED)
        assert again.pk == e.pk
        assert Certificate.objects.filter(volunteer=people_a[0], course=on_the_map.course).count() == 1


def test_a_check_in_away_from_the_place_or_without_location_is_refused(station_a, on_the_map, people_a):
    enrolled(on_the_map, people_a[0])
    with scope(tenant=station_a):
        with pytest.raises(errors.CheckInOutsidePlace, match=r"You are \d+ m from the session's place"):
            attendance_qr_checkin(
                code=on_the_map.checkin_code, volunteer=people_a[0], location=Point(113.71, 34.78)
            )
        with pytest.raises(errors.CheckInOutsidePlace, match="Allow the page to use your location"):
            attendance_qr_checkin(code=on_the_map.checkin_code, volunteer=people_a[0])
        assert Enrolment.objects.get(volunteer=people_a[0]).attendance == A.UNRECORDED


def test_a_check_in_outside_the_session_time_is_refused(station_a, on_the_map, people_a):
    enrolled(on_the_map, people_a[0])
    with scope(tenant=station_a):
        for when in (on_the_map.starts_at - 31 * datetime.timedelta(minutes=1), on_the_map.ends_at + HOUR):
            with pytest.raises(errors.CheckInOutsideTime, match="open from half an hour before"):
                attendance_qr_checkin(
                    code=on_the_map.checkin_code,
                    volunteer=people_a[0],
                    location=on_the_map.location,
                    when=when,
                )


def test_a_waiting_or_unenrolled_volunteer_or_an_unknown_code_is_refused(
    station_a, on_the_map, people_a, patroller_b
):
    enrolled(on_the_map, people_a[0], status=Enrolment.Status.WAITING)
    with scope(tenant=station_a):
        with pytest.raises(errors.EnrolmentError, match="waiting list"):
            attendance_qr_checkin(
                code=on_the_map.checkin_code, volunteer=people_a[0], location=on_the_map.location
            )
        with pytest.raises(errors.EnrolmentError, match="not enrolled"):
            attendance_qr_checkin(
                code=on_the_map.checkin_code, volunteer=people_a[1], location=on_the_map.location
            )
        with pytest.raises(errors.CheckInUnknown):
            attendance_qr_checkin(code="nope", volunteer=people_a[0], location=on_the_map.location)
    with scope(tenant=patroller_b.tenant), pytest.raises(errors.CheckInUnknown):
        attendance_qr_checkin(
            code=on_the_map.checkin_code, volunteer=patroller_b, location=on_the_map.location
        )
