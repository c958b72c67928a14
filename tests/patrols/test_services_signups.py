"""Sign-up, withdrawal and officers' assignments: each station rule refuses with its message and
saves nothing; two volunteers racing for the last place never exceed the headcount."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from jointdefense.core.models import AuditEvent
from patrols.errors import SignupError
from patrols.models import Signup
from patrols.services import planning
from patrols.services import signups as services
from teams.services import teams as team_services
from tests.factories import ShiftFactory, TeamFactory, UserFactory, VolunteerFactory, active_volunteer
from tests.support import run_concurrently

H = datetime.timedelta(hours=1)


def in_hours(hours):
    return timezone.now().replace(microsecond=0) + hours * H


@pytest.fixture
def shift(station_a):
    with scope(tenant=station_a):
        return ShiftFactory(tenant=station_a, route__tenant=station_a, starts_at=in_hours(24), headcount=2)


def volunteer(station, officer, name, **fields):
    return active_volunteer(station, officer, user=UserFactory(username=name), full_name=name, **fields)


def signups(station):
    with scope(tenant=station):
        return list(Signup.objects.filter(tenant=station, withdrawn_at__isnull=True))


def test_an_active_patroller_signs_up_and_it_is_audited(station_a, shift, patroller_a):
    with scope(tenant=station_a):
        signup = services.shift_signup(shift=shift, volunteer=patroller_a)
        assert signup.source == Signup.Source.SELF and signup.is_active
        event = AuditEvent.objects.get(tenant=station_a, action="shift.signed_up")
        assert event.actor == patroller_a.user and event.data["shift"] == shift.pk


def test_a_volunteer_without_the_patrol_role_is_refused_by_the_one_rule(station_a, officer_a, shift):
    clerk = volunteer(station_a, officer_a, "clerk", roles=["publicity"])
    with scope(tenant=station_a), pytest.raises(SignupError, match="does not have the patrol role"):
        services.shift_signup(shift=shift, volunteer=clerk)
    assert signups(station_a) == []


def test_an_applicant_is_refused(station_a, shift):
    with scope(tenant=station_a):
        applicant = VolunteerFactory(tenant=station_a, full_name="Applicant")
        with pytest.raises(SignupError, match="Only active volunteers can patrol"):
            services.shift_signup(shift=shift, volunteer=applicant)
    assert signups(station_a) == []


def test_a_full_shift_refuses_the_next_volunteer(station_a, officer_a, shift):
    people = [volunteer(station_a, officer_a, f"p{n}") for n in range(3)]
    with scope(tenant=station_a):
        services.shift_signup(shift=shift, volunteer=people[0])
        services.shift_signup(shift=shift, volunteer=people[1])
        with pytest.raises(SignupError, match="This shift is full"):
            services.shift_signup(shift=shift, volunteer=people[2])
    assert len(signups(station_a)) == 2


def test_overlapping_shifts_are_refused(station_a, shift, patroller_a):
    with scope(tenant=station_a):
        other = ShiftFactory(
            tenant=station_a,
            route__tenant=station_a,
            route__name="Night loop",
            starts_at=shift.starts_at + 2 * H,
        )
        services.shift_signup(shift=shift, volunteer=patroller_a)
        with pytest.raises(SignupError, match="already on Night loop|overlaps") as err:
            services.shift_signup(shift=other, volunteer=patroller_a)
        assert "overlaps this shift" in str(err.value.message)
        # back to back is fine
        later = ShiftFactory(tenant=station_a, route=shift.route, starts_at=shift.ends_at)
        services.shift_signup(shift=later, volunteer=patroller_a)


def test_signing_up_twice_is_refused(station_a, shift, patroller_a):
    with scope(tenant=station_a):
        services.shift_signup(shift=shift, volunteer=patroller_a)
        with pytest.raises(SignupError, match="already on this shift"):
            services.shift_signup(shift=shift, volunteer=patroller_a)


def test_cancelled_started_and_past_shifts_are_refused(station_a, shift, patroller_a, officer_a):
    with scope(tenant=station_a):
        running = ShiftFactory(tenant=station_a, route=shift.route, starts_at=in_hours(-1))
        past = ShiftFactory(tenant=station_a, route=shift.route, starts_at=in_hours(-10))
        planning.shift_cancel(shift=shift, actor=officer_a)
        with pytest.raises(SignupError, match="cancelled"):
            services.shift_signup(shift=shift, volunteer=patroller_a)
        with pytest.raises(SignupError, match="has started"):
            services.shift_signup(shift=running, volunteer=patroller_a)
        with pytest.raises(SignupError, match="is over"):
            services.shift_signup(shift=past, volunteer=patroller_a)
    assert signups(station_a) == []


def test_withdrawing_before_the_cutoff_keeps_the_row(station_a, shift, patroller_a):
    with scope(tenant=station_a):
        signup = services.shift_signup(shift=shift, volunteer=patroller_a)
        services.shift_withdraw(signup=signup, actor=patroller_a.user)
        signup.refresh_from_db()
        assert signup.withdrawn_at is not None
        assert AuditEvent.objects.filter(tenant=station_a, action="shift.withdrawn").count() == 1
        # and signing up again brings the same row back
        again = services.shift_signup(shift=shift, volunteer=patroller_a)
        assert again.pk == signup.pk and again.is_active


@override_settings(PATROL_WITHDRAWAL_CUTOFF_HOURS=12)
def test_withdrawing_after_the_cutoff_is_refused_but_an_officer_may_remove(station_a, patroller_a, officer_a):
    with scope(tenant=station_a):
        soon = ShiftFactory(tenant=station_a, route__tenant=station_a, starts_at=in_hours(6))
        signup = services.shift_signup(shift=soon, volunteer=patroller_a)
        with pytest.raises(SignupError, match="Withdrawals close 12 hours before the shift"):
            services.shift_withdraw(signup=signup, actor=patroller_a.user)
        signup.refresh_from_db()
        assert signup.withdrawn_at is None
        services.shift_withdraw(signup=signup, actor=officer_a, by_officer=True)
        signup.refresh_from_db()
        assert signup.withdrawn_at is not None
        assert AuditEvent.objects.get(tenant=station_a, action="shift.removed").actor == officer_a


def test_an_officer_assigns_beyond_the_headcount_but_not_an_ineligible_person(station_a, officer_a, shift):
    people = [volunteer(station_a, officer_a, f"a{n}") for n in range(3)]
    clerk = volunteer(station_a, officer_a, "clerk", roles=["mediation"])
    with scope(tenant=station_a):
        for person in people:
            services.shift_assign(shift=shift, volunteer=person, actor=officer_a)
        with pytest.raises(SignupError, match="does not have the patrol role"):
            services.shift_assign(shift=shift, volunteer=clerk, actor=officer_a)
        assert (
            AuditEvent.objects.filter(tenant=station_a, action="shift.assigned", actor=officer_a).count() == 3
        )
    assert len(signups(station_a)) == 3


def test_assigning_a_team_puts_each_eligible_member_on_and_reports_the_others(station_a, officer_a, shift):
    ok = volunteer(station_a, officer_a, "ok")
    busy = volunteer(station_a, officer_a, "busy")
    clerk = volunteer(station_a, officer_a, "clerk", roles=["publicity"])
    with scopes_disabled():
        team = TeamFactory(tenant=station_a, name="Squad")
    with scope(tenant=station_a):
        for person in (ok, busy, clerk):
            team_services.team_member_add(team=team, volunteer=person, actor=officer_a)
        elsewhere = ShiftFactory(tenant=station_a, route__tenant=station_a, starts_at=shift.starts_at)
        services.shift_signup(shift=elsewhere, volunteer=busy)
        assigned, refused = services.shift_assign_team(shift=shift, team=team, actor=officer_a)
        assert [s.volunteer for s in assigned] == [ok]
        reasons = {v.full_name: reason for v, reason in refused}
        assert "does not have the patrol role" in reasons["clerk"]
        assert "overlaps this shift" in reasons["busy"]
        shift.refresh_from_db()
        assert shift.team == team
        event = AuditEvent.objects.get(tenant=station_a, action="shift.team_assigned")
        assert event.data["assigned"] == [ok.pk] and set(event.data["refused"]) == {
            str(busy.pk),
            str(clerk.pk),
        }


def test_another_stations_volunteer_is_refused(station_a, shift, patroller_b):
    with scopes_disabled(), pytest.raises(SignupError, match="another station"):
        services.shift_assign(shift=shift, volunteer=patroller_b, actor=None)


@pytest.mark.django_db(transaction=True)
def test_two_volunteers_racing_for_the_last_place_never_exceed_the_headcount(
    station_a, officer_a, community_a
):
    people = [volunteer(station_a, officer_a, f"r{n}") for n in range(4)]
    with scope(tenant=station_a):
        shift = ShiftFactory(tenant=station_a, route__tenant=station_a, starts_at=in_hours(30), headcount=1)

    def sign_up(person):
        def fn():
            with scope(tenant=station_a):
                return services.shift_signup(shift=shift, volunteer=person)

        return fn

    for round_, pair in enumerate((people[:2], people[2:])):
        _results, errors = run_concurrently(*(sign_up(p) for p in pair))
        if round_ == 0:
            assert len(errors) == 1 and isinstance(errors[0], SignupError)
            assert "full" in str(errors[0].message)
        else:  # the shift was already full
            assert len(errors) == 2
    assert len(signups(station_a)) == 1
