"""Forms of screening: the notes and reasons of its steps, the background review, the roles, and
the station's list of volunteer backgrounds."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms import modelformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import BackgroundGroup, BackgroundReview, VolunteerRole


class BackgroundGroupForm(forms.ModelForm):
    class Meta:
        model = BackgroundGroup
        fields = ["name", "position", "is_active"]


BackgroundGroupFormSet = modelformset_factory(
    # edit_only: a form added to the POST by hand creates nothing (new groups have their own form)
    BackgroundGroup,
    form=BackgroundGroupForm,
    extra=0,
    can_delete=False,
    edit_only=True,
)


class NewBackgroundGroupForm(forms.Form):
    name = forms.CharField(label=_("New background"), max_length=80)

    def service_kwargs(self) -> dict:
        """The arguments of services.screening.background_group_add."""
        return {"name": self.cleaned_data["name"]}


# ---- screening ------------------------------------------------------------------------------------


class ScreeningNoteForm(forms.Form):
    """An optional note with a screening step (approve, activate, reinstate, retire)."""

    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def service_kwargs(self) -> dict:
        return {"note": self.cleaned_data["note"]}


class ScreeningReasonForm(forms.Form):
    """The service says why a reason is needed; the form only carries it."""

    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def service_kwargs(self) -> dict:
        return {"reason": self.cleaned_data["reason"]}


class BackgroundReviewForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result"),
        choices=BackgroundReview.Result.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the result of the review.")},
    )
    reviewed_on = forms.DateField(
        label=_("Date of review"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewed_on"].initial = timezone.localdate

    def clean_reviewed_on(self):
        value = self.cleaned_data["reviewed_on"]
        if value > timezone.localdate():
            raise ValidationError(_("The date of the review cannot be in the future."), code="future")
        return value

    def service_kwargs(self) -> dict:
        """The arguments of services.screening.background_review_record."""
        data = self.cleaned_data
        return {"result": data["result"], "reviewed_on": data["reviewed_on"], "notes": data["notes"]}


class ClassifyForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=VolunteerRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def service_kwargs(self) -> dict:
        """The arguments of services.volunteers.volunteer_classify."""
        return {"roles": self.cleaned_data["roles"]}
