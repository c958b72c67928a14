"""Forms of the volunteer and team pages. They validate input; the services write.

Choices that depend on the station (communities, background groups, grid cells, volunteers) are
always restricted to the form's ``tenant``, so another station's id is an invalid choice.
"""

import re

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jointdefense.tenancy.models import Community, GridCell

from . import selectors
from .models import (
    DAYPARTS,
    WEEKDAYS,
    BackgroundGroup,
    BackgroundReview,
    Specialty,
    Team,
    Volunteer,
    VolunteerRole,
)
from .validators import validate_id_number, validate_phone

AVAILABILITY_CHOICES = [
    (f"{day}_{part}", f"{day_label} {part_label}")
    for day, day_label in WEEKDAYS
    for part, part_label in DAYPARTS
]


def phone_username(phone: str) -> str:
    """The account name of a volunteer who registers by phone: the phone number's digits."""
    return re.sub(r"\D", "", phone or "")


class ApplyForm(forms.Form):
    """A person's application to volunteer at a station. For a visitor without an account the form
    also asks for a password: the account's name is the phone number's digits."""

    full_name = forms.CharField(label=_("Full name"), max_length=100)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=30,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=30,
        validators=[validate_id_number],
        help_text=_("Your resident ID card number, or the number of another identity document."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    home_community = forms.ModelChoiceField(
        label=_("Home community"),
        queryset=Community.objects.none(),
        required=False,
        empty_label=_("Not in this station's communities"),
    )
    background_group = forms.ModelChoiceField(
        label=_("Background"),
        queryset=BackgroundGroup.objects.none(),
        empty_label=_("Choose…"),
        help_text=_("What you do: resident, security guard, delivery rider, …"),
    )
    specialties = forms.MultipleChoiceField(
        label=_("Specialties"),
        choices=Specialty.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    availability = forms.MultipleChoiceField(
        label=_("When can you help?"),
        choices=AVAILABILITY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one time when you can help.")},
    )
    emergency_contact_name = forms.CharField(label=_("Emergency contact"), max_length=100)
    emergency_contact_phone = forms.CharField(
        label=_("Emergency contact's phone"),
        max_length=30,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    consent = forms.BooleanField(
        label=_("I agree to a background review by the police station before I volunteer."),
        error_messages={"required": _("Volunteering needs your consent to a background review.")},
    )

    def __init__(self, *args, tenant, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.user = user
        self.account_exists = False
        self.fields["home_community"].queryset = Community.objects.filter(tenant=tenant).order_by("name")
        self.fields["background_group"].queryset = selectors.background_group_list(tenant=tenant)
        if not user.is_authenticated:
            self.fields["password1"] = forms.CharField(
                label=_("Password"),
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                help_text=_("You log in with your phone number and this password."),
            )
            self.fields["password2"] = forms.CharField(
                label=_("Password again"),
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            )

    @property
    def creates_account(self) -> bool:
        return "password1" in self.fields

    def clean_id_number(self):
        return self.cleaned_data["id_number"].strip().upper()

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if Volunteer.objects.filter(tenant=self.tenant, phone=phone).exists():
            raise ValidationError(
                _("A volunteer with this phone number is already registered here."), code="phone_taken"
            )
        return phone

    def clean(self):
        cleaned = super().clean()
        if not self.creates_account:
            return cleaned
        phone = cleaned.get("phone")
        if phone:
            username = phone_username(phone)
            if get_user_model().objects.filter(username=username).exists():
                self.account_exists = True
                raise ValidationError(
                    _("An account with this phone number exists: log in first."), code="account_exists"
                )
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif password1 and phone:
            candidate = get_user_model()(
                username=phone_username(phone), full_name=cleaned.get("full_name", ""), phone=phone
            )
            try:
                password_validation.validate_password(password1, candidate)
            except ValidationError as err:
                self.add_error("password1", err)
        return cleaned

    def availability_grid(self):
        """Rows of the weekday × time-of-day grid: (weekday label, [(value, time label, checked)])."""
        chosen = set(self["availability"].value() or [])
        return [
            (
                day_label,
                [(f"{day}_{part}", part_label, f"{day}_{part}" in chosen) for part, part_label in DAYPARTS],
            )
            for day, day_label in WEEKDAYS
        ]

    def dayparts(self):
        return [label for _value, label in DAYPARTS]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "full_name": data["full_name"],
            "phone": data["phone"],
            "id_number": data["id_number"],
            "home_community": data.get("home_community"),
            "background_group": data.get("background_group"),
            "specialties": data.get("specialties", []),
            "availability": data.get("availability", []),
            "emergency_contact_name": data["emergency_contact_name"],
            "emergency_contact_phone": data["emergency_contact_phone"],
            "consent": data["consent"],
        }


# ---- screening ------------------------------------------------------------------------------------


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    """The service says why a reason is needed; the form only carries it."""

    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


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


class ClassifyForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=VolunteerRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


# ---- teams ----------------------------------------------------------------------------------------


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
            self.fields["grid_cells"].initial = list(
                GridCell.objects.filter(tenant=tenant, pk__in=self.instance.grid_cells.values("pk"))
            )

    def clean_name(self):
        # the form leaves ``tenant`` out, so Django would not check the per-station unique name
        name = self.cleaned_data["name"].strip()
        others = Team.objects.filter(tenant=self.tenant, name=name).exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(_("This station already has a team with this name."), code="unique")
        return name


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
        candidates = (
            Volunteer.objects.filter(tenant=tenant, status=Volunteer.Status.ACTIVE)
            .exclude(team_memberships__team=team)
            .select_related("home_community")
            .order_by("full_name", "pk")
        )
        self.candidate_count = 0
        choices = [("", field.empty_label)]
        for volunteer in candidates:
            label = volunteer.full_name
            if volunteer.home_community_id:
                label = f"{label} · {volunteer.home_community.name}"
            choices.append((volunteer.pk, label))
            self.candidate_count += 1
        field.choices = choices
