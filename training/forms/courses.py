"""Forms of the course pages: a course (what it is, who needs it, how it is assessed, how long
its certificate lasts, what it includes) and a quiz question with its answers. They validate
input and hand ``service_kwargs()`` to training.services.courses, which writes and refuses what
breaks the rules (a pass mark off the scale, a cycle of inclusions)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from teams.models import Team, VolunteerRole

from ..models import Course, QuizQuestion
from ..services.courses import COURSE_FIELDS

MAX_CHOICES = 6


class CourseForm(forms.ModelForm):
    required_for_roles = forms.MultipleChoiceField(
        label=_("Required for volunteer roles"),
        choices=VolunteerRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    required_for_team_types = forms.MultipleChoiceField(
        label=_("Required for team types"),
        choices=Team.Type.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    includes = forms.ModelMultipleChoiceField(
        label=_("Includes"),
        queryset=Course.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Passing this course also counts as passing these."),
    )

    class Meta:
        model = Course
        fields = list(COURSE_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        others = Course.objects.filter(tenant=tenant).order_by("name")
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
            self.fields["includes"].initial = list(self.instance.includes.values_list("pk", flat=True))
        self.fields["includes"].queryset = others
        self.fields["required_for_roles"].help_text = Course._meta.get_field("required_for_roles").help_text
        self.fields["required_for_team_types"].help_text = Course._meta.get_field(
            "required_for_team_types"
        ).help_text
        self.fields["pass_mark"].help_text = _(
            "A scored course: out of the highest score. "
            "A quiz: the share of questions answered right, in per cent."
        )

    def _post_clean(self):
        # the service validates the course (the pass mark against the scale, a unique name)
        pass

    def fields_for_service(self) -> dict:
        return {name: self.cleaned_data[name] for name in COURSE_FIELDS}

    def service_kwargs(self) -> dict:
        """For ``course_create`` (with ``tenant`` and ``actor``) or ``course_update`` (``course``)."""
        if self.instance.pk:
            return {"course": self.instance, **self.fields_for_service()}
        return {"tenant": self.tenant, **self.fields_for_service()}

    def included(self) -> list[Course]:
        """For ``course_set_includes``."""
        return list(self.cleaned_data["includes"])


class QuizQuestionForm(forms.Form):
    """A question and up to six answers; tick the right ones (at least two answers, one right)."""

    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    position = forms.IntegerField(
        label=_("Order"),
        min_value=1,
        max_value=1000,
        required=False,
        help_text=_("Leave empty to add it after the last question."),
    )

    def __init__(self, *args, course, question: QuizQuestion | None = None, **kwargs):
        self.course = course
        self.question = question
        if question is not None and not kwargs.get("initial"):
            initial = {"text": question.text, "position": question.position}
            for i, choice in enumerate(question.choices.all(), start=1):
                initial[f"choice_{i}"] = choice.text
                initial[f"correct_{i}"] = choice.is_correct
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for i in range(1, MAX_CHOICES + 1):
            self.fields[f"choice_{i}"] = forms.CharField(
                label=_("Answer %(n)s") % {"n": i}, max_length=300, required=False
            )
            self.fields[f"correct_{i}"] = forms.BooleanField(
                label=_("Answer %(n)s is right") % {"n": i}, required=False
            )

    def choice_rows(self):
        """(answer field, right-answer field) pairs, for the template."""
        return [(self[f"choice_{i}"], self[f"correct_{i}"]) for i in range(1, MAX_CHOICES + 1)]

    def clean(self):
        data = super().clean()
        choices = []
        for i in range(1, MAX_CHOICES + 1):
            text = (data.get(f"choice_{i}") or "").strip()
            if text:
                choices.append((text, bool(data.get(f"correct_{i}"))))
            elif data.get(f"correct_{i}"):
                self.add_error(f"choice_{i}", _("Write the answer you marked as right."))
        if len(choices) < 2:
            raise forms.ValidationError(_("Give at least two answers."))
        if not any(right for _text, right in choices):
            raise forms.ValidationError(_("Mark at least one answer as right."))
        data["choices"] = choices
        return data

    def service_kwargs(self) -> dict:
        """For ``quiz_question_save`` (with ``actor``)."""
        return {
            "course": self.course,
            "question": self.question,
            "text": self.cleaned_data["text"],
            "choices": self.cleaned_data["choices"],
            "position": self.cleaned_data.get("position"),
        }


class QuizForm(forms.Form):
    """Taking a quiz: one group of check boxes per question (more than one answer may be right)."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for number, question in enumerate(self.questions, start=1):
            self.fields[f"q_{question.pk}"] = forms.TypedMultipleChoiceField(
                label=f"{number}. {question.text}",
                choices=[(c.pk, c.text) for c in question.choices.all()],
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def answers(self) -> dict[int, list[int]]:
        """For ``quiz_submit``: question id -> the chosen answer ids."""
        return {q.pk: list(self.cleaned_data.get(f"q_{q.pk}") or []) for q in self.questions}
