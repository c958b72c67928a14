"""Beat tasks of patrols: a reminder to each signed-up volunteer before the shift, an alert to the
team leaders when a shift ends with checkpoints missed or too few people, points for completed
patrols; each once, under retries, two beats firing at the same moment and two deliveries of each
message racing (tests.support.race, each in its own thread and connection), with a fixed number of
queries per run."""

import datetime
import uuid

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from jointdefense.core.models import EmailDelivery
from patrols import tasks
from patrols.models import Signup
from patrols.services import field
from teams.models import PointEntry, TeamMember
from tests.factories import (
    MINUTE,
    CheckpointFactory,
    RouteFactory,
    ShiftFactory,
    UserFactory,
    active_volunteer,
    check_in,
)
from tests.support import deliver_queued_twice_at_once, race


def volunteer(station, officer, name):
    return active_volunteer(station, officer, user=UserFactory(username=name), full_name=name.title())


def route_with_checkpoints(station, name, n=3):
    route = RouteFactory(tenant=station, name=name)
    cps = [CheckpointFactory(route=route, position=p, name=f"{name} {p}") for p in range(1, n + 1)]
    return route, cps


def beats_race(task):
    """Two beats firing at the same moment, then a retry."""
    race(task.apply, task.apply)
    task.apply()


def delivered(expected_mails):
    """Every queued e-mail delivered twice at the same moment; all deliveries have finished when
    this returns, so the count is final."""
    deliver_queued_twice_at_once()
    assert len(mail.outbox) == expected_mails, [m.subject for m in mail.outbox]


# ---- reminders ------------------------------------------------------------------------------------------


def reminder_setup(station, officer, n_shifts=1, prefix="r"):
    now = timezone.now()
    people = []
    with scope(tenant=station):
        route, _ = route_with_checkpoints(station, f"{prefix} route")
        for i in range(n_shifts):
            soon = ShiftFactory(route=route, starts_at=now + datetime.timedelta(minutes=60 + i))
            later = ShiftFactory(route=route, starts_at=now + datetime.timedelta(hours=5, minutes=i))
            a, b = volunteer(station, officer, f"{prefix}a{i}"), volunteer(station, officer, f"{prefix}b{i}")
            Signup.objects.create(tenant=station, shift=soon, volunteer=a)
            Signup.objects.create(tenant=station, shift=soon, volunteer=b, withdrawn_at=now)  # withdrew
            Signup.objects.create(tenant=station, shift=later, volunteer=b)  # not yet
            people.append(a)
    return people


def test_each_signed_up_volunteer_is_reminded_once(
    transactional_db, station_a, officer_a, station_b, officer_b
):
    reminded = reminder_setup(station_a, officer_a, 2) + reminder_setup(station_b, officer_b, 1, prefix="s")
    beats_race(tasks.shift_reminders)
    delivered(3)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(v.user.email for v in reminded)
    assert all(m.subject.startswith("Patrol reminder:") for m in mail.outbox)
    assert "/patrols/me/" in mail.outbox[0].body
    with scopes_disabled():
        assert EmailDelivery.objects.filter(key__startswith="patrol-reminder:").count() == 3


def test_two_beats_at_the_same_moment_remind_once(transactional_db, station_a, officer_a):
    reminder_setup(station_a, officer_a, 2)
    race(tasks.shift_reminders, tasks.shift_reminders)
    delivered(2)


def test_reminder_time_is_configurable(transactional_db, station_a, officer_a, settings):
    reminder_setup(station_a, officer_a, 1)
    settings.PATROL_REMINDER_MINUTES = 30
    assert tasks.shift_reminders() == 0
    settings.PATROL_REMINDER_MINUTES = 6 * 60
    assert tasks.shift_reminders() == 2  # the later shift too


def test_reminders_cost_one_query_however_many_shifts(db, station_a, officer_a):
    reminder_setup(station_a, officer_a, 1)
    with CaptureQueriesContext(connection) as one:
        assert tasks.shift_reminders() == 1
    reminder_setup(station_a, officer_a, 4, prefix="more")
    with CaptureQueriesContext(connection) as five:
        assert tasks.shift_reminders() == 5
    assert len(one) == len(five) == 1


# ---- shift end alerts -------------------------------------------------------------------------------------


def ended_shift(station, officer, team, name, came, needed=2, checkpoints_visited=3):
    """A shift of ``team`` that ended 30 minutes ago; ``came`` people checked in at the first
    ``checkpoints_visited`` checkpoints."""
    now = timezone.now()
    with scope(tenant=station):
        route, cps = route_with_checkpoints(station, name)
        shift = ShiftFactory(
            route=route, team=team, starts_at=now - 150 * MINUTE, ends_at=now - 30 * MINUTE, headcount=needed
        )
        for i in range(needed):
            v = volunteer(station, officer, f"{name}-{i}")
            Signup.objects.create(tenant=station, shift=shift, volunteer=v)
            if i < came:
                patrol = field.patrol_start(shift=shift, volunteer=v, actor=None, now=shift.starts_at)
                for n, cp in enumerate(cps[:checkpoints_visited]):
                    t = shift.starts_at + (10 + 20 * n) * MINUTE
                    field.check_in_submit(
                        volunteer=v,
                        qr_token=cp.qr_token,
                        client_id=uuid.uuid4(),
                        device_time=t,
                        lat=cp.location.y,
                        lng=cp.location.x,
                        now=t,
                    )
                field.patrol_end(patrol=patrol, volunteer=v, actor=None, now=shift.ends_at)
    return shift


