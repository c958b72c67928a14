"""The gates: patrols' one "may patrol" check requires a valid certificate of every course the
volunteer's roles and teams need (counting included courses), naming the course and the next
session with a free place; activating a volunteer requires the pre-job course."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from patrols.errors import SignupError
from patrols.services.signups import shift_signup
from teams.errors import ScreeningError
from teams.models import Team, TeamMember, Volunteer
from teams.services import screening
from tests.factories import (
    CourseFactory,
    ShiftFactory,
    TrainingSessionFactory,
    VolunteerFactory,
    certificate_for,
    training_volunteer,
)
from training.models import Course, CourseInclusion
from training.selectors.qualifications import missing_courses, training_refusal

DAY = datetime.timedelta(days=1)


def test_a_volunteer_whose_certificate_lapsed_cannot_sign_up_and_is_told_the_next_session(
    station_a, officer_a, course_a
):
    ann = training_volunteer(station_a, officer_a, "ann")
    certificate_for(ann, course_a, issued_at=timezone.now() - 400 * DAY, expires_at=timezone.now() - DAY)
    with scopes_disabled():
        full = TrainingSessionFactory(course=course_a, capacity=1, starts_at=timezone.now() + 2 * DAY)
        full.enrolments.create(tenant=station_a, volunteer=training_volunteer(station_a, officer_a, "ben"))
        TrainingSessionFactory(
            course=course_a,
            place_name="Garden hall",
            starts_at=datetime.datetime(2099, 12, 12, 1, 0, tzinfo=datetime.UTC),
        )
        shift = ShiftFactory(route__tenant=station_a)
    with scope(tenant=station_a), pytest.raises(SignupError) as refused:
        shift_signup(shift=shift, volunteer=ann)
    assert refused.value.code == "may_not_patrol"
    assert str(refused.value.message) == (
        "Ann needs a valid certificate of “Patrol basics”; the next session with a free place is on "
        "2099-12-12 09:00 at Garden hall."  # the full session is skipped; 09:00 in Shanghai
    )
    with scopes_disabled():
        assert not shift.signups.exists()


def test_the_shift_board_links_the_refusal_to_the_session_to_enrol_in(login, station_a, officer_a, course_a):
    ann = training_volunteer(station_a, officer_a, "ann")
    with scopes_disabled():
        session = TrainingSessionFactory(course=course_a, place_name="Garden hall")
        ShiftFactory(route__tenant=station_a)
    board = login(ann.user).get(reverse("patrols:shifts", kwargs={"station": station_a.slug}))
    assert board.status_code == 200
    html = board.content.decode()
    assert "Ann needs a valid certificate of “Patrol basics”" in html
    enrol = reverse("training:session-detail", kwargs={"station": station_a.slug, "pk": session.pk})
    assert f'data-testid="enrol-link" href="{enrol}"' in html
    # holding the certificate: no refusal, no link
    certificate_for(ann, course_a)
    html = login(ann.user).get(reverse("patrols:shifts", kwargs={"station": station_a.slug})).content.decode()
    assert "enrol-link" not in html and "needs a valid certificate" not in html


def test_a_valid_certificate_lets_the_volunteer_sign_up(station_a, officer_a, course_a):
    ann = training_volunteer(station_a, officer_a, "ann")
    certificate_for(ann, course_a)
    with scopes_disabled():
        shift = ShiftFactory(route__tenant=station_a)
    with scope(tenant=station_a):
        assert shift_signup(shift=shift, volunteer=ann).volunteer == ann


def test_a_revoked_certificate_does_not_count(station_a, officer_a, course_a):
    ann = training_volunteer(station_a, officer_a, "ann")
    certificate_for(ann, course_a, revoked_at=timezone.now(), revoke_reason="cheated")
    with scope(tenant=station_a):
        assert "no session of it with a free place" in training_refusal(ann)


def test_an_included_course_satisfies_the_gate(station_a, officer_a, course_a):
    ann = training_volunteer(station_a, officer_a, "ann")
    with scopes_disabled():
        leader = CourseFactory(tenant=station_a, name="Patrol leader")
        senior = CourseFactory(tenant=station_a, name="Senior leader")
        CourseInclusion.objects.create(tenant=station_a, course=leader, included=course_a)
        CourseInclusion.objects.create(tenant=station_a, course=senior, included=leader)
        shift = ShiftFactory(route__tenant=station_a)
    certificate_for(ann, senior)  # includes "Patrol leader", which includes "Patrol basics"
    with scope(tenant=station_a):
        assert missing_courses(ann) == []
        assert shift_signup(shift=shift, volunteer=ann).volunteer == ann


def test_a_team_type_needs_its_course(station_a, officer_a, course_a, team_a):
    ann = training_volunteer(station_a, officer_a, "ann")
    certificate_for(ann, course_a)
    with scopes_disabled():
        brigade = CourseFactory(
            tenant=station_a,
            name="Community patrol drill",
            required_for_team_types=[Team.Type.COMMUNITY_PATROL],
        )
    with scope(tenant=station_a):
        assert training_refusal(ann) is None
        TeamMember.objects.create(tenant=station_a, team=team_a, volunteer=ann)
        assert missing_courses(ann) == [brigade]
        assert "“Community patrol drill”" in training_refusal(ann)


def test_a_course_no_longer_offered_is_not_required(station_a, officer_a, course_a):
    ann = training_volunteer(station_a, officer_a, "ann")
    with scopes_disabled():
        Course.objects.filter(pk=course_a.pk).update(is_active=False)
    with scope(tenant=station_a):
        assert training_refusal(ann) is None


def approved(station, officer, name):
    with scope(tenant=station):
        volunteer = VolunteerFactory(tenant=station, full_name=name, roles=["patrol"])
        screening.background_review_record(
            volunteer=volunteer, actor=officer, result="passed", reviewed_on=datetime.date(2026, 1, 5)
        )
        screening.volunteer_approve(volunteer=volunteer, actor=officer)
        return Volunteer.objects.get(pk=volunteer.pk)


def test_activation_requires_the_pre_job_course(station_a, officer_a, course_a):
    with scopes_disabled():
        pre_job = CourseFactory(
            tenant=station_a,
            name="Volunteer induction",
            kind=Course.Kind.PRE_JOB,
            required_for_roles=["patrol"],
        )
        TrainingSessionFactory(course=pre_job, place_name="Station hall")
    volunteer = approved(station_a, officer_a, "Newcomer")
    with scope(tenant=station_a):
        with pytest.raises(
            ScreeningError, match="Newcomer needs a valid certificate of “Volunteer induction”"
        ) as e:
            screening.volunteer_activate(volunteer=volunteer, actor=officer_a)
        assert e.value.code == "activation_check"
        assert Volunteer.objects.get(pk=volunteer.pk).status == Volunteer.Status.APPROVED
    certificate_for(volunteer, pre_job)  # the regular "Patrol basics" is not needed to be activated
    with scope(tenant=station_a):
        assert (
            screening.volunteer_activate(volunteer=volunteer, actor=officer_a).status
            == Volunteer.Status.ACTIVE
        )
