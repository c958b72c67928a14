"""Sessions and enrolment: places then the waiting list (also when two volunteers take the last
place at once, in real concurrent transactions), withdrawal promoting the first waiting person
who is told, whole teams, and the refusals that change nothing."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from jointdefense.core.models import OutboxMessage
from jointdefense.core.tasks import send_email
from teams.models import TeamMember, Volunteer
from teams.services import screening
from tests.factories import TrainingSessionFactory, UserFactory, VolunteerFactory, training_volunteer
from tests.support import run_concurrently
from training import errors
from training.models import Enrolment
from training.services import sessions

E = Enrolment.Status


def statuses(session):
    with scopes_disabled():
        return {
            e.volunteer.full_name: e.status
            for e in Enrolment.objects.filter(session=session).select_related("volunteer")
        }


def test_places_first_then_the_waiting_list(station_a, session_a, people_a):
    ann, ben, cai, _dan = people_a
    with scope(tenant=station_a):
        results = [
            sessions.enrolment_request(session=session_a, volunteer=v, actor=None) for v in (ann, ben, cai)
        ]
    assert [e.status for e in results] == [E.ENROLLED, E.ENROLLED, E.WAITING]
    assert results[0].enrolled_at is not None and results[2].enrolled_at is None


def test_two_volunteers_taking_the_last_place_at_once_give_one_place_and_one_wait(
    transactional_db, station_a, session_a, people_a
):
    ann, ben, cai, _dan = people_a
    with scope(tenant=station_a):
        sessions.enrolment_request(session=session_a, volunteer=ann, actor=None)  # one place left

    def enrol(volunteer):
        def run():
            with scope(tenant=station_a):
                return sessions.enrolment_request(session=session_a, volunteer=volunteer, actor=None).status

        return run

    results, failures = run_concurrently(enrol(ben), enrol(cai))
    assert failures == []
    assert sorted(results) == [E.ENROLLED, E.WAITING]
    with scopes_disabled():
        assert Enrolment.objects.filter(session=session_a, status=E.ENROLLED).count() == 2


def test_withdrawing_gives_the_place_to_the_first_waiting_and_tells_them(
    station_a, session_a, people_a, django_capture_on_commit_callbacks
):
    ann, ben, cai, dan = people_a
    with scope(tenant=station_a):
        first = sessions.enrolment_request(session=session_a, volunteer=ann, actor=None)
        sessions.enrolment_request(session=session_a, volunteer=ben, actor=None)
        sessions.enrolment_request(session=session_a, volunteer=cai, actor=None)  # waiting 1st
        sessions.enrolment_request(session=session_a, volunteer=dan, actor=None)  # waiting 2nd
        OutboxMessage.objects.all().delete()
        sessions.enrolment_withdraw(enrolment=first, actor=ann.user)
    assert statuses(session_a) == {"Ann": E.WITHDRAWN, "Ben": E.ENROLLED, "Cai": E.ENROLLED, "Dan": E.WAITING}
    messages = list(OutboxMessage.objects.filter(task="core.send_email"))
    assert [m.kwargs["to"] for m in messages] == [[cai.user.email]]
    send_email(**messages[0].kwargs)
    send_email(**messages[0].kwargs)  # delivered twice: sent once
    assert len(mail.outbox) == 1
    assert "Patrol basics" in mail.outbox[0].subject
    assert "you are now enrolled" in mail.outbox[0].body


def test_asking_again_after_withdrawing_goes_to_the_back_of_the_queue(station_a, session_a, people_a):
    ann, ben, cai, dan = people_a
    with scope(tenant=station_a):
        for v in (ann, ben, cai):
            sessions.enrolment_request(session=session_a, volunteer=v, actor=None)
        waiting = sessions.enrolment_request(session=session_a, volunteer=dan, actor=None)
        sessions.enrolment_withdraw(enrolment=waiting, actor=None)
        again = sessions.enrolment_request(session=session_a, volunteer=dan, actor=None)
        assert again.pk == waiting.pk and again.status == E.WAITING
        assert sessions.waiting_position(again) == 2  # behind Cai


def test_a_larger_capacity_gives_the_new_places_to_the_waiting_list(station_a, session_a, people_a):
    with scope(tenant=station_a):
        for v in people_a:
            sessions.enrolment_request(session=session_a, volunteer=v, actor=None)
        sessions.session_update(session=session_a, actor=None, capacity=3)
    assert statuses(session_a) == {"Ann": E.ENROLLED, "Ben": E.ENROLLED, "Cai": E.ENROLLED, "Dan": E.WAITING}


def test_enrolling_twice_is_refused(station_a, session_a, people_a):
    with scope(tenant=station_a):
        sessions.enrolment_request(session=session_a, volunteer=people_a[0], actor=None)
        with pytest.raises(errors.AlreadyEnrolled, match="Ann is already enrolled"):
            sessions.enrolment_request(session=session_a, volunteer=people_a[0], actor=None)
    assert len(statuses(session_a)) == 1


@pytest.mark.parametrize(
    "change, error, message",
    [
        ({"is_cancelled": True}, errors.SessionCancelled, "cancelled"),
        ({"starts_at": -1}, errors.SessionStarted, "has started"),
    ],
)
def test_a_cancelled_or_started_session_takes_nobody(station_a, session_a, people_a, change, error, message):
    with scopes_disabled():
        if change.get("starts_at") == -1:
            change = {"starts_at": timezone.now() - datetime.timedelta(minutes=5)}
        for name, value in change.items():
            setattr(session_a, name, value)
        session_a.save()
    with scope(tenant=station_a), pytest.raises(error, match=message):
        sessions.enrolment_request(session=session_a, volunteer=people_a[0], actor=None)
    assert statuses(session_a) == {}


def test_another_stations_volunteer_is_refused(station_a, session_a, patroller_b):
    with scope(tenant=station_a), pytest.raises(errors.NotInStation, match="another station"):
        sessions.enrolment_request(session=session_a, volunteer=patroller_b, actor=None)
    assert statuses(session_a) == {}


def test_an_applicant_cannot_enrol_but_an_approved_volunteer_can(station_a, officer_a, session_a):
    with scope(tenant=station_a):
        applicant = VolunteerFactory(tenant=station_a, full_name="Applicant")
        with pytest.raises(errors.VolunteerInactive, match="Applicant is applied"):
            sessions.enrolment_request(session=session_a, volunteer=applicant, actor=None)
        screening.background_review_record(
            volunteer=applicant, actor=officer_a, result="passed", reviewed_on=datetime.date(2026, 1, 5)
        )
        screening.volunteer_approve(volunteer=applicant, actor=officer_a)
        applicant = Volunteer.objects.get(pk=applicant.pk)
        assert (
            sessions.enrolment_request(session=session_a, volunteer=applicant, actor=None).status
            == E.ENROLLED
        )


def test_a_whole_team_is_enrolled_with_places_then_waiting_and_skips(
    station_a, officer_a, session_a, team_a, people_a
):
    ann, ben, cai, dan = people_a
    with scope(tenant=station_a):
        for v in people_a:
            TeamMember.objects.create(tenant=station_a, team=team_a, volunteer=v)
        sessions.enrolment_request(session=session_a, volunteer=dan, actor=None)  # already on it
        counts = sessions.team_enrol(session=session_a, team=team_a, actor=officer_a)
    assert counts == {"enrolled": 1, "waiting": 2, "skipped": 1}
    assert statuses(session_a) == {"Dan": E.ENROLLED, "Ann": E.ENROLLED, "Ben": E.WAITING, "Cai": E.WAITING}


def test_another_stations_team_is_refused(station_a, session_a, team_b, officer_a):
    with scope(tenant=station_a), pytest.raises(errors.NotInStation):
        sessions.team_enrol(session=session_a, team=team_b, actor=officer_a)


def test_the_trainer_is_an_officer_or_a_trainer_volunteer(station_a, officer_a, course_a, people_a):
    starts = timezone.now() + datetime.timedelta(days=2)
    kwargs = {"tenant": station_a, "actor": officer_a, "course": course_a, "starts_at": starts, "capacity": 5}
    with scope(tenant=station_a):
        session = sessions.session_create(
            **kwargs, ends_at=starts + datetime.timedelta(hours=1), place_name="Hall", trainer=officer_a
        )
        assert session.trainer == officer_a
        with pytest.raises(errors.NotATrainer, match="Ann is neither an officer"):
            sessions.session_create(
                **kwargs,
                ends_at=starts + datetime.timedelta(hours=1),
                place_name="Hall",
                trainer=people_a[0].user,
            )
        trainer = training_volunteer(station_a, officer_a, "tess", roles=["trainer"])
        assert (
            sessions.session_create(
                **kwargs,
                ends_at=starts + datetime.timedelta(hours=1),
                place_name="Hall",
                trainer=trainer.user,
            ).trainer
            == trainer.user
        )
        outsider = UserFactory(username="outsider")
        with pytest.raises(errors.NotATrainer):
            sessions.session_create(
                **kwargs, ends_at=starts + datetime.timedelta(hours=1), place_name="Hall", trainer=outsider
            )


def test_a_session_needs_a_place_and_an_end_after_its_start(station_a, officer_a, course_a):
    starts = timezone.now() + datetime.timedelta(days=2)
    kwargs = {"tenant": station_a, "actor": officer_a, "course": course_a, "starts_at": starts, "capacity": 5}
    with scope(tenant=station_a):
        with pytest.raises(errors.SessionError, match="place on the map, a place name or an online link"):
            sessions.session_create(**kwargs, ends_at=starts + datetime.timedelta(hours=1))
        with pytest.raises(errors.SessionError, match="end after it starts"):
            sessions.session_create(**kwargs, ends_at=starts, place_name="Hall")
        online = sessions.session_create(
            **kwargs, ends_at=starts + datetime.timedelta(hours=1), online_url="https://meet.example.org/x"
        )
    assert online.is_online


def test_cancelling_tells_everyone_enrolled_or_waiting(station_a, officer_a, session_a, people_a):
    with scope(tenant=station_a):
        for v in people_a[:3]:
            sessions.enrolment_request(session=session_a, volunteer=v, actor=None)
        OutboxMessage.objects.all().delete()
        sessions.session_cancel(session=session_a, actor=officer_a)
        sessions.session_cancel(session=session_a, actor=officer_a)  # twice: told once
    assert sorted(m.kwargs["to"][0] for m in OutboxMessage.objects.all()) == sorted(
        v.user.email for v in people_a[:3]
    )


def test_the_capacity_cannot_drop_below_those_enrolled(station_a, session_a, people_a):
    with scope(tenant=station_a):
        for v in people_a[:2]:
            sessions.enrolment_request(session=session_a, volunteer=v, actor=None)
        with pytest.raises(errors.SessionError, match="2 volunteers are enrolled"):
            sessions.session_update(session=session_a, actor=None, capacity=1)
    with scopes_disabled():
        session_a.refresh_from_db()
    assert session_a.capacity == 2


def test_sessions_of_another_station_stay_apart(station_a, station_b, officer_b, session_a):
    with scopes_disabled():
        other = TrainingSessionFactory(course__tenant=station_b)
    with scope(tenant=station_b):
        from training.selectors.sessions import upcoming_sessions

        assert list(upcoming_sessions(station_b)) == [other]
