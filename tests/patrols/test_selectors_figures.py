"""The patrols app's dashboard figures (patrols/selectors/figures.py) against hand-counted rows in
a station on Europe/Berlin over the week that crosses the change to summer time; patrols walked
and patrol hours link to the patrols walked list, which holds the same patrols and hours."""

import datetime
import uuid
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from jointdefense.core.periods import Period
from patrols.models import CheckIn, Patrol, Signup
from patrols.selectors import figures as f
from patrols.services import field
from tests.factories import CheckpointFactory, RouteFactory, ShiftFactory, active_volunteer, at, check_in
from tests.support import rollups_rebuilt

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
UTC = datetime.UTC
WEEK = Period.containing("week", datetime.date(2024, 3, 27), BERLIN)
FIRST_MOMENT = datetime.datetime(2024, 3, 24, 23, 0, tzinfo=UTC)  # Monday 00:00 CET
JUST_AFTER = datetime.datetime(2024, 3, 31, 22, 0, tzinfo=UTC)  # next Monday 00:00 CEST


@pytest.fixture
def berlin(station_a):
    station_a.time_zone = "Europe/Berlin"
    station_a.save(update_fields=["time_zone"])
    return station_a


def walked(station, volunteer, route, checkpoint, starts_at, check_ins, review="ok"):
    """A shift from ``starts_at`` for 4 hours and a patrol on it with check-ins ``check_ins``
    hours after the start."""
    with scopes_disabled():
        shift = ShiftFactory(
            route=route, starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=4)
        )
        patrol = Patrol.objects.create(
            tenant=station,
            shift=shift,
            route=route,
            volunteer=volunteer,
            started_at=starts_at,
            status=Patrol.Status.ENDED,
            ended_at=starts_at + datetime.timedelta(hours=4),
        )
        for hours in check_ins:
            CheckIn.objects.create(
                tenant=station,
                patrol=patrol,
                checkpoint=checkpoint,
                client_id=uuid.uuid4(),
                device_time=starts_at + datetime.timedelta(hours=hours),
                review=review,
            )
    return shift


def test_patrol_hours_patrols_walked_and_the_list_behind_them(berlin, officer_a, chief_a, login):
    volunteer = active_volunteer(berlin, officer_a, full_name="Walker")
    with scopes_disabled():
        route = RouteFactory(tenant=berlin)
        checkpoint = CheckpointFactory(route=route)
    walked(berlin, volunteer, route, checkpoint, FIRST_MOMENT, [0, 1.5])  # 1.5 h
    walked(
        berlin, volunteer, route, checkpoint, JUST_AFTER - datetime.timedelta(hours=3), [0, 2, 9]
    )  # capped by the shift: 4 h
    walked(
        berlin, volunteer, route, checkpoint, FIRST_MOMENT + datetime.timedelta(days=1), [1]
    )  # one check-in: 0 h
    walked(berlin, volunteer, route, checkpoint, FIRST_MOMENT, [0, 3], review="flagged")  # not counted: 0 h
    walked(berlin, volunteer, route, checkpoint, JUST_AFTER, [0, 2])  # the week after
    rollups_rebuilt(berlin)  # rows written directly: the services' bumps never saw them
    with scope(tenant=berlin):
        assert f.patrols_walked(berlin, WEEK) == 4
        assert f.patrol_hours(berlin, WEEK) == Decimal("5.5")
        assert f.patrol_hours(berlin, WEEK.previous()) == 0
    url = reverse("patrols:patrol-list", kwargs={"station": berlin.slug}) + "?start=2024-03-25&end=2024-03-31"
    response = login(chief_a).get(url)
    assert response.context["page_obj"].paginator.count == 4
    assert response.context["report"].total_hours == pytest.approx(5.5)


