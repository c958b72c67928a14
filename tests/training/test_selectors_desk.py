"""The training desk sections: sessions of the next 7 days with free places (the 7th day's end
excluded), and sessions held with someone enrolled whose attendance is not yet recorded."""

import datetime

import pytest
from django.utils import timezone
from django_scopes import scope

from tests.factories import course_made, enrolled, training_volunteer
from training.models import TrainingSession
from training.selectors.desk import sessions_to_record, sessions_with_free_places

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def session(course, starts_at, capacity=2, **fields):
    with scope(tenant=course.tenant):
        return TrainingSession.objects.create(
            tenant=course.tenant,
            course=course,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=2),
            capacity=capacity,
            place_name="Community hall",
            **fields,
        )


def test_sessions_with_free_places_in_the_next_7_days(station_a, officer_a, station_b):
    now = timezone.now().replace(microsecond=0)
    course = course_made(station_a)
    ann, bo = (training_volunteer(station_a, officer_a, n) for n in ("ann", "bo"))
    at_start = session(course, now)
    one_free = session(course, now + DAY, capacity=2)
    enrolled(one_free, ann)
    enrolled(one_free, bo, status="waiting")  # waiting: the place is still free
    last_second = session(course, now + 7 * DAY - datetime.timedelta(seconds=1))
    session(course, now + 7 * DAY)  # the window's end: out
    session(course, now - datetime.timedelta(minutes=1))  # started: out
    full = session(course, now + 2 * DAY, capacity=1)
    enrolled(full, ann)
    session(course, now + 3 * DAY, is_cancelled=True)
    session(course_made(station_b), now + DAY)  # another station's

    with scope(tenant=station_a):
        rows = list(sessions_with_free_places(tenant=station_a, now=now))

    assert rows == [at_start, one_free, last_second]
    assert [s.free_places for s in rows] == [2, 1, 2]


def test_sessions_to_record_held_with_unrecorded_people(station_a, officer_a, station_b, officer_b):
    now = timezone.now().replace(microsecond=0)
    course = course_made(station_a)
    ann, bo = (training_volunteer(station_a, officer_a, n) for n in ("ann", "bo"))
    older = session(course, now - 5 * DAY)
    enrolled(older, ann)
    enrolled(older, bo, attendance="present")
    newer = session(course, now - 2 * DAY)
    enrolled(newer, bo)
    done = session(course, now - 3 * DAY)
    enrolled(done, ann, attendance="absent")
    withdrawn_only = session(course, now - 4 * DAY)
    enrolled(withdrawn_only, ann, status="withdrawn")
    running = session(course, now - datetime.timedelta(hours=1))  # ends in an hour: not held yet
    enrolled(running, ann)
    cancelled = session(course, now - 6 * DAY, is_cancelled=True)
    enrolled(cancelled, ann)
    theirs = session(course_made(station_b), now - DAY)
    enrolled(theirs, training_volunteer(station_b, officer_b, "cy"))

    with scope(tenant=station_a):
        rows = list(sessions_to_record(tenant=station_a, now=now))

    assert rows == [older, newer]
    assert [s.unrecorded_count for s in rows] == [1, 1]
