"""teams.services.screening (and the application in teams.services.volunteers): the screening flow
with its 100% background-review rule."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django_scopes import scope, scopes_disabled

from jointdefense.tenancy.models import Role
from teams.errors import ScreeningError
from teams.models import ScreeningEvent, Volunteer
from teams.services.screening import (
    background_review_record,
    volunteer_activate,
    volunteer_approve,
    volunteer_reinstate,
    volunteer_reject,
    volunteer_retire,
    volunteer_start_review,
    volunteer_suspend,
)
from teams.services.teams import team_member_add
from teams.services.volunteers import volunteer_apply
from tests.factories import UserFactory, roles_of

S = Volunteer.Status
TODAY = datetime.date(2026, 11, 1)


# ---- screening ----------------------------------------------------------------------------------


def test_full_screening_path_records_who_did_what(application, officer_a, station_a):
    with scope(tenant=station_a):
        volunteer_start_review(volunteer=application, actor=officer_a)
        background_review_record(
            volunteer=application, actor=officer_a, result="passed", reviewed_on=TODAY, notes="No record."
        )
        volunteer_approve(volunteer=application, actor=officer_a)
        volunteer_activate(volunteer=application, actor=officer_a)
        application.refresh_from_db()
        assert application.status == S.ACTIVE
        assert application.activated_at is not None
        events = list(
            ScreeningEvent.objects.filter(volunteer=application).values_list(
                "from_status", "to_status", "actor"
            )
        )
    assert [(f, t) for f, t, _a in events] == [
        ("", "applied"),
        ("applied", "under_review"),
        ("under_review", "under_review"),
        ("under_review", "approved"),
        ("approved", "active"),
    ]
    assert all(a == officer_a.pk for _f, t, a in events if t != "applied")
    assert Role.VOLUNTEER in roles_of(application.user, station_a)


@pytest.mark.parametrize("step", ["approve", "activate"])
def test_no_approval_or_activation_without_a_recorded_review(application, officer_a, station_a, step):
    with scope(tenant=station_a):
        volunteer_start_review(volunteer=application, actor=officer_a)
        with pytest.raises(ScreeningError) as err:
            if step == "approve":
                volunteer_approve(volunteer=application, actor=officer_a)
            else:
                volunteer_activate(volunteer=application, actor=officer_a)
        application.refresh_from_db()
    assert err.value.code in ("no_review", "transition")
    assert application.status == S.UNDER_REVIEW
    assert Role.VOLUNTEER not in roles_of(application.user, station_a)


def test_a_failed_review_does_not_allow_approval(application, officer_a, station_a):
    with scope(tenant=station_a):
        background_review_record(volunteer=application, actor=officer_a, result="failed", reviewed_on=TODAY)
        with pytest.raises(ScreeningError):
            volunteer_approve(volunteer=application, actor=officer_a)
        volunteer_reject(volunteer=application, actor=officer_a, reason="Review failed.")
        application.refresh_from_db()
    assert application.status == S.REJECTED
    assert application.rejection_reason == "Review failed."


@pytest.mark.parametrize("status", ["approved", "active", "suspended"])
def test_the_database_refuses_an_unreviewed_active_volunteer(application, station_a, status):
    """The 100% rule holds for every writer: a raw update, the admin, an import."""
    with scope(tenant=station_a), pytest.raises(IntegrityError), transaction.atomic():
        Volunteer.objects.filter(pk=application.pk).update(status=status)


def test_reject_needs_a_reason(application, officer_a, station_a):
    with scope(tenant=station_a), pytest.raises(ScreeningError) as err:
        volunteer_reject(volunteer=application, actor=officer_a, reason="  ")
    assert err.value.field == "reason"


def test_rejected_is_final(application, officer_a, station_a):
    with scope(tenant=station_a):
        volunteer_reject(volunteer=application, actor=officer_a, reason="Moved away.")
        with pytest.raises(ScreeningError):
            volunteer_start_review(volunteer=application, actor=officer_a)


def test_suspension_and_retirement_take_the_station_roles_away(patroller_a, officer_a, station_a, team_a):
    with scope(tenant=station_a):
        team_member_add(team=team_a, volunteer=patroller_a, actor=officer_a, is_leader=True)
        assert {Role.VOLUNTEER, Role.TEAM_LEADER} <= roles_of(patroller_a.user, station_a)
        volunteer_suspend(volunteer=patroller_a, actor=officer_a, reason="Missed three shifts.")
        assert roles_of(patroller_a.user, station_a) == set()
        volunteer_activate(volunteer=patroller_a, actor=officer_a)
        assert Role.VOLUNTEER in roles_of(patroller_a.user, station_a)
        volunteer_retire(volunteer=patroller_a, actor=officer_a)
        assert roles_of(patroller_a.user, station_a) == set()
        assert not team_a.members.exists()


def test_applying_twice_at_one_station_is_refused(application, station_a):
    with scope(tenant=station_a), pytest.raises(ScreeningError):
        volunteer_apply(
            tenant=station_a,
            user=application.user,
            full_name="Again",
            phone="13811112222",
            id_number=application.id_number,
            emergency_contact_name="x",
            emergency_contact_phone="13900000000",
            consent=True,
        )


def test_application_needs_consent(station_a):
    user = UserFactory()
    with scope(tenant=station_a), pytest.raises(ScreeningError) as err:
        volunteer_apply(
            tenant=station_a,
            user=user,
            full_name="No Consent",
            phone="13811112222",
            id_number="E12345678",
            emergency_contact_name="x",
            emergency_contact_phone="13900000000",
            consent=False,
        )
    assert err.value.field == "consent"
    with scopes_disabled():
        assert not Volunteer.objects.exists()


def test_only_a_suspended_volunteer_is_reinstated(application, patroller_a, officer_a, station_a):
    with scope(tenant=station_a):
        with pytest.raises(ScreeningError) as err:
            volunteer_reinstate(volunteer=patroller_a, actor=officer_a)  # active, not suspended
        assert err.value.code == "transition"
        volunteer_suspend(volunteer=patroller_a, actor=officer_a, reason="Missed three shifts.")
        volunteer_reinstate(volunteer=patroller_a, actor=officer_a, note="Back from leave")
        patroller_a.refresh_from_db()
        assert patroller_a.status == S.ACTIVE
        assert Role.VOLUNTEER in roles_of(patroller_a.user, station_a)


def test_applying_with_a_password_creates_the_account_with_the_application(station_a):
    with scope(tenant=station_a):
        volunteer = volunteer_apply(
            tenant=station_a,
            password="a-long-Passw0rd",
            full_name=" New Person ",
            phone="138 1111 3333",
            id_number="E12345678",
            emergency_contact_name="x",
            emergency_contact_phone="13900000000",
            consent=True,
        )
    user = volunteer.user
    assert (user.username, user.full_name) == ("13811113333", "New Person")
    assert user.check_password("a-long-Passw0rd")


def test_a_refused_application_creates_no_account(station_a):
    with scope(tenant=station_a), pytest.raises(ScreeningError):
        volunteer_apply(
            tenant=station_a,
            password="a-long-Passw0rd",
            full_name="No Consent",
            phone="13811114444",
            id_number="E12345678",
            emergency_contact_name="x",
            emergency_contact_phone="13900000000",
            consent=False,
        )
    assert not get_user_model().objects.filter(username="13811114444").exists()


def test_a_phone_registered_a_moment_ago_is_a_screening_error(station_a):
    UserFactory(username="13811115555")
    with scope(tenant=station_a), pytest.raises(ScreeningError) as err:
        volunteer_apply(
            tenant=station_a,
            password="a-long-Passw0rd",
            full_name="Too Late",
            phone="13811115555",
            id_number="E12345678",
            emergency_contact_name="x",
            emergency_contact_phone="13900000000",
            consent=True,
        )
    assert err.value.code == "phone_taken"