def test_shift_coverage_is_places_filled_of_places_needed(berlin, officer_a):
    people = [active_volunteer(berlin, officer_a, full_name=f"V{n}") for n in range(3)]
    with scopes_disabled():
        route = RouteFactory(tenant=berlin)
        full = ShiftFactory(route=route, starts_at=FIRST_MOMENT, headcount=2)
        half = ShiftFactory(route=route, starts_at=FIRST_MOMENT + datetime.timedelta(days=2), headcount=2)
        ShiftFactory(route=route, starts_at=JUST_AFTER, headcount=5)  # the week after
        ShiftFactory(route=route, starts_at=FIRST_MOMENT, headcount=4, is_cancelled=True)
        for v in people:  # three on a shift of two: the extra person fills no other place
            Signup.objects.create(tenant=berlin, shift=full, volunteer=v)
        Signup.objects.create(tenant=berlin, shift=half, volunteer=people[0])
        Signup.objects.create(tenant=berlin, shift=half, volunteer=people[1], withdrawn_at=FIRST_MOMENT)
    with scope(tenant=berlin):
        assert f.shift_coverage(berlin, WEEK) == Decimal(75)  # 3 of 4
        assert f.shift_coverage(berlin, WEEK.previous()) is None


# ---- through the real services: the rollups, the lists behind, raw == compute ------------------------


def walked_through_services(station, volunteer, route, starts_at, check_ins, review_far=()):
    """A 4-hour shift from ``starts_at``, ``volunteer`` signed up, the patrol started at its start
    through ``patrol_start`` and checked in (``check_in_submit``) at ``(checkpoint, hours)``;
    the indexes in ``review_far`` check in 500 m off (flagged). Returns the patrol."""
    with scopes_disabled():
        shift = ShiftFactory(
            route=route, starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=4)
        )
        Signup.objects.create(tenant=station, shift=shift, volunteer=volunteer)
    with scope(tenant=station):
        patrol = field.patrol_start(shift=shift, volunteer=volunteer, actor=None, now=starts_at)
    for index, (checkpoint, hours) in enumerate(check_ins):
        when = starts_at + datetime.timedelta(hours=hours)
        position = at(checkpoint, 500) if index in review_far else at(checkpoint)
        check_in(volunteer, checkpoint, when, now=when, position=position)
    with scope(tenant=station):
        field.patrol_end(
            patrol=patrol, volunteer=volunteer, actor=None, now=starts_at + datetime.timedelta(hours=4)
        )
    return patrol


@pytest.fixture
def walked_week(berlin, officer_a):
    """Five patrols: four started in the DST week (one at 23:30 on its last Sunday), one at 00:10
    on the Monday after, in the station's time."""
    with scopes_disabled():
        route = RouteFactory(tenant=berlin)
        one, two = CheckpointFactory(route=route, position=1), CheckpointFactory(route=route, position=2)
        CheckpointFactory(route=route, position=3, is_active=False)  # retired: not planned
    people = [active_volunteer(berlin, officer_a, full_name=f"Walker {n}") for n in range(5)]
    a = walked_through_services(berlin, people[0], route, FIRST_MOMENT, [(one, 0), (two, 1.5)])  # 1.5 h
    late = JUST_AFTER - datetime.timedelta(minutes=30)  # Sunday 23:30 CEST
    b = walked_through_services(berlin, people[1], route, late, [(one, 0.25), (two, 0.75)])  # 0.5 h
    c = walked_through_services(
        berlin,
        people[2],
        route,
        FIRST_MOMENT + datetime.timedelta(days=2),
        [(one, 0), (two, 1)],
        review_far=[1],
    )  # 0 h until its flagged check-in is cleared: then 1 h
    e = walked_through_services(
        berlin, people[3], route, FIRST_MOMENT + datetime.timedelta(days=3), [(one, 1)]
    )
    after = walked_through_services(
        berlin, people[4], route, JUST_AFTER + datetime.timedelta(minutes=10), [(one, 0), (two, 2)]
    )
    return {"a": a, "b": b, "c": c, "e": e, "after": after, "route": route}


