"""Records: a volunteer's training record, a course's roster and the station's compliance, each in
a constant number of queries (asserted, a comment per query); every training model stays in its
station."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from teams.models import TeamMember
from tests.factories import (
    CourseFactory,
    TrainingSessionFactory,
    certificate_for,
    enrolled,
    training_volunteer,
)
from training import models
from training.models import CourseInclusion
from training.selectors.records import compliance, course_roster, training_record

DAY = datetime.timedelta(days=1)


def test_the_record_shows_what_was_taken_held_and_due_in_five_queries(
    station_a, officer_a, course_a, people_a, django_assert_num_queries
):
    ann = people_a[0]
    with scopes_disabled():
        first_aid = CourseFactory(tenant=station_a, name="First aid", required_for_roles=["patrol"])
        old = CourseFactory(tenant=station_a, name="Old drill")
        for _ in range(3):
            enrolled(TrainingSessionFactory(course=course_a), ann)
    soon = certificate_for(ann, course_a, expires_at=timezone.now() + 10 * DAY)
    certificate_for(ann, old, issued_at=timezone.now() - 400 * DAY, expires_at=timezone.now() - DAY)
    with scope(tenant=station_a):
        # enrolments with sessions and courses, certificates with courses, the volunteer's team
        # types, the required courses, the inclusions
        with django_assert_num_queries(5):
            record = training_record(ann)
    assert len(record.enrolments) == 3
    assert [c.course.name for c in record.valid] == ["Patrol basics"]
    assert [c.course.name for c in record.expired] == ["Old drill"]
    assert [c.name for c in record.missing] == ["First aid"]
    assert record.due_soon == [soon]


def test_the_roster_counts_holders_through_including_courses_in_two_queries(
    station_a, course_a, people_a, django_assert_num_queries
):
    ann, ben, cai, _dan = people_a
    with scopes_disabled():
        leader = CourseFactory(tenant=station_a, name="Patrol leader")
        CourseInclusion.objects.create(tenant=station_a, course=leader, included=course_a)
    certificate_for(ann, course_a)
    certificate_for(ben, leader)
    certificate_for(cai, course_a, issued_at=timezone.now() - 400 * DAY, expires_at=timezone.now() - DAY)
    with scope(tenant=station_a):
        # the inclusions, the certificates with holders and courses
        with django_assert_num_queries(2):
            roster = course_roster(course_a)
    assert [(r.volunteer.full_name, r.is_valid, r.through) for r in roster] == [
        ("Ann", True, None),
        ("Ben", True, leader),
        ("Cai", False, None),
    ]


def compliance_queries(station):
    with scope(tenant=station), CaptureQueriesContext(connection) as queries:
        figures = compliance(station)
    return figures, len(queries)


def test_compliance_per_role_and_team_in_four_queries_however_many_volunteers(
    station_a, officer_a, course_a, team_a, people_a
):
    ann, ben, cai, dan = people_a
    certificate_for(ann, course_a)
    certificate_for(ben, course_a)
    with scope(tenant=station_a):
        for v in (ann, cai):
            TeamMember.objects.create(tenant=station_a, team=team_a, volunteer=v)
    figures, few = compliance_queries(station_a)
    assert (figures.compliant, figures.total) == (2, 4)  # the officer's volunteers are Ann..Dan
    assert [(r.label, r.compliant, r.total) for r in figures.by_role] == [("Patrol", 2, 4)]
    assert [(r.label, r.compliant, r.total) for r in figures.by_team] == [("Garden Patrol", 1, 2)]
    for n in range(5):
        certificate_for(training_volunteer(station_a, officer_a, f"extra{n}"), course_a)
    figures, many = compliance_queries(station_a)
    assert (figures.compliant, figures.total) == (7, 9)
    # the required courses, the inclusions, the volunteers with teams and valid courses, the teams
    assert few == many == 4


@pytest.mark.parametrize(
    "model",
    [
        models.Course,
        models.CourseInclusion,
        models.QuizQuestion,
        models.QuizChoice,
        models.TrainingSession,
        models.Enrolment,
        models.QuizAttempt,
        models.Certificate,
    ],
)
def test_every_training_model_stays_in_its_station(station_a, station_b, officer_b, model):
    with scopes_disabled():
        course = CourseFactory(tenant=station_b, assessment="quiz", pass_mark=50)
        other = CourseFactory(tenant=station_b)
        CourseInclusion.objects.create(tenant=station_b, course=course, included=other)
        question = models.QuizQuestion.objects.create(tenant=station_b, course=course, position=1, text="Q")
        models.QuizChoice.objects.create(tenant=station_b, question=question, position=1, text="a")
        session = TrainingSessionFactory(course=other)
    volunteer = training_volunteer(station_b, officer_b, "bob")
    enrolled(session, volunteer)
    with scopes_disabled():
        models.QuizAttempt.objects.create(
            tenant=station_b, course=course, volunteer=volunteer, number=1, score_percent=0, passed=False
        )
    certificate_for(volunteer, other)
    with scope(tenant=station_b):
        assert model.objects.exists()
    with scope(tenant=station_a):
        assert not model.objects.exists()
