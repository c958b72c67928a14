"""teams/services.py: the screening flow with its 100% background-review rule, teams, and the points
ledger (append-only, idempotent, never overdrawn), including under concurrent transactions."""

import datetime
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django_scopes import scope, scopes_disabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jointdefense.tenancy.models import Membership, Role
from teams import selectors, services
from teams.errors import PointsError, ScreeningError
from teams.models import PointEntry, Redemption, Reward, ScreeningEvent, Volunteer

from .factories import UserFactory, VolunteerFactory

S = Volunteer.Status
TODAY = datetime.date(2026, 11, 1)


@pytest.fixture
def application(station_a, community_a):
    with scope(tenant=station_a):
        return VolunteerFactory(tenant=station_a, home_community=community_a, full_name="Applicant A")


def roles_of(user, tenant):
    with scopes_disabled():
        m = Membership.objects.filter(user=user, tenant=tenant).first()
        return set(m.roles) if m and m.is_active else set()


# ---- screening ----------------------------------------------------------------------------------


def test_full_screening_path_records_who_did_what(application, officer_a, station_a):
    with scope(tenant=station_a):
        services.volunteer_start_review(volunteer=application, actor=officer_a)
        services.background_review_record(
            volunteer=application, actor=officer_a, result="passed", reviewed_on=TODAY, notes="No record."
        )
        services.volunteer_approve(volunteer=application, actor=officer_a)
        services.volunteer_activate(volunteer=application, actor=officer_a)
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
        services.volunteer_start_review(volunteer=application, actor=officer_a)
        with pytest.raises(ScreeningError) as err:
            if step == "approve":
                services.volunteer_approve(volunteer=application, actor=officer_a)
            else:
                services.volunteer_activate(volunteer=application, actor=officer_a)
        application.refresh_from_db()
    assert err.value.code in ("no_review", "transition")
    assert application.status == S.UNDER_REVIEW
    assert Role.VOLUNTEER not in roles_of(application.user, station_a)


def test_a_failed_review_does_not_allow_approval(application, officer_a, station_a):
    with scope(tenant=station_a):
        services.background_review_record(
            volunteer=application, actor=officer_a, result="failed", reviewed_on=TODAY
        )
        with pytest.raises(ScreeningError):
            services.volunteer_approve(volunteer=application, actor=officer_a)
        services.volunteer_reject(volunteer=application, actor=officer_a, reason="Review failed.")
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
        services.volunteer_reject(volunteer=application, actor=officer_a, reason="  ")
    assert err.value.field == "reason"


def test_rejected_is_final(application, officer_a, station_a):
    with scope(tenant=station_a):
        services.volunteer_reject(volunteer=application, actor=officer_a, reason="Moved away.")
        with pytest.raises(ScreeningError):
            services.volunteer_start_review(volunteer=application, actor=officer_a)


def test_suspension_and_retirement_take_the_station_roles_away(patroller_a, officer_a, station_a, team_a):
    with scope(tenant=station_a):
        services.team_member_add(team=team_a, volunteer=patroller_a, actor=officer_a, is_leader=True)
        assert {Role.VOLUNTEER, Role.TEAM_LEADER} <= roles_of(patroller_a.user, station_a)
        services.volunteer_suspend(volunteer=patroller_a, actor=officer_a, reason="Missed three shifts.")
        assert roles_of(patroller_a.user, station_a) == set()
        services.volunteer_activate(volunteer=patroller_a, actor=officer_a)
        assert Role.VOLUNTEER in roles_of(patroller_a.user, station_a)
        services.volunteer_retire(volunteer=patroller_a, actor=officer_a)
        assert roles_of(patroller_a.user, station_a) == set()
        assert not team_a.members.exists()


