"""Courses: the pass mark within the scale, inclusions within the station with cycles refused
(the message names the cycle)."""

import pytest
from django_scopes import scope, scopes_disabled

from tests.factories import CourseFactory
from training import errors
from training.models import Course, CourseInclusion
from training.services.courses import course_create, course_set_includes, course_update


def test_a_scored_course_needs_a_pass_mark_within_its_scale(station_a, officer_a):
    base = {"tenant": station_a, "actor": officer_a, "name": "First aid", "topic": "first_aid"}
    with scope(tenant=station_a):
        with pytest.raises(errors.CourseError, match="needs a pass mark") as e:
            course_create(**base, assessment="score", max_score=50)
        assert e.value.field == "pass_mark"
        with pytest.raises(errors.CourseError, match="between 1 and 50"):
            course_create(**base, assessment="score", max_score=50, pass_mark=60)
        with pytest.raises(errors.CourseError, match="between 1 and 100"):
            course_create(**base, assessment="quiz", pass_mark=120)
        course = course_create(
            **base, assessment="score", max_score=50, pass_mark=30, required_for_roles=["patrol"]
        )
        with pytest.raises(errors.CourseError, match="between 1 and 50"):
            course_update(course=course, actor=officer_a, pass_mark=51)
        assert Course.objects.get(pk=course.pk).pass_mark == 30
        with pytest.raises(errors.CourseError, match="already has a course with this name"):
            course_create(**base)


def test_a_cycle_of_inclusions_is_refused_and_named(station_a, officer_a):
    with scopes_disabled():
        basics, leader, senior = (
            CourseFactory(tenant=station_a, name=n) for n in ("Basics", "Leader", "Senior")
        )
    with scope(tenant=station_a):
        course_set_includes(course=senior, included=[leader], actor=officer_a)
        course_set_includes(course=leader, included=[basics], actor=officer_a)
        with pytest.raises(errors.CourseCycle, match="“Basics” → “Senior” → “Leader” → “Basics”"):
            course_set_includes(course=basics, included=[senior], actor=officer_a)
        with pytest.raises(errors.CourseCycle, match="cannot include itself"):
            course_set_includes(course=basics, included=[basics], actor=officer_a)
        assert CourseInclusion.objects.count() == 2


def test_inclusions_stay_in_the_station(station_a, station_b, officer_a):
    with scopes_disabled():
        mine, theirs = CourseFactory(tenant=station_a), CourseFactory(tenant=station_b)
    with scope(tenant=station_a), pytest.raises(errors.NotInStation):
        course_set_includes(course=mine, included=[theirs], actor=officer_a)
