"""Dispute mediation forms: opening a mediation, a session, the outcome, a party."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from jointdefense.tenancy.models import Community

from ..models import Mediation, MediationParty
from ..selectors.mediation import mediator_choices, mediator_from_choice
from ..services.mediation import MAX_AGREEMENT, MAX_TEXT


class MediationOpenForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of dispute"), choices=Mediation.Kind.choices)
    summary = forms.CharField(
        label=gettext_lazy("What the dispute is about"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    community = forms.ModelChoiceField(
        label=gettext_lazy("Community"), queryset=Community.objects.none(), required=False
    )
    mediator = forms.ChoiceField(label=gettext_lazy("Mediator"))
    applicant_name = forms.CharField(label=gettext_lazy("Applicant"), max_length=100, required=False)
    applicant_phone = forms.CharField(label=gettext_lazy("Applicant's phone"), max_length=30, required=False)
    respondent_name = forms.CharField(label=gettext_lazy("Respondent"), max_length=100, required=False)
    respondent_phone = forms.CharField(
        label=gettext_lazy("Respondent's phone"), max_length=30, required=False
    )

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.fields["community"].queryset = Community.objects.filter(tenant=tenant).order_by("name")
        self.fields["mediator"].choices = [("", "---------"), *mediator_choices(tenant)]

    def service_kwargs(self) -> dict[str, Any]:
        """For services.mediation.mediation_open: the mediator the choice names, the parties given."""
        data = self.cleaned_data
        officer, volunteer = mediator_from_choice(tenant=self.tenant, value=data["mediator"])
        parties = [
            (data[f"{role}_name"], role, data[f"{role}_phone"])
            for role in ("applicant", "respondent")
            if data[f"{role}_name"].strip()
        ]
        return {
            "kind": data["kind"],
            "summary": data["summary"],
            "community": data["community"],
            "mediator_officer": officer,
            "mediator_volunteer": volunteer,
            "parties": parties,
        }


class MediationSessionForm(forms.Form):
    held_at = forms.DateTimeField(
        label=gettext_lazy("Held"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200)
    attendees = forms.CharField(label=gettext_lazy("Who attended"), max_length=500, required=False)
    notes = forms.CharField(
        label=gettext_lazy("Notes"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def service_kwargs(self) -> dict[str, Any]:
        """For services.mediation.mediation_session_add."""
        return dict(self.cleaned_data)


class MediationOutcomeForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        choices=[c for c in Mediation.Status.choices if c[0] != Mediation.Status.OPEN],
    )
    outcome = forms.CharField(
        label=gettext_lazy("How it ended"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("For a referral: to which court or agency."),
    )
    agreement = forms.CharField(
        label=gettext_lazy("Agreement"),
        max_length=MAX_AGREEMENT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Required when the dispute is settled or partly settled."),
    )

    def service_kwargs(self) -> dict[str, Any]:
        """For services.mediation.mediation_record_outcome."""
        return dict(self.cleaned_data)


class MediationPartyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    role = forms.ChoiceField(label=gettext_lazy("Role in the dispute"), choices=MediationParty.Role.choices)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=30, required=False)

    def service_kwargs(self) -> dict[str, Any]:
        """For services.mediation.mediation_party_add and mediation_party_edit."""
        return dict(self.cleaned_data)
