"""Online quizzes: scoring (a question is right when exactly its right answers are chosen), the
attempts a course allows, the certificate on passing, renewals, and answers not of the quiz."""

import datetime

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tests.factories import CourseFactory, certificate_for
from training import errors
from training.models import Certificate, QuizAttempt
from training.services.courses import quiz_question_save
from training.services.quizzes import quiz_submit


@pytest.fixture
def quiz(station_a, officer_a):
    """Three questions, pass mark 60 %, two attempts; question 2 has two right answers."""
    with scopes_disabled():
        course = CourseFactory(
            tenant=station_a, name="Law basics", assessment="quiz", pass_mark=60, quiz_attempts=2
        )
    with scope(tenant=station_a):
        qs = [
            quiz_question_save(
                course=course, actor=officer_a, text="Q1", choices=[("a", True), ("b", False)]
            ),
            quiz_question_save(
                course=course, actor=officer_a, text="Q2", choices=[("a", True), ("b", True), ("c", False)]
            ),
            quiz_question_save(
                course=course, actor=officer_a, text="Q3", choices=[("a", False), ("b", True)]
            ),
        ]
    return course, qs


def choices(question, *positions):
    return [c.pk for c in question.choices.order_by("position") if c.position in positions]


def test_a_question_is_right_only_with_exactly_its_right_answers(station_a, quiz, people_a):
    course, (q1, q2, q3) = quiz
    with scope(tenant=station_a):
        attempt = quiz_submit(
            course=course,
            volunteer=people_a[0],
            answers={q1.pk: choices(q1, 1), q2.pk: choices(q2, 1), q3.pk: []},
        )
        assert (attempt.score_percent, attempt.passed) == (33, False)  # 1 of 3, rounded down
        assert not Certificate.objects.exists()
        attempt = quiz_submit(
            course=course,
            volunteer=people_a[0],
            answers={str(q1.pk): choices(q1, 1), str(q2.pk): choices(q2, 1, 2)},
        )
        assert (attempt.number, attempt.score_percent, attempt.passed) == (2, 66, True)
        assert Certificate.objects.get(quiz_attempt=attempt).volunteer == people_a[0]


def test_no_attempt_is_left_after_the_allowed_ones(station_a, quiz, people_a):
    course, _qs = quiz
    with scope(tenant=station_a):
        quiz_submit(course=course, volunteer=people_a[0], answers={})
        quiz_submit(course=course, volunteer=people_a[0], answers={})
        with pytest.raises(errors.NoAttemptsLeft, match="used all 2 attempts"):
            quiz_submit(course=course, volunteer=people_a[0], answers={})
        assert QuizAttempt.objects.count() == 2


def test_a_holder_is_refused_until_the_certificate_nears_its_end(station_a, quiz, people_a):
    course, (q1, q2, q3) = quiz
    certificate = certificate_for(people_a[0], course)
    with scope(tenant=station_a):
        right = {q1.pk: choices(q1, 1), q2.pk: choices(q2, 1, 2), q3.pk: choices(q3, 2)}
        with pytest.raises(errors.AlreadyCertified, match="already hold a valid certificate of “Law basics”"):
            quiz_submit(course=course, volunteer=people_a[0], answers=right)
        Certificate.objects.filter(pk=certificate.pk).update(
            expires_at=timezone.now() + datetime.timedelta(days=20)
        )
        renewal = quiz_submit(course=course, volunteer=people_a[0], answers=right)
        assert renewal.passed and Certificate.objects.filter(volunteer=people_a[0]).count() == 2


def test_answers_to_another_question_are_refused(station_a, officer_a, quiz, people_a):
    course, (q1, *_) = quiz
    with scopes_disabled():
        other = CourseFactory(tenant=station_a, assessment="quiz", pass_mark=50)
    with scope(tenant=station_a):
        foreign = quiz_question_save(
            course=other, actor=officer_a, text="X", choices=[("a", True), ("b", False)]
        )
        with pytest.raises(errors.QuizError, match="not in this quiz"):
            quiz_submit(course=course, volunteer=people_a[0], answers={foreign.pk: choices(foreign, 1)})
        with pytest.raises(errors.QuizError, match="not one of the question's"):
            quiz_submit(course=course, volunteer=people_a[0], answers={q1.pk: choices(foreign, 1)})
        assert not QuizAttempt.objects.exists()


def test_a_question_needs_two_answers_and_a_right_one(station_a, officer_a, quiz):
    course, _qs = quiz
    with scope(tenant=station_a):
        with pytest.raises(errors.CourseError, match="at least two answers"):
            quiz_question_save(course=course, actor=officer_a, text="Q", choices=[("a", True)])
        with pytest.raises(errors.CourseError, match="at least one answer as right"):
            quiz_question_save(course=course, actor=officer_a, text="Q", choices=[("a", False), ("b", False)])
