"""Reward points pages: the volunteer's own page, redemptions and the chief's decisions, manual
awards and corrections, the leaderboard, point rules and the reward catalogue."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from jointdefense.core.models import AuditEvent
from teams.models import PointEntry, PointRule, Redemption, Reward
from teams.services.points import points_award, points_reverse
from teams.services.rewards import redemption_approve, redemption_request, reward_create
from teams.services.screening import background_review_record, volunteer_reject
from teams.services.teams import team_member_add
from tests.factories import TeamFactory, UserFactory, VolunteerFactory, active_volunteer

pytestmark = pytest.mark.django_db


def url(name, station, **kwargs):
    return reverse(f"teams:{name}", kwargs={"station": station.slug, **kwargs})


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def award(in_scope):
    """award(volunteer, kind, quantity=1, reason=...) -> the ledger entry (through the service)."""

    def _award(volunteer, kind="patrol_hour", quantity=1, reason="Night patrol", actor=None):
        with in_scope(volunteer.tenant):
            entry, _created = points_award(
                tenant=volunteer.tenant,
                volunteer=volunteer,
                kind=kind,
                quantity=quantity,
                reason=reason,
                idempotency_key=f"test:{uuid.uuid4()}",
                actor=actor,
            )
        return entry

    return _award


@pytest.fixture
def reward(in_scope):
    """reward(station, name, cost=..., stock=...) or reward(station, name, threshold=...)."""

    def _reward(station, name, *, cost=None, stock=None, threshold=None):
        with in_scope(station):
            return reward_create(
                tenant=station,
                actor=None,
                kind=Reward.Kind.TITLE if threshold else Reward.Kind.ITEM,
                name=name,
                cost_points=cost,
                stock=stock,
                threshold_points=threshold,
            )

    return _reward


def balance(volunteer):
    with scopes_disabled():
        return sum(PointEntry.objects.filter(volunteer=volunteer).values_list("points", flat=True))


def stock(item):
    with scopes_disabled():
        return Reward.objects.get(pk=item.pk).stock


# ---- the volunteer's own page -------------------------------------------------------------------------


def test_my_volunteering_shows_balance_history_and_titles(login, station_a, patroller_a, award, reward):
    award(patroller_a, "patrol_hour", quantity=3, reason="Saturday night patrol")  # 30
    award(patroller_a, "valuable_clue", reason="Clue about bicycle thefts")  # 50 × 1.5 = 75
    reward(station_a, "Bronze Guardian", threshold=50)
    reward(station_a, "Silver Guardian", threshold=100)
    reward(station_a, "Gold Guardian", threshold=500)

    page = login(patroller_a.user).get(url("my-volunteering", station_a))

    assert page.status_code == 200
    assert page.context["balance"] == 105
    assert page.context["earned"] == 105
    assert [t.name for t in page.context["titles"]] == ["Bronze Guardian", "Silver Guardian"]
    assert page.context["next_title"].name == "Gold Guardian"
    assert page.context["points_to_next"] == 395
    html = page.content.decode()
    assert "Saturday night patrol" in html and "Clue about bicycle thefts" in html
    assert "+75" in html and "Valuable clue" in html
    assert "395 more points" in html


def test_anonymous_is_sent_to_login(anonymous, station_a):
    response = anonymous.get(url("my-volunteering", station_a))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_member_without_application_is_sent_to_apply(login, station_a, volunteer_a):
    response = login(volunteer_a).get(url("my-volunteering", station_a))
    assert response.status_code == 302
    assert response["Location"] == url("apply", station_a)


def test_applicant_sees_status_timeline_without_internal_review_notes(login, station_a, officer_a, in_scope):
    applicant = UserFactory(username="applicant")
    with in_scope(station_a):
        volunteer = VolunteerFactory(tenant=station_a, user=applicant)
        background_review_record(
            volunteer=volunteer,
            actor=officer_a,
            result="passed",
            reviewed_on=datetime.date(2026, 1, 5),
            notes="INTERNAL: neighbour complaint checked",
        )

    page = login(applicant).get(url("my-volunteering", station_a))

    assert page.status_code == 200
    html = page.content.decode()
    assert [e.to_status for e in page.context["timeline"]] == ["applied", "under_review"]
    assert "Under review" in html and "background review every volunteer goes through" in html
    assert "INTERNAL" not in html
    assert "Background review recorded" not in html
    assert "Points history" not in html  # no points section before activation


def test_rejected_applicant_sees_the_reason(login, station_a, officer_a, in_scope):
    applicant = UserFactory(username="applicant")
    with in_scope(station_a):
        volunteer = VolunteerFactory(tenant=station_a, user=applicant)
        volunteer_reject(volunteer=volunteer, actor=officer_a, reason="Lives outside the station area")

    page = login(applicant).get(url("my-volunteering", station_a))

    assert page.context["volunteer"].status == "rejected"
    assert "Lives outside the station area" in page.content.decode()


# ---- redemptions ----------------------------------------------------------------------------------


def test_redemption_request_holds_points_and_stock(login, station_a, patroller_a, award, reward):
    award(patroller_a, "case_assisted")  # 120
    item = reward(station_a, "Rain jacket", cost=100, stock=2)
    client = login(patroller_a.user)

    response = client.post(url("redemption-request", station_a, pk=item.pk), follow=True)

    assert response.redirect_chain[-1][0] == url("my-volunteering", station_a)
    assert any("Rain jacket" in m for m in messages_of(response))
    assert balance(patroller_a) == 20
    assert stock(item) == 1
    [redemption] = response.context["redemptions"]
    assert redemption.status == Redemption.Status.REQUESTED and redemption.points == 100
    assert "Cancel request" in response.content.decode()


def test_request_without_enough_points_changes_nothing(login, station_a, patroller_a, award, reward):
    award(patroller_a)  # 10
    item = reward(station_a, "Rain jacket", cost=100, stock=2)

    response = login(patroller_a.user).post(url("redemption-request", station_a, pk=item.pk), follow=True)

    assert any("Not enough points" in m for m in messages_of(response))
    assert balance(patroller_a) == 10
    assert stock(item) == 2
    with scopes_disabled():
        assert not Redemption.objects.exists()


def test_request_out_of_stock_changes_nothing(login, station_a, patroller_a, award, reward):
    award(patroller_a, "case_assisted")  # 120
    item = reward(station_a, "Torch", cost=20, stock=0)

    page = login(patroller_a.user).get(url("my-volunteering", station_a))
    assert "Out of stock" in page.content.decode()
    response = login(patroller_a.user).post(url("redemption-request", station_a, pk=item.pk), follow=True)

    assert any("out of stock" in m for m in messages_of(response))
    assert balance(patroller_a) == 120
    assert stock(item) == 0
    with scopes_disabled():
        assert not Redemption.objects.exists()


def test_cancel_restores_balance_and_stock(login, station_a, patroller_a, award, reward):
    award(patroller_a, "case_assisted")  # 120
    item = reward(station_a, "Rain jacket", cost=100, stock=2)
    client = login(patroller_a.user)
    client.post(url("redemption-request", station_a, pk=item.pk))
    with scopes_disabled():
        redemption = Redemption.objects.get()

    response = client.post(url("redemption-cancel", station_a, pk=redemption.pk), follow=True)

    assert any("cancelled" in m for m in messages_of(response))
    assert balance(patroller_a) == 120
    assert stock(item) == 2
    redemption.refresh_from_db()
    assert redemption.status == Redemption.Status.CANCELLED


def test_volunteer_cannot_cancel_someone_elses_request(
    login, station_a, officer_a, patroller_a, award, reward, in_scope
):
    other = active_volunteer(station_a, officer_a, full_name="Other Volunteer")
    award(other, "case_assisted")
    item = reward(station_a, "Rain jacket", cost=100, stock=2)
    with in_scope(station_a):
        redemption = redemption_request(volunteer=other, reward=item, actor=other.user)

    response = login(patroller_a.user).post(url("redemption-cancel", station_a, pk=redemption.pk))

    assert response.status_code == 404
    redemption.refresh_from_db()
    assert redemption.status == Redemption.Status.REQUESTED


@pytest.fixture
def pending(station_a, patroller_a, award, reward, in_scope):
    award(patroller_a, "case_assisted")  # 120
    item = reward(station_a, "Rain jacket", cost=100, stock=2)
    with in_scope(station_a):
        return redemption_request(volunteer=patroller_a, reward=item, actor=patroller_a.user)


def test_chief_sees_pending_requests_first(login, station_a, chief_a, patroller_a, pending, award, in_scope):
    award(patroller_a, "case_assisted")
    with in_scope(station_a):
        newer = redemption_request(volunteer=patroller_a, reward=pending.reward, actor=patroller_a.user)
        redemption_approve(redemption=newer, actor=chief_a)

    page = login(chief_a).get(url("redemption-list", station_a))

    assert page.status_code == 200
    assert [r.pk for r in page.context["redemptions"]] == [pending.pk, newer.pk]
    assert page.context["pending_count"] == 1
    assert "Rain jacket" in page.content.decode() and "Patroller A" in page.content.decode()


def test_chief_approves_a_request(login, station_a, chief_a, patroller_a, pending):
    response = login(chief_a).post(
        url("redemption-decide", station_a, pk=pending.pk, decision="approve"), follow=True
    )

    assert any("Approved" in m for m in messages_of(response))
    pending.refresh_from_db()
    assert pending.status == Redemption.Status.APPROVED and pending.decided_by == chief_a
    assert balance(patroller_a) == 20  # the held points are spent


def test_chief_refuses_with_a_reason_and_the_points_come_back(
    login, station_a, chief_a, patroller_a, pending
):
    client = login(chief_a)

    no_reason = client.post(
        url("redemption-decide", station_a, pk=pending.pk, decision="refuse"), follow=True
    )
    assert any("Say why" in m for m in messages_of(no_reason))
    pending.refresh_from_db()
    assert pending.status == Redemption.Status.REQUESTED

    client.post(
        url("redemption-decide", station_a, pk=pending.pk, decision="refuse"), {"reason": "Out of season"}
    )
    pending.refresh_from_db()
    assert pending.status == Redemption.Status.REFUSED and pending.refusal_reason == "Out of season"
    assert balance(patroller_a) == 120
    assert stock(pending.reward) == 2

    again = client.post(url("redemption-decide", station_a, pk=pending.pk, decision="approve"), follow=True)
    assert any("decided already" in m for m in messages_of(again))
    pending.refresh_from_db()
    assert pending.status == Redemption.Status.REFUSED

    page = login(patroller_a.user).get(url("my-volunteering", station_a))
    assert "Out of season" in page.content.decode()


def test_unknown_decision_is_404(login, station_a, chief_a, pending):
    response = login(chief_a).post(url("redemption-decide", station_a, pk=pending.pk, decision="delete"))
    assert response.status_code == 404


def test_officer_gets_403_on_redemptions_and_rule_edits(login, station_a, officer_a, pending):
    client = login(officer_a)
    assert client.get(url("redemption-list", station_a)).status_code == 403
    assert (
        client.post(url("redemption-decide", station_a, pk=pending.pk, decision="approve")).status_code == 403
    )
    assert client.get(url("point-rules", station_a)).status_code == 200  # reading is fine
    assert client.post(url("point-rules", station_a), {}).status_code == 403
    assert client.get(url("reward-create", station_a)).status_code == 403
    assert client.post(url("points-reverse", station_a, pk=1), {"reason": "x"}).status_code == 403


# ---- manual awards and corrections ----------------------------------------------------------------------


def test_double_submitted_manual_award_awards_once(login, station_a, officer_a, patroller_a):
    client = login(officer_a)
    form = client.get(url("points-award", station_a, pk=patroller_a.pk)).context["award_form"]
    token = form.initial["token"]
    data = {"kind": "dispute_settled", "quantity": 2, "reason": "Settled the parking dispute", "token": token}

    first = client.post(url("points-award", station_a, pk=patroller_a.pk), data)
    second = client.post(url("points-award", station_a, pk=patroller_a.pk), data, follow=True)

    assert first.status_code == 302
    assert first["Location"] == url("volunteer-detail", station_a, pk=patroller_a.pk)
    assert any("sent twice" in m for m in messages_of(second))
    with scopes_disabled():
        [entry] = PointEntry.objects.filter(volunteer=patroller_a)
    assert entry.points == 96  # 40 × 1.2 × 2
    assert entry.idempotency_key == f"manual:{token}" and entry.actor == officer_a


def test_award_form_for_gives_a_fresh_token_each_time(station_a, patroller_a, in_scope):
    from teams.forms.points import award_form_for

    with in_scope(station_a):
        assert award_form_for(patroller_a).initial["token"] != award_form_for(patroller_a).initial["token"]


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "patrol_hour", "quantity": 0, "reason": "Patrol"},
        {"kind": "patrol_hour", "quantity": 101, "reason": "Patrol"},
        {"kind": "patrol_hour", "quantity": 1, "reason": "   "},
        {"kind": "flying", "quantity": 1, "reason": "Patrol"},
    ],
)
def test_invalid_manual_award_shows_errors_and_awards_nothing(data, login, station_a, officer_a, patroller_a):
    response = login(officer_a).post(
        url("points-award", station_a, pk=patroller_a.pk), {**data, "token": uuid.uuid4()}
    )
    assert response.status_code == 400
    assert response.context["award_form"].errors
    assert balance(patroller_a) == 0


def test_award_for_an_inactive_rule_is_refused(login, station_a, officer_a, patroller_a):
    with scopes_disabled():
        PointRule.objects.filter(tenant=station_a, kind="other").update(is_active=False)
    response = login(officer_a).post(
        url("points-award", station_a, pk=patroller_a.pk),
        {"kind": "other", "quantity": 1, "reason": "Helped", "token": uuid.uuid4()},
    )
    assert response.status_code == 400
    assert balance(patroller_a) == 0


def test_chief_reverses_an_award_and_the_balance_drops(
    login, station_a, chief_a, officer_a, patroller_a, award
):
    entry = award(patroller_a, "valuable_clue")  # 75
    award(patroller_a)  # 10
    client = login(chief_a)

    no_reason = client.post(url("points-reverse", station_a, pk=entry.pk), {"reason": ""}, follow=True)
    assert any("Say why" in m for m in messages_of(no_reason))
    assert balance(patroller_a) == 85

    response = client.post(url("points-reverse", station_a, pk=entry.pk), {"reason": "Clue was a duplicate"})

    assert response["Location"] == url("volunteer-detail", station_a, pk=patroller_a.pk)
    assert balance(patroller_a) == 10
    with scopes_disabled():
        correction = PointEntry.objects.get(reverses=entry)
    assert correction.kind == PointEntry.Kind.REVERSAL and correction.points == -75
    assert correction.actor == chief_a

    twice = client.post(url("points-reverse", station_a, pk=entry.pk), {"reason": "again"})
    assert balance(patroller_a) == 10
    assert twice.status_code == 302

    page = login(patroller_a.user).get(url("my-volunteering", station_a))
    assert "Clue was a duplicate" in page.content.decode() and "-75" in page.content.decode()


def test_reverse_returns_to_a_safe_next_only(login, station_a, chief_a, patroller_a, award):
    client = login(chief_a)
    first, second = award(patroller_a), award(patroller_a)
    safe = client.post(
        url("points-reverse", station_a, pk=first.pk),
        {"reason": "Wrong person", "next": url("leaderboard", station_a)},
    )
    unsafe = client.post(
        url("points-reverse", station_a, pk=second.pk),
        {"reason": "Wrong person", "next": "https://evil.example/"},
    )
    assert safe["Location"] == url("leaderboard", station_a)
    assert unsafe["Location"] == url("volunteer-detail", station_a, pk=patroller_a.pk)


# ---- leaderboard ------------------------------------------------------------------------------------


def test_leaderboard_ranks_by_the_months_points_and_filters_by_team(
    login, station_a, officer_a, patroller_a, team_a, award, in_scope
):
    runner_up = active_volunteer(station_a, officer_a, full_name="Runner Up")
    award(patroller_a, "patrol_hour", quantity=5)  # 50
    award(runner_up, "valuable_clue")  # 75
    reversed_ = award(runner_up, "case_assisted")  # 120, then corrected
    with in_scope(station_a):
        points_reverse(entry=reversed_, actor=officer_a, reason="Wrong case")
        team_member_add(team=team_a, volunteer=patroller_a, actor=officer_a)
    client = login(officer_a)

    page = client.get(url("leaderboard", station_a))
    assert [(v.full_name, v.points) for v in page.context["leaders"]] == [
        ("Runner Up", 75),
        ("Patroller A", 50),
    ]
    assert [(t.name, t.points) for t in page.context["team_ranking"]] == [("Garden Patrol", 50)]
    assert "Patrol hour" in page.content.decode()  # the rules summary

    by_team = client.get(url("leaderboard", station_a), {"team": team_a.pk})
    assert [v.full_name for v in by_team.context["leaders"]] == ["Patroller A"]

    earlier = client.get(url("leaderboard", station_a), {"month": "2020-01"})
    assert earlier.context["month"] == datetime.date(2020, 1, 1)
    assert list(earlier.context["leaders"]) == []


def test_leaderboard_with_a_bad_month_shows_this_month(login, station_a, officer_a, patroller_a, award):
    award(patroller_a)
    page = login(officer_a).get(url("leaderboard", station_a), {"month": "2026-13"})
    assert page.status_code == 200
    assert any("is not a month" in m for m in messages_of(page))
    assert page.context["month"].day == 1
    assert [v.full_name for v in page.context["leaders"]] == ["Patroller A"]


def test_leaderboard_team_of_another_station_is_404(login, station_a, officer_a, team_b):
    assert login(officer_a).get(url("leaderboard", station_a), {"team": team_b.pk}).status_code == 404


# ---- point rules --------------------------------------------------------------------------------------


def rules_post(station, changes):
    """The whole rules form as the page renders it, with ``changes`` {kind: {field: value}}."""
    with scopes_disabled():
        rules = list(PointRule.objects.filter(tenant=station).order_by("kind"))
    data = {
        "form-TOTAL_FORMS": len(rules),
        "form-INITIAL_FORMS": len(rules),
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
    }
    for i, rule in enumerate(rules):
        values = {
            "id": rule.pk,
            "base_points": rule.base_points,
            "difficulty_factor": rule.difficulty_factor,
            "is_active": "on" if rule.is_active else "",
            **changes.get(rule.kind, {}),
        }
        for field, value in values.items():
            if value != "":
                data[f"form-{i}-{field}"] = value
    return data


def rule(station, kind):
    with scopes_disabled():
        return PointRule.objects.get(tenant=station, kind=kind)


def test_chief_edits_the_rules_and_each_change_is_audited(login, station_a, chief_a):
    client = login(chief_a)
    assert "rules-form" in client.get(url("point-rules", station_a)).content.decode()

    response = client.post(
        url("point-rules", station_a),
        rules_post(
            station_a,
            {"patrol_hour": {"base_points": 12, "difficulty_factor": "1.50"}, "other": {"is_active": ""}},
        ),
        follow=True,
    )

    assert any("2 changed" in m for m in messages_of(response))
    patrol = rule(station_a, "patrol_hour")
    assert (patrol.base_points, patrol.difficulty_factor) == (12, Decimal("1.50"))
    assert rule(station_a, "other").is_active is False
    with scopes_disabled():
        audits = AuditEvent.objects.filter(tenant=station_a, action="points.rule_changed")
        assert audits.count() == 2
        assert audits.get(target_id=str(patrol.pk)).data["after"]["difficulty_factor"] == "1.50"


@pytest.mark.parametrize("factor", ["0", "10.01", "-1", "abc"])
def test_invalid_factor_is_refused_and_nothing_changes(factor, login, station_a, chief_a):
    response = login(chief_a).post(
        url("point-rules", station_a),
        rules_post(
            station_a, {"patrol_hour": {"base_points": 99}, "valuable_clue": {"difficulty_factor": factor}}
        ),
    )
    assert response.status_code == 400
    assert any(form.errors.get("difficulty_factor") for form in response.context["formset"])
    assert rule(station_a, "patrol_hour").base_points == 10
    assert rule(station_a, "valuable_clue").difficulty_factor == Decimal("1.50")
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="points.rule_changed").exists()


def test_volunteer_reads_the_rules(login, station_a, patroller_a):
    page = login(patroller_a.user).get(url("point-rules", station_a))
    assert page.status_code == 200
    assert "rules-form" not in page.content.decode()
    assert len(page.context["rules"]) == 9


# ---- rewards ----------------------------------------------------------------------------------------


def test_chief_creates_and_edits_rewards(login, station_a, chief_a, patroller_a):
    client = login(chief_a)
    response = client.post(
        url("reward-create", station_a),
        {"kind": "item", "name": "Thermos", "cost_points": 80, "stock": 10, "is_active": "on"},
    )
    assert response.status_code == 302
    client.post(
        url("reward-create", station_a),
        {"kind": "title", "name": "Star Patroller", "threshold_points": 1000, "is_active": "on"},
    )
    with scopes_disabled():
        thermos = Reward.objects.get(name="Thermos")
        assert AuditEvent.objects.filter(action="reward.created").count() == 2
    assert 'value="Thermos"' in client.get(url("reward-edit", station_a, pk=thermos.pk)).content.decode()

    edit = client.post(
        url("reward-edit", station_a, pk=thermos.pk),
        {"kind": "title", "name": "Thermos", "cost_points": 90, "stock": 4, "is_active": "on"},
    )
    assert edit.status_code == 302
    thermos.refresh_from_db()
    assert (thermos.kind, thermos.cost_points, thermos.stock) == ("item", 90, 4)  # the kind stays

    listing = login(patroller_a.user).get(url("reward-list", station_a))
    assert [r.name for r in listing.context["items"]] == ["Thermos"]
    assert [r.name for r in listing.context["titles"]] == ["Star Patroller"]


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "item", "name": "Thermos", "threshold_points": 100},
        {"kind": "title", "name": "Hero", "cost_points": 100, "stock": 3},
        {"kind": "item", "name": "Thermos", "cost_points": 80},
    ],
)
def test_reward_with_fields_not_matching_its_kind_gets_a_message(data, login, station_a, chief_a):
    response = login(chief_a).post(url("reward-create", station_a), data)
    assert response.status_code == 200
    assert "A material reward needs a cost and a stock" in str(response.context["form"].errors)
    with scopes_disabled():
        assert not Reward.objects.exists()


def test_reward_name_is_unique_in_the_station(login, station_a, chief_a, reward):
    reward(station_a, "Thermos", cost=80, stock=2)
    response = login(chief_a).post(
        url("reward-create", station_a), {"kind": "item", "name": "Thermos", "cost_points": 10, "stock": 1}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    with scopes_disabled():
        assert Reward.objects.count() == 1


# ---- isolation --------------------------------------------------------------------------------------


def test_outsider_gets_404_on_every_points_page_and_object(
    login, station_a, officer_b, patroller_a, pending, award, team_a
):
    entry = award(patroller_a)
    client = login(officer_b)
    gets = [
        url("leaderboard", station_a),
        url("point-rules", station_a),
        url("reward-list", station_a),
        url("reward-create", station_a),
        url("reward-edit", station_a, pk=pending.reward_id),
        url("redemption-list", station_a),
        url("points-award", station_a, pk=patroller_a.pk),
    ]
    posts = [
        url("points-award", station_a, pk=patroller_a.pk),
        url("points-reverse", station_a, pk=entry.pk),
        url("point-rules", station_a),
        url("reward-create", station_a),
        url("redemption-decide", station_a, pk=pending.pk, decision="approve"),
        url("redemption-request", station_a, pk=pending.reward_id),
        url("redemption-cancel", station_a, pk=pending.pk),
    ]
    for target in gets:
        assert client.get(target).status_code == 404, target
    for target in posts:
        assert client.post(target, {"reason": "x"}).status_code == 404, target
    # the volunteer's own page shows only one's own record: an outsider has none here
    assert client.get(url("my-volunteering", station_a))["Location"] == url("apply", station_a)
    pending.refresh_from_db()
    assert pending.status == Redemption.Status.REQUESTED
    assert balance(patroller_a) == 30


def test_another_stations_reward_is_404_for_its_volunteers(login, station_a, station_b, patroller_b, reward):
    item_a = reward(station_a, "Rain jacket", cost=1, stock=2)
    response = login(patroller_b.user).post(url("redemption-request", station_b, pk=item_a.pk))
    assert response.status_code == 404
    assert stock(item_a) == 2


# ---- fixed query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 35])
def test_my_volunteering_costs_a_fixed_number_of_queries(
    size, login, station_a, patroller_a, award, reward, django_assert_num_queries
):
    for _ in range(size):
        award(patroller_a)
    reward(station_a, "Rain jacket", cost=5, stock=3)
    reward(station_a, "Torch", cost=8, stock=3)
    reward(station_a, "Bronze Guardian", threshold=10)
    client = login(patroller_a.user)
    client.get(url("my-volunteering", station_a))  # warm the session
    # station, session, user, the volunteer, screening events, balance, earned points, next title,
    # ledger count (paginator), reward catalogue, honour titles reached, memberships (navigation roles),
    # whether the volunteer mediates disputes (navigation), the user's memberships (station switcher),
    # redemptions with their rewards, the ledger page
    with django_assert_num_queries(16):
        page = client.get(url("my-volunteering", station_a))
    assert len(page.context["ledger_entries"]) == min(size, 30)


@pytest.mark.parametrize("size", [1, 8])
def test_leaderboard_costs_a_fixed_number_of_queries(
    size, login, station_a, officer_a, award, django_assert_num_queries
):
    for n in range(size):
        award(active_volunteer(station_a, officer_a, full_name=f"Volunteer {n:02d}"))
        with scopes_disabled():
            TeamFactory(tenant=station_a)
    client = login(officer_a)
    client.get(url("leaderboard", station_a))  # warm the session
    # station, session, user, memberships (roles), team ranking, volunteer ranking with communities,
    # active rules, the user's memberships for the station switcher
    with django_assert_num_queries(8):
        page = client.get(url("leaderboard", station_a))
    assert len(page.context["leaders"]) == size


def test_points_panel_for_the_volunteer_page(login, station_a, chief_a, officer_a, patroller_a, award):
    award(patroller_a, reason="Night patrol")
    for user, can_reverse in ((chief_a, True), (officer_a, False)):
        response = login(user).get(url("volunteer-detail", station_a, pk=patroller_a.pk))
        assert response.status_code == 200
        html = response.content.decode()
        assert response.context["points_balance"] == 10
        assert "Night patrol" in html and 'data-testid="award-form"' in html
        assert ("Take back 10 points" in html) is can_reverse
