"""Course pages under /s/<station>/training/courses/: the list, a course with its sessions and
quiz questions, creating and editing a course (with what it includes), the quiz questions editor,
a course's roster of holders, and a volunteer taking the quiz.

Writes go through training.services.courses and .quizzes, fed by the forms; DomainErrors become
form errors."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from jointdefense.core.errors import DomainError
from jointdefense.core.forms import add_domain_error
from jointdefense.core.views import InvalidFormIs400Mixin
from teams.models import Team, VolunteerRole

from ..forms.courses import CourseForm, QuizForm, QuizQuestionForm
from ..models import Course, QuizAttempt, QuizQuestion
from ..selectors import records as record_selectors
from ..selectors import sessions as session_selectors
from ..services import courses as services
from ..services import quizzes
from .common import TrainingViewMixin


class CourseListView(TrainingViewMixin, ListView):
    permission_required = "course.view"
    template_name = "training/course_list.html"
    context_object_name = "courses"
    paginate_by = 100

    def get_queryset(self):
        return session_selectors.course_list(tenant=self.tenant, include_inactive=self.can("course.manage"))

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "can_manage": self.can("course.manage")}


def get_course(view, pk):
    return get_object_or_404(
        session_selectors.course_list(tenant=view.tenant, include_inactive=view.can("course.manage")), pk=pk
    )


class CourseDetailView(TrainingViewMixin, TemplateView):
    permission_required = "course.view"
    template_name = "training/course_detail.html"

    def get_context_data(self, **kwargs):
        course = get_course(self, self.kwargs["pk"])
        can_manage = self.can("course.manage")
        return {
            **super().get_context_data(**kwargs),
            "course": course,
            "includes": list(course.includes.order_by("name")),
            "required_roles": [
                VolunteerRole(r).label for r in course.required_for_roles if r in VolunteerRole.values
            ],
            "required_team_types": [
                Team.Type(t).label for t in course.required_for_team_types if t in Team.Type.values
            ],
            "sessions": session_selectors.upcoming_sessions(self.tenant, course=course),
            "questions": list(course.questions.prefetch_related("choices")) if can_manage else [],
            "can_manage": can_manage,
            "can_view_records": self.can("training.view_records"),
            "can_take_quiz": course.is_quiz and self.volunteer is not None,
        }


class CourseFormMixin(InvalidFormIs400Mixin, TrainingViewMixin):
    permission_required = "course.manage"
    template_name = "training/course_form.html"
    form_class = CourseForm
    course = None

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "tenant": self.tenant,
            "instance": self.course or Course(tenant=self.tenant),
        }

    def form_valid(self, form):
        kwargs = form.service_kwargs()
        try:
            # the course and what it includes: saved together or not at all
            with transaction.atomic():
                if self.course is None:
                    course = services.course_create(**kwargs, actor=self.request.user)
                else:
                    course = services.course_update(**kwargs, actor=self.request.user)
                services.course_set_includes(course=course, included=form.included(), actor=self.request.user)
        except DomainError as err:
            add_domain_error(form, err)
            return self.form_invalid(form)
        messages.success(self.request, _("Course “%(name)s” saved.") % {"name": course.name})
        return redirect("training:course-detail", station=self.tenant.slug, pk=course.pk)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "course": self.course}


class CourseCreateView(CourseFormMixin, FormView):
    pass


class CourseEditView(CourseFormMixin, FormView):
    def get_form_kwargs(self):
        self.course = get_object_or_404(Course.objects.filter(tenant=self.tenant), pk=self.kwargs["pk"])
        return super().get_form_kwargs()


class QuestionFormView(InvalidFormIs400Mixin, TrainingViewMixin, FormView):
    """Add or edit one question of a quiz course with its answers."""

    permission_required = "course.manage"
    template_name = "training/question_form.html"
    form_class = QuizQuestionForm

    def get_objects(self):
        if not hasattr(self, "course"):
            self.course = get_object_or_404(Course.objects.filter(tenant=self.tenant), pk=self.kwargs["pk"])
            self.question = None
            if "question" in self.kwargs:
                self.question = get_object_or_404(
                    QuizQuestion.objects.filter(tenant=self.tenant, course=self.course).prefetch_related(
                        "choices"
                    ),
                    pk=self.kwargs["question"],
                )
        return self.course, self.question

    def get_form_kwargs(self):
        course, question = self.get_objects()
        return {**super().get_form_kwargs(), "course": course, "question": question}

    def form_valid(self, form):
        try:
            services.quiz_question_save(**form.service_kwargs(), actor=self.request.user)
        except DomainError as err:
            add_domain_error(form, err)
            return self.form_invalid(form)
        messages.success(self.request, _("Question saved."))
        return redirect("training:course-detail", station=self.tenant.slug, pk=self.course.pk)

    def get_context_data(self, **kwargs):
        course, question = self.get_objects()
        return {**super().get_context_data(**kwargs), "course": course, "question": question}


class CourseRosterView(TrainingViewMixin, TemplateView):
    """Who holds the course's certificate, with its validity."""

    permission_required = "training.view_records"
    template_name = "training/course_roster.html"

    def get_context_data(self, **kwargs):
        course = get_object_or_404(Course.objects.filter(tenant=self.tenant), pk=self.kwargs["pk"])
        return {
            **super().get_context_data(**kwargs),
            "course": course,
            "roster": record_selectors.course_roster(course),
        }


class QuizView(TrainingViewMixin, View):
    """A volunteer takes a quiz course's questions; the page says how many attempts are left."""

    permission_required = "session.enrol"
    template_name = "training/quiz.html"

    def get_course(self):
        return get_object_or_404(
            Course.objects.filter(tenant=self.tenant, is_active=True, assessment=Course.Assessment.QUIZ),
            pk=self.kwargs["pk"],
        )

    def render_page(self, course, form, status=200, attempt=None):
        volunteer = self.volunteer
        attempts = list(
            QuizAttempt.objects.filter(tenant=self.tenant, course=course, volunteer=volunteer).order_by(
                "number"
            )
        )
        ctx = {
            "course": course,
            "form": form,
            "attempts": attempts,
            "attempts_left": max(course.quiz_attempts - len(attempts), 0),
            "attempt": attempt,
        }
        return render(self.request, self.template_name, ctx, status=status)

    def questions(self, course):
        return course.questions.prefetch_related("choices")

    def get(self, request, station, pk):
        self.require_volunteer()
        course = self.get_course()
        return self.render_page(course, QuizForm(questions=self.questions(course)))

    def post(self, request, station, pk):
        volunteer = self.require_volunteer()
        course = self.get_course()
        form = QuizForm(request.POST, questions=self.questions(course))
        if form.is_valid():
            try:
                attempt = quizzes.quiz_submit(course=course, volunteer=volunteer, answers=form.answers())
            except DomainError as err:
                form.add_error(None, err.message)
            else:
                if attempt.passed:
                    messages.success(
                        request,
                        _("You passed with %(score)s%%. Your certificate is on your training page.")
                        % {"score": attempt.score_percent},
                    )
                else:
                    messages.warning(
                        request,
                        _("%(score)s%% is below the pass mark of %(mark)s%%.")
                        % {"score": attempt.score_percent, "mark": course.pass_mark},
                    )
                return self.render_page(course, QuizForm(questions=self.questions(course)), attempt=attempt)
        return self.render_page(course, form, status=400)