@pytest.fixture
def leaders(station_a, officer_a, team_a):
    people = [volunteer(station_a, officer_a, "leader.one"), volunteer(station_a, officer_a, "leader.two")]
    with scopes_disabled():
        for v in people:
            TeamMember.objects.create(tenant=station_a, team=team_a, volunteer=v, is_leader=True)
    return people


def test_leaders_are_alerted_once_when_a_shift_ends_short(
    transactional_db, station_a, officer_a, team_a, leaders
):
    short = ended_shift(station_a, officer_a, team_a, "short", came=1, checkpoints_visited=2)
    ended_shift(station_a, officer_a, team_a, "covered", came=2)
    beats_race(tasks.shift_end_alerts)
    delivered(2)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(v.user.email for v in leaders)
    body = mail.outbox[0].body
    assert mail.outbox[0].subject.startswith("Shift not fully covered: short, ")
    assert "People who came: 1 of 2 needed." in body and "3. short 3" in body and "short 1" not in body
    with scopes_disabled():
        keys = set(EmailDelivery.objects.values_list("key", flat=True))
    assert keys >= {f"patrol-shift-alert:{short.pk}:{v.pk}" for v in leaders}


def test_a_flagged_check_in_does_not_count_as_coming(db, station_a, officer_a, team_a, leaders):
    shift = ended_shift(station_a, officer_a, team_a, "flagged", came=0, needed=1)
    with scope(tenant=station_a):
        v = Signup.objects.get(shift=shift).volunteer
        field.patrol_start(shift=shift, volunteer=v, actor=None, now=shift.starts_at)
        cp = shift.route.checkpoints.first()
        field.check_in_submit(
            volunteer=v,
            qr_token=cp.qr_token,
            client_id=uuid.uuid4(),
            device_time=shift.starts_at,
            now=shift.starts_at,
        )  # no location: flagged
    assert tasks.shift_end_alerts() == 2  # nobody came, for both leaders


def test_alerts_cost_a_fixed_number_of_queries(db, station_a, officer_a, team_a, leaders):
    ended_shift(station_a, officer_a, team_a, "one", came=1)
    with CaptureQueriesContext(connection) as one:
        tasks.shift_end_alerts()
    for n in range(3):
        ended_shift(station_a, officer_a, team_a, f"more{n}", came=0)
    with CaptureQueriesContext(connection) as four:
        assert tasks.shift_end_alerts() == 8
    assert len(one) == len(four) == 5


# ---- points -------------------------------------------------------------------------------------------


def test_a_completed_patrol_earns_points_once(transactional_db, station_a, officer_a, team_a):
    shift = ended_shift(station_a, officer_a, team_a, "points", came=1, needed=1)
    # patrol_end queued the award after commit: two deliveries of it race each other; then two
    # sweeps at the same moment find nothing more to award
    assert deliver_queued_twice_at_once("patrols.award_patrol_points") == 1
    race(tasks.award_points_sweep.apply, tasks.award_points_sweep.apply)
    with scopes_disabled():
        entries = list(PointEntry.objects.filter(contribution="patrol_hour"))
        patrol = shift.patrols.get()
    assert len(entries) == 1 and entries[0].idempotency_key == f"patrol:{patrol.pk}"
    assert entries[0].points == 7  # 10 points an hour × 40 minutes between the first and last check-in


def test_the_sweep_awards_patrols_whose_message_was_lost(db, station_a, officer_a, team_a):
    ended_shift(station_a, officer_a, team_a, "lost", came=1, needed=1)  # no worker: the award was never run
    assert tasks.award_points_sweep() == 1
    assert tasks.award_points_sweep() == 0


def test_the_sweep_ends_forgotten_patrols_and_awards_their_points(
    patrol_a, patroller_a, checkpoints, shift_a
):
    check_in(patroller_a, checkpoints[0], shift_a.starts_at, now=shift_a.starts_at)
    check_in(
        patroller_a, checkpoints[2], shift_a.starts_at + 60 * MINUTE, now=shift_a.starts_at + 60 * MINUTE
    )
    assert tasks.award_points_sweep(now=shift_a.ends_at.isoformat()) == 0  # still within the grace
    after = (shift_a.ends_at + field.CHECK_IN_GRACE + MINUTE).isoformat()
    assert tasks.award_points_sweep(now=after) == 1
    patrol_a.refresh_from_db()
    assert patrol_a.status == "ended" and patrol_a.ended_at == shift_a.ends_at
    with scopes_disabled():
        assert PointEntry.objects.get(idempotency_key=f"patrol:{patrol_a.pk}").points == 10