def test_the_flows_count_what_the_services_wrote_on_the_station_s_days(berlin, officer_a, walked_week):
    with scope(tenant=berlin):
        assert f.patrols_walked(berlin, WEEK) == 4
        assert f.patrol_hours(berlin, WEEK) == Decimal("2.0")
        assert f.check_ins_made(berlin, WEEK) == 7
        assert f.check_ins_flagged_share(berlin, WEEK) == Decimal(100) / 7
        # planned: 2 checkpoints in use × 4 patrols; made: 2 + 2 + 1 (the flagged one waits) + 1
        assert f.checkpoint_compliance(berlin, WEEK) == Decimal("75")
        flagged = CheckIn.objects.get(patrol=walked_week["c"], review=CheckIn.Review.FLAGGED)
        field.check_in_review(check_in=flagged, actor=officer_a, decision="clear")
        assert f.patrol_hours(berlin, WEEK) == Decimal("3.0")
        assert f.check_ins_flagged_share(berlin, WEEK) == Decimal(100) / 7  # cleared: still was flagged
        assert f.checkpoint_compliance(berlin, WEEK) == Decimal("87.5")
        next_week = Period.containing("week", datetime.date(2024, 4, 1), BERLIN)
        assert (f.patrols_walked(berlin, next_week), f.patrol_hours(berlin, next_week)) == (1, Decimal(2))
        assert f.patrol_hours_weekly(
            berlin, Period.containing("month", datetime.date(2024, 3, 1), BERLIN)
        ) == {datetime.date(2024, 3, 25): Decimal(3)}
        assert f.check_ins_weekly(berlin, WEEK) == {datetime.date(2024, 3, 25): 7}


def test_compute_equals_raw_and_a_rebuild_changes_no_rollup(berlin, officer_a, walked_week):
    from jointdefense.core.registry import figures
    from tests.support import rollup_rows, rollups_rebuilt

    with scope(tenant=berlin):
        rejected = CheckIn.objects.get(patrol=walked_week["c"], review=CheckIn.Review.FLAGGED)
        field.check_in_review(check_in=rejected, actor=officer_a, decision="reject")
        before = rollup_rows(berlin)
        checked = 0
        for figure in figures:
            if figure.key.startswith("patrols.") and figure.raw is not None:
                for period in (
                    WEEK,
                    WEEK.previous(),
                    Period.containing("year", datetime.date(2024, 1, 1), BERLIN),
                ):
                    assert figure.compute(berlin, period) == figure.raw(berlin, period), figure.key
                checked += 1
        assert checked == 4
    assert rollup_rows(rollups_rebuilt(berlin)) == before


def test_the_check_in_figures_link_to_the_review_list_holding_their_check_ins(
    berlin, officer_a, chief_a, login, walked_week
):
    from jointdefense.core.registry import figures

    by_key = {figure.key: figure for figure in figures}
    client = login(chief_a)
    with scope(tenant=berlin):
        counted = f.check_ins_made(berlin, WEEK)
    response = client.get(by_key["patrols.check_ins"].link(berlin, WEEK))
    assert response.status_code == 200
    listed = {ci.pk for ci in response.context["check_ins"]}
    with scopes_disabled():
        expected = set(
            CheckIn.objects.filter(patrol__in=[walked_week[k] for k in "abce"]).values_list("pk", flat=True)
        )
    assert listed == expected and len(listed) == counted == 7
    flagged = client.get(by_key["patrols.check_ins_flagged"].link(berlin, WEEK)).context["check_ins"]
    assert [ci.patrol_id for ci in flagged] == [walked_week["c"].pk]
    # without filters the page is the queue of flagged check-ins, as before
    queue = client.get(reverse("patrols:review-queue", kwargs={"station": berlin.slug})).context["check_ins"]
    assert [ci.review for ci in queue] == ["flagged"]
    walked_list = client.get(by_key["patrols.walked"].link(berlin, WEEK))
    assert walked_list.context["page_obj"].paginator.count == 4
    assert by_key["patrols.shift_coverage"].link(berlin, WEEK).endswith("week=2024-03-25")


def test_the_review_list_refuses_a_bad_day_with_a_message_not_an_error(berlin, chief_a, login):
    url = reverse("patrols:review-queue", kwargs={"station": berlin.slug}) + "?start=yesterday&review=ok"
    response = login(chief_a).get(url)
    assert response.status_code == 200
    assert response.context["filter"].errors["start"]
