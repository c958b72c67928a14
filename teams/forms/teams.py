"""Forms of the team pages. Choices are restricted to the form's ``tenant``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jointdefense.tenancy.models import Community, GridCell

from ..models import Team, Volunteer
from ..selectors.teams import team_grid_cells
from ..selectors.volunteers import team_candidate_list


class TeamForm(forms.ModelForm):
    home_community = forms.ModelChoiceField(
        label=_("Home community"), queryset=Community.objects.none(), required=False
    )
    grid_cells = forms.ModelMultipleChoiceField(
        label=_("Grid cells"),
        queryset=GridCell.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The grid cells the team covers."),
    )

    field_order = ["name", "type", "home_community", "grid_cells", "description", "is_active"]

    class Meta:
        model = Team
        fields = ["name", "type", "home_community", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.instance.tenant = tenant
        self.fields["home_community"].queryset = Community.objects.filter(tenant=tenant).order_by("name")
        self.fields["grid_cells"].queryset = GridCell.objects.filter(tenant=tenant).order_by("code")
        if self.instance.pk:
            self.fields["grid_cells"].initial = list(team_grid_cells(team=self.instance))

    def clean_name(self):
        # the per-station unique name is checked by services.teams.team_save
        return self.cleaned_data["name"].strip()

    def service_kwargs(self) -> dict:
        """The arguments of services.teams.team_save: the team with the form's values, unsaved."""
        return {"team": self.save(commit=False), "grid_cells": list(self.cleaned_data["grid_cells"])}


class TeamMemberForm(forms.Form):
    """Add a volunteer to a team. Any of the station's volunteers is a valid choice (the service
    says why one who is not active cannot join); the list offers the active ones not yet in it."""

    volunteer = forms.ModelChoiceField(
        label=_("Volunteer"), queryset=Volunteer.objects.none(), empty_label=_("Choose a volunteer…")
    )
    is_leader = forms.BooleanField(label=_("Team leader"), required=False)

    def __init__(self, *args, tenant, team, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["volunteer"]
        field.queryset = Volunteer.objects.filter(tenant=tenant)
        candidates = team_candidate_list(tenant=tenant, team=team)
        self.candidate_count = 0
        choices = [("", field.empty_label)]
        for volunteer in candidates:
            label = volunteer.full_name
            if volunteer.home_community_id:
                label = f"{label} · {volunteer.home_community.name}"
            choices.append((volunteer.pk, label))
            self.candidate_count += 1
        field.choices = choices

    def service_kwargs(self) -> dict:
        """The arguments of services.teams.team_member_add (with the team)."""
        return {"volunteer": self.cleaned_data["volunteer"], "is_leader": self.cleaned_data["is_leader"]}
