"""The teams app's dashboard figures (teams/selectors/figures.py) against hand counts made through
the real services in a station on Europe/Berlin over the week that crosses the change to summer
time and around its midnight: applications and their screening time, points awarded and
redeemed (rollups), active volunteers by role and background and households per officer (plain
aggregates); the lists they link to hold exactly the rows counted; compute == raw and a rebuild
changes no rollup."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from jointdefense.core.periods import Period
from jointdefense.core.registry import figures
from jointdefense.tenancy.models import Community, Membership, Role
from teams.models import BackgroundGroup, BackgroundReview, Reward, Volunteer
from teams.selectors import figures as f
from teams.services import points as point_services
from teams.services import rewards, screening
from tests.factories import VolunteerFactory, active_volunteer, member
from tests.support import rollup_rows, rollups_rebuilt

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
WEEK = Period.containing("week", datetime.date(2024, 3, 27), BERLIN)  # 25–31 March 2024, 167 hours


def berlin_time(text):
    return datetime.datetime.fromisoformat(text).replace(tzinfo=BERLIN)


@pytest.fixture
def berlin(station_a):
    station_a.time_zone = "Europe/Berlin"
    station_a.save(update_fields=["time_zone"])
    return station_a


def by_key():
    return {figure.key: figure for figure in figures}


def applied(station, officer, name, applied_at, reviewed_at=None):
    """An application through the service, dated ``applied_at`` (and reviewed through the service,
    dated ``reviewed_at``): the dates are set with .update(), so the caller rebuilds the rollups."""
    with scope(tenant=station):
        volunteer = VolunteerFactory(tenant=station, full_name=name)
        if reviewed_at is not None:
            review = screening.background_review_record(
                volunteer=volunteer, actor=officer, result="passed", reviewed_on=datetime.date(2024, 3, 1)
            )
            BackgroundReview.objects.filter(pk=review.pk).update(recorded_at=reviewed_at)
        Volunteer.objects.filter(pk=volunteer.pk).update(applied_at=applied_at)
    return volunteer


def test_applications_and_their_screening_time(berlin, officer_a, chief_a, login):
    applied(
        berlin,
        officer_a,
        "Just after midnight",
        berlin_time("2024-03-25T00:05"),
        berlin_time("2024-03-27T00:05"),
    )
    # applied on Thursday, reviewed on Sunday: three days on the wall clock, 71 hours (summer time)
    applied(
        berlin, officer_a, "Over the change", berlin_time("2024-03-28T12:00"), berlin_time("2024-03-31T12:00")
    )
    applied(berlin, officer_a, "Last half hour", berlin_time("2024-03-31T23:30"))
    applied(berlin, officer_a, "Next week", berlin_time("2024-04-01T00:10"), berlin_time("2024-04-01T09:10"))
    applied(berlin, officer_a, "Week before", berlin_time("2024-03-24T23:50"))
    rollups_rebuilt(berlin)
    with scope(tenant=berlin):
        assert f.new_applications(berlin, WEEK) == 3
        assert f.new_applications(berlin, WEEK.previous()) == 1
        # the median of 48 and 71 hours, in days
        assert f.screening_days(berlin, WEEK) == pytest.approx((48 + 71) / 2 / 24)
        assert f.screening_days(berlin, WEEK.previous()) is None
        next_week = Period.containing("week", datetime.date(2024, 4, 1), BERLIN)
        assert f.screening_days(berlin, next_week) == pytest.approx(9 / 24)
    link = by_key()["teams.new_applications"].link(berlin, WEEK)
    listed = login(chief_a).get(link).context["volunteers"]
    assert sorted(v.full_name for v in listed) == ["Just after midnight", "Last half hour", "Over the change"]


def test_points_awarded_and_redeemed(berlin, officer_a, chief_a, login):
    """Awards dated by the service (``occurred_at``) around the station's midnights; the ledger is
    append-only, so redemptions are counted in the current week."""
    volunteer = active_volunteer(berlin, officer_a, full_name="Earner")
    with scope(tenant=berlin):
        for key, kind, when in (
            ("h:1", "hazard_reported", "2024-03-25T00:30"),  # 20
            ("c:1", "case_assisted", "2024-03-31T23:45"),  # 120
            ("h:2", "hazard_reported", "2024-04-01T00:15"),  # the week after
            ("h:3", "hazard_reported", "2024-03-24T23:55"),  # the week before
        ):
            point_services.points_award(
                tenant=berlin,
                volunteer=volunteer,
                kind=kind,
                idempotency_key=key,
                occurred_at=berlin_time(when),
            )
        mug = Reward.objects.create(tenant=berlin, kind="item", name="Thermos", cost_points=50, stock=3)
        rewards.redemption_request(volunteer=volunteer, reward=mug, actor=None)
        given_back = rewards.redemption_request(volunteer=volunteer, reward=mug, actor=None)
        rewards.redemption_refuse(redemption=given_back, actor=chief_a, reason="Out of thermoses")
    now = Period.containing("week", timezone.localdate(timezone.now(), BERLIN), BERLIN)
    with scope(tenant=berlin):
        assert f.points_awarded(berlin, WEEK) == 140
        assert f.points_awarded(berlin, WEEK.previous()) == 20
        assert f.points_redeemed(berlin, WEEK) == 0
        assert f.points_redeemed(berlin, now) == 100  # the refused one is given back by a correction
        month = Period.containing("month", datetime.date(2024, 3, 1), BERLIN)
        assert f.points_weekly(berlin, month, "award") == {
            datetime.date(2024, 3, 18): 20,
            datetime.date(2024, 3, 25): 140,
        }
        assert f.points_weekly(berlin, now, "redemption") == {now.first_day: 100}
    client = login(chief_a)
    for key, period, kind, points in (
        ("teams.points_awarded", WEEK, "award", [120, 20]),
        ("teams.points_redeemed", now, "redemption", [-50, -50]),
    ):
        response = client.get(by_key()[key].link(berlin, period))
        entries = response.context["entries"]
        assert sorted((e.points for e in entries), reverse=True) == points, key
        assert {e.kind for e in entries} == {kind}
        assert response.context["totals"]["points"] == sum(points)


def test_active_volunteers_by_role_and_background_and_their_roster(berlin, officer_a, chief_a, login):
    with scopes_disabled():
        riders = BackgroundGroup.objects.get(tenant=berlin, slug="delivery-riders")
    active_volunteer(berlin, officer_a, full_name="Rider", roles=["patrol"], background_group=riders)
    active_volunteer(berlin, officer_a, full_name="Mediator", roles=["patrol", "mediation"])
    active_volunteer(berlin, officer_a, full_name="Speaker", roles=["publicity"], background_group=riders)
    gone = active_volunteer(berlin, officer_a, full_name="Gone", roles=["patrol"], background_group=riders)
    with scope(tenant=berlin):
        screening.volunteer_suspend(volunteer=gone, actor=officer_a, reason="Moved away")
        VolunteerFactory(tenant=berlin, full_name="Applicant", roles=["patrol"])
    now = Period.containing("week", timezone.localdate(timezone.now(), BERLIN), BERLIN)
    with scope(tenant=berlin):
        assert f.active_volunteers(berlin, now) == 3
        assert f.active_volunteers(berlin, WEEK) == 0  # none was active back then
        assert f.active_volunteers_in_role(berlin, now, "patrol") == 2
        assert f.active_volunteers_in_role(berlin, now, "mediation") == 1
        assert f.active_volunteers_from(berlin, now, "delivery-riders") == 2
    client = login(chief_a)
    figures_by_key = by_key()
    for key, names in (
        ("teams.active_volunteers", ["Mediator", "Rider", "Speaker"]),
        ("teams.active_patrol", ["Mediator", "Rider"]),
        ("teams.active_publicity", ["Speaker"]),
        ("teams.active_from_delivery-riders", ["Rider", "Speaker"]),
    ):
        with scope(tenant=berlin):
            counted = figures_by_key[key].compute(berlin, now)
        listed = client.get(figures_by_key[key].link(berlin, now)).context["volunteers"]
        assert sorted(v.full_name for v in listed) == names and counted == len(names), key


def test_households_per_community_officer(berlin, officer_a, chief_a, community_a):
    member(berlin, Role.OFFICER, username="officer_two")
    gone = member(berlin, Role.OFFICER, username="officer_gone")
    with scopes_disabled():
        Membership.objects.filter(tenant=berlin, user=gone).update(is_active=False)
        Community.objects.filter(pk=community_a.pk).update(households=3000)
        Community.objects.create(
            tenant=berlin, name="Second", slug="second", households=1500, boundary=community_a.boundary
        )
        Community.objects.create(tenant=berlin, name="Unknown", slug="unknown", boundary=community_a.boundary)
    with scope(tenant=berlin):
        assert f.households_per_officer(berlin, WEEK) == Decimal(2250)  # 4,500 for two officers


def test_compute_equals_raw_and_a_rebuild_changes_no_rollup(berlin, officer_a, chief_a):
    """A sequence of real service operations today: applications, reviews, awards, a correction,
    redemptions refused and kept."""
    volunteer = active_volunteer(berlin, officer_a, full_name="Earner")
    with scope(tenant=berlin):
        for n in range(3):
            applicant = VolunteerFactory(tenant=berlin, full_name=f"Applicant {n}")
            screening.background_review_record(
                volunteer=applicant,
                actor=officer_a,
                result="failed" if n else "passed",
                reviewed_on=timezone.localdate(),
            )
        entry, _ = point_services.points_award(
            tenant=berlin, volunteer=volunteer, kind="case_assisted", idempotency_key="c:1"
        )
        point_services.points_award(
            tenant=berlin, volunteer=volunteer, kind="valuable_clue", idempotency_key="v:1"
        )
        point_services.points_reverse(entry=entry, actor=chief_a, reason="Counted twice")
        mug = Reward.objects.create(tenant=berlin, kind="item", name="Thermos", cost_points=20, stock=3)
        rewards.redemption_request(volunteer=volunteer, reward=mug, actor=None)
        refused = rewards.redemption_request(volunteer=volunteer, reward=mug, actor=None)
        rewards.redemption_refuse(redemption=refused, actor=chief_a, reason="No")
    before = rollup_rows(berlin)
    today = timezone.localdate(timezone.now(), BERLIN)
    checked = 0
    with scope(tenant=berlin):
        for figure in figures:
            if figure.key.startswith("teams.") and figure.raw is not None:
                for kind in ("week", "year"):
                    period = Period.containing(kind, today, BERLIN)
                    assert figure.compute(berlin, period) == pytest.approx(figure.raw(berlin, period)), (
                        figure.key
                    )
                    assert figure.compute(berlin, period.previous()) == figure.raw(berlin, period.previous())
                checked += 1
        assert checked == 4
        assert f.new_applications(berlin, Period.containing("week", today, BERLIN)) == 4
    assert rollup_rows(rollups_rebuilt(berlin)) == before


def test_the_ledger_refuses_a_bad_day_with_a_message_not_an_error(station_a, chief_a, login):
    response = login(chief_a).get(
        reverse("teams:ledger", kwargs={"station": station_a.slug}) + "?start=31/03/2024&kind=award"
    )
    assert response.status_code == 200
    assert response.context["filter"].errors["start"]


def test_a_batch_of_stations_reads_their_active_volunteers_in_one_query(
    station_a, officer_a, station_b, officer_b, django_assert_num_queries
):
    """Inside a block over several stations (a batch of weekly summaries, a bureau side by side),
    the first station's active volunteers are read with every other station's, in one query, and
    each station still counts only its own."""
    from jointdefense.core import rollups

    active_volunteer(station_a, officer_a, roles=["patrol"])
    active_volunteer(station_a, officer_a, roles=["mediation"])
    active_volunteer(station_b, officer_b, roles=["patrol"])
    now_a = Period.containing(
        "week", timezone.localdate(timezone.now(), station_a.zoneinfo), station_a.zoneinfo
    )
    now_b = Period.containing(
        "week", timezone.localdate(timezone.now(), station_b.zoneinfo), station_b.zoneinfo
    )
    with scopes_disabled():
        alone = (
            f.active_volunteers(station_a, now_a),
            f.active_volunteers_in_role(station_b, now_b, "patrol"),
        )
        with rollups.prefetched([station_a, station_b], [now_a, now_b]):
            with django_assert_num_queries(1):
                together = [
                    f.active_volunteers(station_a, now_a),
                    f.active_volunteers_in_role(station_a, now_a, "patrol"),
                ]
            with django_assert_num_queries(1 if station_b.zoneinfo != station_a.zoneinfo else 0):
                together += [
                    f.active_volunteers(station_b, now_b),
                    f.active_volunteers_in_role(station_b, now_b, "patrol"),
                ]
    assert alone == (2, 1)
    assert together == [2, 1, 1, 1]


def test_a_table_reads_both_periods_active_volunteers_in_one_query(
    berlin, officer_a, django_assert_num_queries
):
    """The period and the one before (a figure table's two columns) are counted in one scan."""
    from jointdefense.core import rollups

    active_volunteer(berlin, officer_a, roles=["patrol"])
    now = Period.containing("week", timezone.localdate(timezone.now(), BERLIN), BERLIN)
    with scope(tenant=berlin), rollups.prefetched([berlin], [now, WEEK]), django_assert_num_queries(1):
        counts = [f.active_volunteers(berlin, now), f.active_volunteers_in_role(berlin, WEEK, "patrol")]
    assert counts == [1, 0]  # activated this week, not yet in March 2024