def test_applying_twice_at_one_station_is_refused(application, station_a):
    with scope(tenant=station_a), pytest.raises(ScreeningError):
        services.volunteer_apply(
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
        services.volunteer_apply(
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


def test_leading_a_team_gives_the_team_leader_role(patroller_a, officer_a, station_a, team_a):
    with scope(tenant=station_a):
        services.team_member_add(team=team_a, volunteer=patroller_a, actor=officer_a, is_leader=True)
        assert Role.TEAM_LEADER in roles_of(patroller_a.user, station_a)
        services.team_member_add(team=team_a, volunteer=patroller_a, actor=officer_a, is_leader=False)
        assert Role.TEAM_LEADER not in roles_of(patroller_a.user, station_a)


def test_only_active_volunteers_join_teams(application, officer_a, station_a, team_a):
    with scope(tenant=station_a), pytest.raises(ScreeningError):
        services.team_member_add(team=team_a, volunteer=application, actor=officer_a)


def test_another_stations_volunteer_cannot_join(patroller_b, officer_a, station_a, team_a):
    with scope(tenant=[station_a.pk, patroller_b.tenant_id]), pytest.raises(ScreeningError):
        services.team_member_add(team=team_a, volunteer=patroller_b, actor=officer_a)


# ---- points ---------------------------------------------------------------------------------------


def award(volunteer, key, kind="patrol_hour", quantity=1):
    return services.points_award(
        tenant=volunteer.tenant, volunteer=volunteer, kind=kind, idempotency_key=key, quantity=quantity
    )


def test_award_uses_the_station_rule(patroller_a, station_a):
    with scope(tenant=station_a):
        entry, created = award(patroller_a, "clue:1", kind="valuable_clue")
        assert created and entry.points == 75  # 50 base points × 1.5 difficulty
        entry, created = award(patroller_a, "patrol:1", quantity=3)
        assert entry.points == 30
        assert selectors.balance(volunteer=patroller_a) == 105


def test_the_same_key_awards_once(patroller_a, station_a):
    with scope(tenant=station_a):
        first, created_1 = award(patroller_a, "patrol:7")
        again, created_2 = award(patroller_a, "patrol:7")
        assert (created_1, created_2) == (True, False)
        assert first.pk == again.pk
        assert PointEntry.objects.filter(volunteer=patroller_a).count() == 1


def test_inactive_volunteers_earn_nothing(application, station_a):
    with scope(tenant=station_a), pytest.raises(PointsError):
        award(application, "patrol:1")


def test_ledger_entries_cannot_be_edited_or_deleted(patroller_a, station_a):
    with scope(tenant=station_a):
        entry, _ = award(patroller_a, "patrol:1")
        with pytest.raises(ValueError):
            entry.save()
        with pytest.raises(ValueError):
            entry.delete()
        for statement in ("UPDATE teams_pointentry SET points = 999", "DELETE FROM teams_pointentry"):
            with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement)
        assert selectors.balance(volunteer=patroller_a) == 10


def test_reversal_restores_the_balance_and_happens_once(patroller_a, chief_a, station_a):
    with scope(tenant=station_a):
        entry, _ = award(patroller_a, "patrol:1", quantity=2)
        services.points_reverse(entry=entry, actor=chief_a, reason="Patrol did not happen.")
        assert selectors.balance(volunteer=patroller_a) == 0
        assert selectors.earned_points(volunteer=patroller_a) == 0
        services.points_reverse(entry=entry, actor=chief_a, reason="Clicked twice.")
        assert PointEntry.objects.filter(volunteer=patroller_a).count() == 2


def test_redemption_holds_points_and_stock_and_refusal_returns_both(patroller_a, chief_a, station_a):
    with scope(tenant=station_a):
        award(patroller_a, "clue:1", kind="case_assisted")  # 120 points
        mug = Reward.objects.create(tenant=station_a, kind="item", name="Thermos", cost_points=100, stock=3)
        redemption = services.redemption_request(volunteer=patroller_a, reward=mug, actor=patroller_a.user)
        mug.refresh_from_db()
        assert (selectors.balance(volunteer=patroller_a), mug.stock) == (20, 2)
        assert selectors.earned_points(volunteer=patroller_a) == 120  # spending does not lower titles
        services.redemption_refuse(redemption=redemption, actor=chief_a, reason="Out of season.")
        mug.refresh_from_db()
        assert (selectors.balance(volunteer=patroller_a), mug.stock) == (120, 3)
        with pytest.raises(PointsError):
            services.redemption_approve(redemption=redemption, actor=chief_a)


def test_redemption_needs_enough_points_and_stock(patroller_a, station_a):
    with scope(tenant=station_a):
        award(patroller_a, "patrol:1")
        mug = Reward.objects.create(tenant=station_a, kind="item", name="Thermos", cost_points=100, stock=3)
        with pytest.raises(PointsError):
            services.redemption_request(volunteer=patroller_a, reward=mug, actor=None)
        award(patroller_a, "clue:2", kind="case_assisted")
        empty = Reward.objects.create(tenant=station_a, kind="item", name="Torch", cost_points=10, stock=0)
        with pytest.raises(PointsError):
            services.redemption_request(volunteer=patroller_a, reward=empty, actor=None)
        assert selectors.balance(volunteer=patroller_a) == 130


def test_honour_titles_follow_points_earned(patroller_a, station_a):
    with scope(tenant=station_a):
        Reward.objects.create(tenant=station_a, kind="title", name="Safety Guardian", threshold_points=100)
        Reward.objects.create(tenant=station_a, kind="title", name="Star Volunteer", threshold_points=500)
        award(patroller_a, "case:1", kind="case_assisted")  # 120
        earned = selectors.earned_points(volunteer=patroller_a)
        assert [t.name for t in selectors.honour_titles(tenant=station_a, earned=earned)] == [
            "Safety Guardian"
        ]
        assert selectors.next_title(tenant=station_a, earned=earned).name == "Star Volunteer"


# a random history of awards, redemptions, refusals and reversals
operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("award"),
            st.sampled_from(["patrol_hour", "valuable_clue", "hazard_reported"]),
            st.integers(1, 4),
            st.integers(0, 5),
        ),
        st.tuples(st.just("redeem"), st.integers(0, 1)),
        st.tuples(st.just("refuse"), st.integers(0, 10)),
        st.tuples(st.just("reverse"), st.integers(0, 10)),
    ),
    max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_ledger_properties_hold_for_any_history(ops, patroller_a, chief_a, station_a):
    """Whatever happens: the balance equals the sum of the entries, it never goes below zero, stock
    never goes below zero, and a key repeated awards once."""
    with scope(tenant=station_a), transaction.atomic():
        rewards = [
            Reward.objects.create(
                tenant=station_a, kind="item", name=f"R{i}-{id(ops)}", cost_points=c, stock=s
            )
            for i, (c, s) in enumerate([(30, 2), (100, 1)])
        ]
        stock = {r.pk: r.stock for r in rewards}
        keys_used = set()
        for op in ops:
            try:
                if op[0] == "award":
                    _, kind, quantity, key = op
                    _entry, created = award(patroller_a, f"src:{id(ops)}:{key}", kind=kind, quantity=quantity)
                    assert created == (key not in keys_used)
                    keys_used.add(key)
                elif op[0] == "redeem":
                    r = services.redemption_request(volunteer=patroller_a, reward=rewards[op[1]], actor=None)
                    stock[r.reward_id] -= 1
                elif op[0] == "refuse":
                    pending = list(Redemption.objects.filter(volunteer=patroller_a, status="requested"))
                    if pending:
                        r = pending[op[1] % len(pending)]
                        services.redemption_refuse(redemption=r, actor=chief_a, reason="no")
                        stock[r.reward_id] += 1
                else:
                    awards = list(PointEntry.objects.filter(volunteer=patroller_a, kind="award"))
                    if awards:
                        services.points_reverse(
                            entry=awards[op[1] % len(awards)], actor=chief_a, reason="fix"
                        )
            except PointsError:
                pass
            entries = list(PointEntry.objects.filter(volunteer=patroller_a).values_list("points", flat=True))
            balance = selectors.balance(volunteer=patroller_a)
            assert balance == sum(entries)
            assert balance >= 0
            for r in rewards:
                r.refresh_from_db()
                assert r.stock == stock[r.pk] >= 0
        transaction.set_rollback(True)


