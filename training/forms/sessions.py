"""Forms of the session pages: a session (course, time in the station's time zone, a pin on the
map, a place name or an online link, trainer, places), enrolling a volunteer or a whole team,
recording a session's attendance on one page, revoking a certificate and the QR check-in.

Choices that depend on the station are restricted to the form's ``tenant``, so another station's
id is an invalid choice. The services (training.services.*) write and refuse what breaks the rules."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jointdefense.tenancy.models import Role
from teams.models import Team, Volunteer, VolunteerRole

from ..models import Course, Enrolment, TrainingSession
from .geo import PointGeoJSONField, SafeLeafletWidget

SESSION_FIELDS = [
    "course",
    "starts_at",
    "ends_at",
    "capacity",
    "place_name",
    "location",
    "checkin_radius_m",
    "online_url",
    "trainer",
]
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def trainer_queryset(tenant):
    """Who may give a session: the station's officers and chief, and its trainer volunteers."""
    return (
        get_user_model()
        .objects.filter(
            Q(
                memberships__tenant=tenant,
                memberships__is_active=True,
                memberships__roles__overlap=[Role.OFFICER, Role.CHIEF],
            )
            | Q(
                volunteerings__tenant=tenant,
                volunteerings__roles__contains=[VolunteerRole.TRAINER],
            )
        )
        .distinct()
        .order_by("full_name", "username")
    )


class TrainerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name or obj.username


class SessionForm(forms.ModelForm):
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none())
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )
    location = PointGeoJSONField(
        label=_("Location"),
        required=False,
        widget=SafeLeafletWidget(attrs={"map_height": "320px"}),
        help_text=_("Tap the map where the session is held; leave it empty for an online session."),
    )
    trainer = TrainerChoiceField(label=_("Trainer"), queryset=None, required=False)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")

    class Meta:
        model = TrainingSession
        fields = SESSION_FIELDS

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.fields["course"].queryset = Course.objects.filter(tenant=tenant, is_active=True).order_by("name")
        self.fields["trainer"].queryset = trainer_queryset(tenant)
        self.fields["trainer"].help_text = _(
            "An officer of the station or a volunteer with the trainer role."
        )

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The session must end after it starts."))
        if not (data.get("location") or data.get("place_name") or data.get("online_url")):
            raise forms.ValidationError(
                _("Give the session a place on the map, a place name or an online link.")
            )
        return data

    def _post_clean(self):
        pass  # the service validates and saves

    def service_kwargs(self) -> dict:
        """For ``session_create`` (with ``tenant`` and ``actor``) or ``session_update`` (``session``)."""
        fields = {name: self.cleaned_data[name] for name in SESSION_FIELDS if name != "checkin_radius_m"}
        fields["location"] = self.cleaned_data["location"]
        if self.instance.pk:
            fields["checkin_radius_m"] = self.cleaned_data["checkin_radius_m"]
            return {"session": self.instance, **fields}
        return {"tenant": self.tenant, **fields}


class EnrolVolunteerForm(forms.Form):
    volunteer = forms.ModelChoiceField(label=_("Volunteer"), queryset=Volunteer.objects.none())

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = Volunteer.objects.filter(
            tenant=tenant, status__in=[Volunteer.Status.APPROVED, Volunteer.Status.ACTIVE]
        ).order_by("full_name")


class EnrolTeamForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(tenant=tenant, is_active=True).order_by("name")


class AttendanceRowForm(forms.Form):
    """One enrolled volunteer's row of the attendance page."""

    enrolment = forms.IntegerField(widget=forms.HiddenInput)
    attendance = forms.ChoiceField(
        label=_("Attendance"),
        choices=[
            (Enrolment.Attendance.PRESENT, Enrolment.Attendance.PRESENT.label),
            (Enrolment.Attendance.ABSENT, Enrolment.Attendance.ABSENT.label),
            (Enrolment.Attendance.EXCUSED, Enrolment.Attendance.EXCUSED.label),
        ],
        widget=forms.RadioSelect,
    )
    result = forms.ChoiceField(
        label=_("Result"),
        choices=[
            ("", _("—")),
            (Enrolment.Result.PASSED, _("Passed")),
            (Enrolment.Result.FAILED, _("Failed")),
        ],
        required=False,
    )
    score = forms.IntegerField(label=_("Score"), min_value=0, max_value=32000, required=False)


class BaseAttendanceFormSet(forms.BaseFormSet):
    def __init__(self, *args, enrolments, **kwargs):
        self.enrolments = {e.pk: e for e in enrolments}
        kwargs.setdefault(
            "initial",
            [
                {
                    "enrolment": e.pk,
                    "attendance": e.attendance if e.attendance != Enrolment.Attendance.UNRECORDED else None,
                    "result": e.result if e.result != Enrolment.Result.PENDING else "",
                    "score": e.score,
                }
                for e in enrolments
            ],
        )
        super().__init__(*args, **kwargs)
        for form in self.forms:
            enrolment = self.enrolments.get(form.initial.get("enrolment"))
            form.enrolment_row = enrolment
            if enrolment is not None:
                name = enrolment.volunteer.full_name
                form.fields["attendance"].label = _("Attendance of %(name)s") % {"name": name}
                form.fields["result"].label = _("Result of %(name)s") % {"name": name}
                form.fields["score"].label = _("Score of %(name)s") % {"name": name}

    def rows(self) -> list[dict]:
        """For ``attendance_record``: one dict per row (the view makes them AttendanceRows)."""
        return [
            {
                "enrolment_id": f.cleaned_data["enrolment"],
                "attendance": f.cleaned_data["attendance"],
                "result": f.cleaned_data.get("result") or None,
                "score": f.cleaned_data.get("score"),
            }
            for f in self.forms
        ]


AttendanceFormSet = forms.formset_factory(
    AttendanceRowForm, formset=BaseAttendanceFormSet, extra=0, max_num=2000, validate_max=True
)


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the certificate revoked?"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )


class CheckInForm(forms.Form):
    """The QR check-in: the phone's location, when the volunteer allowed it."""

    lat = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=-180, max_value=180)

    def location(self):
        lat, lng = self.cleaned_data.get("lat"), self.cleaned_data.get("lng")
        if lat is None or lng is None:
            return None
        return Point(lng, lat, srid=4326)
