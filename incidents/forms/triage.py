"""The actions of a report's case page (officers)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from teams.models import Team

from ..models import Report
from ..selectors.triage import assignable_grid_workers, assignable_officers, assignable_teams
from ..services.photos import NOT_THIS_REPORTS_PHOTO


class ReportTransitionForm(forms.Form):
    to = forms.ChoiceField(label=gettext_lazy("New status"), choices=Report.Status.choices)
    public_text = forms.CharField(
        label=gettext_lazy("Message to the reporter"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    priority = forms.ChoiceField(
        label=gettext_lazy("Priority"), choices=Report.Priority.choices, required=False
    )

    def service_kwargs(self) -> dict[str, Any]:
        """For services.triage.report_transition."""
        data = self.cleaned_data
        return {"to": data["to"], "public_text": data["public_text"], "priority": data["priority"] or None}


class ReportAssignForm(forms.Form):
    officer = forms.ModelChoiceField(label=gettext_lazy("Officer"), queryset=None, required=False)
    team = forms.ModelChoiceField(label=gettext_lazy("Team"), queryset=Team.objects.none(), required=False)
    grid_worker = forms.ModelChoiceField(label=gettext_lazy("Grid worker"), queryset=None, required=False)

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = assignable_officers(tenant=tenant)
        self.fields["grid_worker"].queryset = assignable_grid_workers(tenant=tenant)
        self.fields["team"].queryset = assignable_teams(tenant=tenant)
        for name in ("officer", "grid_worker"):
            self.fields[name].label_from_instance = lambda u: u.display_name

    def service_kwargs(self) -> dict[str, Any]:
        """For services.triage.report_assign."""
        return {name: self.cleaned_data[name] for name in ("officer", "team", "grid_worker")}


class ReportCommentForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Update"), widget=forms.Textarea(attrs={"rows": 3}))
    public = forms.BooleanField(label=gettext_lazy("Show to the reporter"), required=False)

    def service_kwargs(self) -> dict[str, Any]:
        """For services.triage.report_comment."""
        return {"text": self.cleaned_data["text"], "public": self.cleaned_data["public"]}


class ReportPublicNoteForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Public status note"),
        required=False,
        max_length=500,
        help_text=gettext_lazy(
            "Everyone can read it with the report's status (Open311). Write nothing about the reporter."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def service_kwargs(self) -> dict[str, Any]:
        """For services.triage.report_public_note_set."""
        return {"text": self.cleaned_data["text"]}


class ReturnVisitForm(forms.Form):
    notes = forms.CharField(
        label=gettext_lazy("What was said at the visit"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def service_kwargs(self) -> dict[str, Any]:
        """For services.return_visits.report_visit_record."""
        return {"notes": self.cleaned_data["notes"]}


class ReportClueForm(forms.Form):
    value = forms.ChoiceField(
        label=gettext_lazy("How the report helped"), choices=Report._meta.get_field("clue_value").choices
    )

    def service_kwargs(self) -> dict[str, Any]:
        """For services.clues.report_mark_clue."""
        return {"value": self.cleaned_data["value"]}


class ReportMergeForm(forms.Form):
    other = forms.IntegerField(widget=forms.HiddenInput)
    direction = forms.ChoiceField(
        choices=[
            ("into_this", gettext_lazy("Merge it into this report")),
            ("into_other", gettext_lazy("Merge this report into it")),
        ]
    )

    def service_kwargs(self) -> dict[str, Any]:
        """For services.duplicates.report_merge_with."""
        return {
            "other_id": self.cleaned_data["other"],
            "into_other": self.cleaned_data["direction"] == "into_other",
        }


class ReportPhotoPublicForm(forms.Form):
    """One photo of the case page shown on public views (Open311), or no longer."""

    # checked by the service, which says which photos it takes
    photo = forms.CharField(
        max_length=20, widget=forms.HiddenInput, error_messages={"required": NOT_THIS_REPORTS_PHOTO}
    )
    public = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def service_kwargs(self) -> dict[str, Any]:
        """For services.photos.report_photo_set_public."""
        return {"photo_id": self.cleaned_data["photo"], "public": self.cleaned_data["public"]}
