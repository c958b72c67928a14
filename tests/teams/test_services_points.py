"""teams.services.points: the points ledger (append-only, idempotent, never overdrawn), including
under concurrent transactions (redemptions too: they are entries of the same ledger)."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django_scopes import scope, scopes_disabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jointdefense.tenancy.models import Role
from teams.errors import PointsError
from teams.models import PointEntry, Redemption, Reward, Volunteer
from teams.selectors.points import balance, earned_points, honour_titles, next_title
from teams.services.points import points_award, points_reverse
from teams.services.rewards import redemption_refuse, redemption_request
from tests.factories import award_points, member
from tests.support import run_concurrently

S = Volunteer.Status
TODAY = datetime.date(2026, 11, 1)


# ---- points ---------------------------------------------------------------------------------------


def test_award_uses_the_station_rule(patroller_a, station_a):
    with scope(tenant=station_a):
        entry, created = award_points(patroller_a, "clue:1", kind="valuable_clue")
        assert created and entry.points == 75  # 50 base points × 1.5 difficulty
        entry, created = award_points(patroller_a, "patrol:1", quantity=3)
        assert entry.points == 30
        assert balance(volunteer=patroller_a) == 105


def test_the_same_key_awards_once(patroller_a, station_a):
    with scope(tenant=station_a):
        first, created_1 = award_points(patroller_a, "patrol:7")
        again, created_2 = award_points(patroller_a, "patrol:7")
        assert (created_1, created_2) == (True, False)
        assert first.pk == again.pk
        assert PointEntry.objects.filter(volunteer=patroller_a).count() == 1


def test_inactive_volunteers_earn_nothing(application, station_a):
    with scope(tenant=station_a), pytest.raises(PointsError):
        award_points(application, "patrol:1")


def test_ledger_entries_cannot_be_edited_or_deleted(patroller_a, station_a):
    with scope(tenant=station_a):
        entry, _ = award_points(patroller_a, "patrol:1")
        with pytest.raises(ValueError):
            entry.save()
        with pytest.raises(ValueError):
            entry.delete()
        for statement in ("UPDATE teams_pointentry SET points = 999", "DELETE FROM teams_pointentry"):
            with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement)
        assert balance(volunteer=patroller_a) == 10


def awarded_by(user, volunteer, key):
    with scope(tenant=volunteer.tenant):
        entry, _ = points_award(
            tenant=volunteer.tenant, volunteer=volunteer, kind="patrol_hour", idempotency_key=key, actor=user
        )
    return entry


def test_a_user_who_awarded_points_can_be_deleted_and_the_entry_stays(patroller_a, station_a):
    awarder = member(station_a, Role.OFFICER, username="awarder")
    entry = awarded_by(awarder, patroller_a, "patrol:1")
    awarder.delete()  # the actor column becomes NULL; the trigger allows exactly that
    with scope(tenant=station_a):
        kept = PointEntry.objects.get(pk=entry.pk)
        assert (kept.actor_id, kept.points, kept.idempotency_key) == (None, 10, "patrol:1")
        assert balance(volunteer=patroller_a) == 10
        # anything else is still refused, with the actor's erasure or without
        other = member(station_a, Role.OFFICER, username="other_officer")
        second = awarded_by(other, patroller_a, "patrol:2")
        for statement in (
            f"UPDATE teams_pointentry SET actor_id = NULL, points = 999 WHERE id = {second.pk}",
            f"UPDATE teams_pointentry SET actor_id = {other.pk} WHERE id = {entry.pk}",
            f"UPDATE teams_pointentry SET reason = 'edited' WHERE id = {entry.pk}",
            f"DELETE FROM teams_pointentry WHERE id = {entry.pk}",
        ):
            with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement)
        assert balance(volunteer=patroller_a) == 20


def test_the_operator_deletes_a_user_who_awarded_points_in_the_admin(login, patroller_a, station_a):
    from django.urls import reverse

    from tests.factories import UserFactory

    operator = UserFactory(username="operator", is_staff=True, is_superuser=True)
    awarder = member(station_a, Role.CHIEF, username="awarder")
    entry = awarded_by(awarder, patroller_a, "patrol:1")
    client = login(operator)
    url = reverse("admin:accounts_user_delete", args=[awarder.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    with scopes_disabled():
        assert not type(awarder).objects.filter(pk=awarder.pk).exists()
        assert PointEntry.objects.get(pk=entry.pk).actor_id is None


def test_reversal_restores_the_balance_and_happens_once(patroller_a, chief_a, station_a):
    with scope(tenant=station_a):
        entry, _ = award_points(patroller_a, "patrol:1", quantity=2)
        points_reverse(entry=entry, actor=chief_a, reason="Patrol did not happen.")
        assert balance(volunteer=patroller_a) == 0
        assert earned_points(volunteer=patroller_a) == 0
        points_reverse(entry=entry, actor=chief_a, reason="Clicked twice.")
        assert PointEntry.objects.filter(volunteer=patroller_a).count() == 2


def test_honour_titles_follow_points_earned(patroller_a, station_a):
    with scope(tenant=station_a):
        Reward.objects.create(tenant=station_a, kind="title", name="Safety Guardian", threshold_points=100)
        Reward.objects.create(tenant=station_a, kind="title", name="Star Volunteer", threshold_points=500)
        award_points(patroller_a, "case:1", kind="case_assisted")  # 120
        earned = earned_points(volunteer=patroller_a)
        assert [t.name for t in honour_titles(tenant=station_a, earned=earned)] == ["Safety Guardian"]
        assert next_title(tenant=station_a, earned=earned).name == "Star Volunteer"


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
                    _entry, created = award_points(
                        patroller_a, f"src:{id(ops)}:{key}", kind=kind, quantity=quantity
                    )
                    assert created == (key not in keys_used)
                    keys_used.add(key)
                elif op[0] == "redeem":
                    r = redemption_request(volunteer=patroller_a, reward=rewards[op[1]], actor=None)
                    stock[r.reward_id] -= 1
                elif op[0] == "refuse":
                    pending = list(Redemption.objects.filter(volunteer=patroller_a, status="requested"))
                    if pending:
                        r = pending[op[1] % len(pending)]
                        redemption_refuse(redemption=r, actor=chief_a, reason="no")
                        stock[r.reward_id] += 1
                else:
                    awards = list(PointEntry.objects.filter(volunteer=patroller_a, kind="award"))
                    if awards:
                        points_reverse(entry=awards[op[1] % len(awards)], actor=chief_a, reason="fix")
            except PointsError:
                pass
            entries = list(PointEntry.objects.filter(volunteer=patroller_a).values_list("points", flat=True))
            current = balance(volunteer=patroller_a)
            assert current == sum(entries)
            assert current >= 0
            for r in rewards:
                r.refresh_from_db()
                assert r.stock == stock[r.pk] >= 0
        transaction.set_rollback(True)


# ---- concurrency: two real transactions on two connections ----------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_same_key_from_two_concurrent_transactions_gives_one_entry(station_a, officer_a, community_a):
    from tests.factories import active_volunteer

    volunteer = active_volunteer(station_a, officer_a)

    def award_in_own_transaction():
        with scope(tenant=station_a):
            return award_points(volunteer, "patrol:concurrent", quantity=2)[1]

    for _ in range(3):
        results, errors = run_concurrently(award_in_own_transaction, award_in_own_transaction)
        assert errors == []
    with scopes_disabled():
        assert PointEntry.objects.filter(idempotency_key="patrol:concurrent").count() == 1
        assert balance(volunteer=volunteer) == 20


@pytest.mark.django_db(transaction=True)
def test_concurrent_redemptions_never_overdraw_stock_or_balance(station_a, officer_a, community_a):
    from tests.factories import active_volunteer

    rich = active_volunteer(station_a, officer_a, full_name="Rich")
    other = active_volunteer(station_a, officer_a, full_name="Other")
    with scope(tenant=station_a):
        award_points(rich, "case:1", kind="case_assisted")  # 120: enough for one 100-point item only
        award_points(other, "case:2", kind="case_assisted")
        last_one = Reward.objects.create(
            tenant=station_a, kind="item", name="Last torch", cost_points=100, stock=1
        )
        plenty = Reward.objects.create(
            tenant=station_a, kind="item", name="Raincoat", cost_points=100, stock=5
        )

    def request(volunteer, reward):
        def fn():
            with scope(tenant=station_a):
                return redemption_request(volunteer=volunteer, reward=reward, actor=None)

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
        assert balance(volunteer=rich) >= 0 and balance(volunteer=other) >= 0


def selectors_balance(volunteer):
    with scopes_disabled():
        return balance(volunteer=volunteer)
