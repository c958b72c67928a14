"""Online quizzes: a volunteer submits answers to a quiz course's questions; a question is right
when the chosen answers are exactly its right ones; the score is the share right, rounded down.
A passed attempt issues the certificate and awards training points once.

Attempts: the course allows ``quiz_attempts`` goes per round; a pass closes the round, so a
renewal starts a fresh one. A volunteer who holds a valid certificate of the course is refused
(AlreadyCertified) unless it expires within ``RENEWAL_WINDOW`` — then the quiz renews it.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jointdefense.core.services import audit
from teams.models import Volunteer

from ..errors import AlreadyCertified, NoAttemptsLeft, NotInStation, QuizError, VolunteerInactive
from ..models import Certificate, Course, QuizAttempt, QuizChoice
from ..selectors.qualifications import valid_certificates_q
from .certificates import certificate_issue
from .common import ENROLLABLE, award_points

RENEWAL_WINDOW = datetime.timedelta(days=60)


def attempts_used(course: Course, volunteer: Volunteer) -> int:
    """The attempts of the current round (since the last passed one)."""
    attempts = QuizAttempt.objects.filter(tenant=course.tenant_id, course=course, volunteer=volunteer)
    last_pass = attempts.filter(passed=True).order_by("-number").values_list("number", flat=True).first()
    if last_pass is not None:
        attempts = attempts.filter(number__gt=last_pass)
    return attempts.count()


def _answers(raw: dict[int, list[int]]) -> dict[int, set[int]]:
    try:
        return {int(q): {int(c) for c in (chosen or [])} for q, chosen in (raw or {}).items()}
    except (TypeError, ValueError) as exc:
        raise QuizError(_("The answers are not in the expected form."), field="answers") from exc


@transaction.atomic
def quiz_submit(*, course: Course, volunteer: Volunteer, answers: dict[int, list[int]]) -> QuizAttempt:
    """Score one attempt at a quiz course (question id -> the choice ids chosen)."""
    if course.tenant_id != volunteer.tenant_id:
        raise NotInStation(_("This quiz belongs to another station."))
    if course.assessment != Course.Assessment.QUIZ or not course.is_active:
        raise QuizError(_("“%(course)s” has no online quiz.") % {"course": course.name})
    if volunteer.status not in ENROLLABLE:
        raise VolunteerInactive(_("Only approved or active volunteers can take a quiz."))
    # the volunteer's row, locked: two submissions at once are numbered one after the other
    volunteer = (
        Volunteer.objects.select_for_update(of=("self",))
        .select_related("tenant")
        .get(pk=volunteer.pk, tenant=volunteer.tenant_id)
    )
    now = timezone.now()
    held = (
        Certificate.objects.filter(
            valid_certificates_q(now), tenant=course.tenant_id, course=course, volunteer=volunteer
        )
        .order_by("-issued_at")
        .first()
    )
    if held is not None and (held.expires_at is None or held.expires_at > now + RENEWAL_WINDOW):
        raise AlreadyCertified(
            _(
                "You already hold a valid certificate of “%(course)s”; you can renew it in the "
                "last %(days)s days."
            )
            % {"course": course.name, "days": RENEWAL_WINDOW.days}
        )
    used = attempts_used(course, volunteer)
    if used >= course.quiz_attempts:
        raise NoAttemptsLeft(
            ngettext(
                "You have used your %(n)s attempt at this quiz: ask an officer.",
                "You have used all %(n)s attempts at this quiz: ask an officer.",
                course.quiz_attempts,
            )
            % {"n": course.quiz_attempts}
        )
    right_sets: dict[int, set[int]] = {}
    all_choices: dict[int, set[int]] = {}
    for question_id, choice_id, is_correct in QuizChoice.objects.filter(
        tenant=course.tenant_id, question__course=course
    ).values_list("question_id", "pk", "is_correct"):
        all_choices.setdefault(question_id, set()).add(choice_id)
        right_sets.setdefault(question_id, set())
        if is_correct:
            right_sets[question_id].add(choice_id)
    if not all_choices:
        raise QuizError(_("This quiz has no questions yet."))
    given = _answers(answers)
    for question_id, chosen in given.items():
        if question_id not in all_choices:
            raise QuizError(_("An answer is to a question that is not in this quiz."), field="answers")
        if not chosen <= all_choices[question_id]:
            raise QuizError(_("An answer was chosen that is not one of the question's."), field="answers")
    right = sum(1 for q, expected in right_sets.items() if given.get(q, set()) == expected)
    score = right * 100 // len(right_sets)
    last = (
        QuizAttempt.objects.filter(tenant=course.tenant_id, course=course, volunteer=volunteer)
        .order_by("-number")
        .first()
    )
    attempt = QuizAttempt.objects.create(
        tenant_id=course.tenant_id,
        course=course,
        volunteer=volunteer,
        number=(last.number if last else 0) + 1,
        answers={str(q): sorted(c) for q, c in sorted(given.items())},
        score_percent=score,
        passed=score >= (course.pass_mark or 0),
        submitted_at=now,
    )
    audit(
        tenant=course.tenant,
        actor=volunteer.user,
        action="quiz.submitted",
        target=attempt,
        score=score,
        passed=attempt.passed,
    )
    if attempt.passed:
        certificate_issue(volunteer=volunteer, course=course, quiz_attempt=attempt, issued_at=now)
        award_points(
            volunteer,
            f"training-quiz-passed-{attempt.pk}",
            _("Quiz passed: %(course)s") % {"course": course.name},
        )
    return attempt
