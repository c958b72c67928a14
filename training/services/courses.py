"""Courses: what is taught, who needs it, how it is assessed, how long its certificate lasts and
which other courses it includes (cycles refused); the questions of a quiz course."""

from collections import deque
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from jointdefense.core.services import audit
from jointdefense.tenancy.models import Tenant

from ..errors import CourseCycle, CourseError, NotInStation
from ..models import Course, CourseInclusion, QuizChoice, QuizQuestion
from ..selectors.qualifications import inclusion_graph
from .common import Actor, clean
from .compliance import compliance_changed

# the fields officers set on a course (includes are set by course_set_includes)
COURSE_FIELDS = (
    "name",
    "kind",
    "topic",
    "description",
    "required_for_roles",
    "required_for_team_types",
    "assessment",
    "max_score",
    "pass_mark",
    "quiz_attempts",
    "valid_months",
    "is_active",
)


def _set_fields(course: Course, fields: dict[str, Any]) -> list[str]:
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise CourseError(_("Unknown course fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    changed = []
    for name, value in fields.items():
        if name == "name" and isinstance(value, str):
            value = value.strip()
        if name in ("required_for_roles", "required_for_team_types"):
            value = sorted(set(value or []))
        if getattr(course, name) != value:
            setattr(course, name, value)
            changed.append(name)
    return changed


def _check_assessment(course: Course) -> None:
    """The pass mark: needed by a scored course and a quiz, within the scale (a quiz's is a
    percentage); other assessments have none."""
    scored = course.assessment in (Course.Assessment.SCORE, Course.Assessment.QUIZ)
    if not scored:
        course.pass_mark = None
        return
    if course.pass_mark is None:
        raise CourseError(_("A scored course or a quiz needs a pass mark."), field="pass_mark")
    top = 100 if course.assessment == Course.Assessment.QUIZ else course.max_score
    if not 0 < course.pass_mark <= top:
        raise CourseError(_("The pass mark must be between 1 and %(top)s.") % {"top": top}, field="pass_mark")


@transaction.atomic
def course_create(*, tenant: Tenant, actor: Actor, **fields: Any) -> Course:
    course = Course(tenant=tenant)
    _set_fields(course, fields)
    _check_assessment(course)
    clean(course, CourseError)
    course.save()
    audit(tenant=tenant, actor=actor, action="course.created", target=course, name=course.name)
    if course.is_active and (course.required_for_roles or course.required_for_team_types):
        compliance_changed(tenant=tenant)  # needed from now on
    return course


@transaction.atomic
def course_update(*, course: Course, actor: Actor, **fields: Any) -> Course:
    course = Course.objects.select_for_update().get(pk=course.pk, tenant=course.tenant_id)
    changed = _set_fields(course, fields)
    before_mark = course.pass_mark
    _check_assessment(course)
    if course.pass_mark != before_mark and "pass_mark" not in changed:
        changed.append("pass_mark")
    if not changed:
        return course
    clean(course, CourseError)
    course.save(update_fields=changed)
    audit(tenant=course.tenant, actor=actor, action="course.changed", target=course, fields=sorted(changed))
    if {"required_for_roles", "required_for_team_types", "is_active"} & set(changed):
        compliance_changed(tenant=course.tenant)  # who needs it, from now on
    return course


def _path(graph: dict[int, set[int]], start: int, goal: int) -> list[int] | None:
    """A path of inclusions from ``start`` to ``goal`` (breadth first), or None."""
    previous: dict[int, int | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path = [node]
            while (back := previous[path[-1]]) is not None:
                path.append(back)
            return path[::-1]
        for nxt in sorted(graph.get(node, ())):
            if nxt not in previous:
                previous[nxt] = node
                queue.append(nxt)
    return None


@transaction.atomic
def course_set_includes(*, course: Course, included: list[Course], actor: Actor) -> Course:
    """Replace what ``course`` includes. Refused: a course of another station, the course itself,
    and a cycle (the message names it: “A” → “B” → “A”). The station's courses are locked so that
    two officers cannot close a cycle together."""
    names = dict(
        Course.objects.select_for_update()
        .filter(tenant=course.tenant_id)
        .order_by("pk")
        .values_list("pk", "name")
    )
    wanted = {c.pk for c in included}
    if any(c.tenant_id != course.tenant_id or c.pk not in names for c in included):
        raise NotInStation(_("A course can only include courses of its own station."), field="includes")
    if course.pk in wanted:
        raise CourseCycle(_("A course cannot include itself."), field="includes")
    graph = inclusion_graph(course.tenant_id)
    graph.pop(course.pk, None)
    for other in sorted(wanted):
        path = _path(graph, other, course.pk)
        if path is not None:
            cycle = " → ".join(f"“{names[pk]}”" for pk in [course.pk, *path])
            raise CourseCycle(
                _("“%(course)s” cannot include “%(other)s”, which already includes it: %(cycle)s.")
                % {"course": names[course.pk], "other": names[other], "cycle": cycle},
                field="includes",
            )
    current = set(
        CourseInclusion.objects.filter(tenant=course.tenant_id, course=course).values_list(
            "included_id", flat=True
        )
    )
    if current == wanted:
        return course
    CourseInclusion.objects.filter(tenant=course.tenant_id, course=course).exclude(
        included_id__in=wanted
    ).delete()
    CourseInclusion.objects.bulk_create(
        [
            CourseInclusion(tenant_id=course.tenant_id, course=course, included_id=pk)
            for pk in sorted(wanted - current)
        ]
    )
    audit(
        tenant=course.tenant,
        actor=actor,
        action="course.includes_changed",
        target=course,
        includes=sorted(wanted),
    )
    compliance_changed(tenant=course.tenant)  # what its certificates count for, from now on
    return course


@transaction.atomic
def quiz_question_save(
    *,
    course: Course,
    actor: Actor,
    text: str,
    choices: list[tuple[str, bool]],
    position: int | None = None,
    question: QuizQuestion | None = None,
) -> QuizQuestion:
    """Add a question to a quiz course, or change one (``question``): its text and its choices in
    order, at least two, at least one of them right."""
    course = Course.objects.select_for_update().get(pk=course.pk, tenant=course.tenant_id)
    if course.assessment != Course.Assessment.QUIZ:
        raise CourseError(_("Only an online quiz has questions."), field="assessment")
    text = (text or "").strip()
    if not text:
        raise CourseError(_("Write the question."), field="text")
    given = [(str(t).strip(), bool(right)) for t, right in choices if str(t).strip()]
    if len(given) < 2:
        raise CourseError(_("A question needs at least two answers."), field="choices")
    if not any(right for _t, right in given):
        raise CourseError(_("Mark at least one answer as right."), field="choices")
    if any(len(t) > 300 for t, _r in given):
        raise CourseError(_("An answer can have at most 300 characters."), field="choices")
    if question is not None and (question.course_id != course.pk or question.tenant_id != course.tenant_id):
        raise NotInStation(_("This question is not one of this quiz's."))
    if position is None:
        position = (
            question.position
            if question is not None
            else (
                QuizQuestion.objects.filter(tenant=course.tenant_id, course=course).aggregate(
                    m=Max("position")
                )["m"]
                or 0
            )
            + 1
        )
    clash = QuizQuestion.objects.filter(tenant=course.tenant_id, course=course, position=position)
    if question is not None:
        clash = clash.exclude(pk=question.pk)
    if clash.exists():
        raise CourseError(_("Another question of this quiz has this place in the order."), field="position")
    created = question is None
    if question is None:
        question = QuizQuestion.objects.create(
            tenant_id=course.tenant_id, course=course, position=position, text=text
        )
    else:
        question.text, question.position = text, position
        question.save(update_fields=["text", "position"])
    existing = {c.position: c for c in QuizChoice.objects.filter(tenant=course.tenant_id, question=question)}
    for n, (choice_text, right) in enumerate(given, start=1):
        choice = existing.pop(n, None)
        if choice is None:
            QuizChoice.objects.create(
                tenant_id=course.tenant_id, question=question, position=n, text=choice_text, is_correct=right
            )
        elif (choice.text, choice.is_correct) != (choice_text, right):
            choice.text, choice.is_correct = choice_text, right
            choice.save(update_fields=["text", "is_correct"])
    if existing:
        QuizChoice.objects.filter(pk__in=[c.pk for c in existing.values()]).delete()
    audit(
        tenant=course.tenant,
        actor=actor,
        action="quiz.question_added" if created else "quiz.question_changed",
        target=question,
        course=course.pk,
    )
    return question


@transaction.atomic
def quiz_question_delete(*, question: QuizQuestion, actor: Actor) -> None:
    """Take a question out of its quiz (attempts already made keep their scores)."""
    audit(tenant=question.tenant, actor=actor, action="quiz.question_deleted", target=question)
    question.delete()