# ---- concurrency: two real transactions on two connections ----------------------------------------


def run_concurrently(*functions):
    """Run each function in its own thread (its own database connection), released together."""
    barrier = threading.Barrier(len(functions))
    results, errors = [None] * len(functions), []

    def runner(i, fn):
        try:
            barrier.wait(timeout=10)
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_the_same_key_from_two_concurrent_transactions_gives_one_entry(station_a, officer_a, community_a):
    from .factories import active_volunteer

    volunteer = active_volunteer(station_a, officer_a)

    def award_in_own_transaction():
        with scope(tenant=station_a):
            return award(volunteer, "patrol:concurrent", quantity=2)[1]

    for _ in range(3):
        results, errors = run_concurrently(award_in_own_transaction, award_in_own_transaction)
        assert errors == []
    with scopes_disabled():
        assert PointEntry.objects.filter(idempotency_key="patrol:concurrent").count() == 1
        assert selectors.balance(volunteer=volunteer) == 20


@pytest.mark.django_db(transaction=True)
def test_concurrent_redemptions_never_overdraw_stock_or_balance(station_a, officer_a, community_a):
    from .factories import active_volunteer

    rich = active_volunteer(station_a, officer_a, full_name="Rich")
    other = active_volunteer(station_a, officer_a, full_name="Other")
    with scope(tenant=station_a):
        award(rich, "case:1", kind="case_assisted")  # 120: enough for one 100-point item only
        award(other, "case:2", kind="case_assisted")
        last_one = Reward.objects.create(
            tenant=station_a, kind="item", name="Last torch", cost_points=100, stock=1
        )
        plenty = Reward.objects.create(
            tenant=station_a, kind="item", name="Raincoat", cost_points=100, stock=5
        )

    def request(volunteer, reward):
        def fn():
            with scope(tenant=station_a):
                return services.redemption_request(volunteer=volunteer, reward=reward, actor=None)

        return fn

    # two volunteers race for the last item: one gets it
    _results, errors = run_concurrently(request(rich, last_one), request(other, last_one))
    assert len(errors) == 1 and isinstance(errors[0], PointsError)
    # one volunteer asks twice at once with points for one: one request goes through
    winner = rich if selectors_balance(rich) >= 100 else other
    _results, errors = run_concurrently(request(winner, plenty), request(winner, plenty))
    assert len(errors) == 1 and isinstance(errors[0], PointsError)
    with scope(tenant=station_a):
        last_one.refresh_from_db()
        plenty.refresh_from_db()
        assert last_one.stock == 0 and plenty.stock == 4
        assert selectors.balance(volunteer=rich) >= 0 and selectors.balance(volunteer=other) >= 0


def selectors_balance(volunteer):
    with scopes_disabled():
        return selectors.balance(volunteer=volunteer)
