"""The application form. Forms validate input and hand the service its arguments
(``service_kwargs()``); the services write.

Choices that depend on the station (communities, background groups) are always restricted to the
form's ``tenant``, so another station's id is an invalid choice.
"""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jointdefense.tenancy.models import Community

from ..models import DAYPARTS, WEEKDAYS, BackgroundGroup, Specialty, Volunteer
from ..selectors.screening import background_group_list
from ..services.volunteers import phone_username
from ..validators import validate_id_number, validate_phone

AVAILABILITY_CHOICES = [
    (f"{day}_{part}", f"{day_label} {part_label}")
    for day, day_label in WEEKDAYS
    for part, part_label in DAYPARTS
]


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
        self.fields["background_group"].queryset = background_group_list(tenant=tenant)
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
        """The arguments of services.volunteers.volunteer_apply (with ``password`` when the form
        creates the account)."""
        data = self.cleaned_data
        return {
            "password": data["password1"] if self.creates_account else None,
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


class VolunteerEmailForm(forms.Form):
    """The e-mail of a volunteer's account (teams.services.volunteers.volunteer_email_set checks it
    is valid and nobody else's)."""

    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        help_text=_("Shift reminders, alerts and password resets are sent here."),
    )

    def service_kwargs(self) -> dict:
        return {"email": self.cleaned_data["email"]}
