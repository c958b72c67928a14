"""Forms of the planning pages. They validate input and hand ``service_kwargs()`` to the
patrols.services.planning function they feed, which writes.

Choices that depend on the station (communities, routes, teams, volunteers) are restricted to the
form's ``tenant``, so another station's id is an invalid choice. Drawn geometry is parsed by
patrols.forms.geo (never by GDAL)."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from jointdefense.tenancy.models import Community
from teams.models import Team, Volunteer

from ..models import Checkpoint, Route, Schedule, Shift, Tier
from ..services.planning import MAX_ROTATION_TEAMS, SCHEDULE_FIELDS
from .geo import LineGeoJSONField, PointGeoJSONField, SafeLeafletWidget

WEEKDAY_CHOICES = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]


class RouteForm(forms.ModelForm):
    path = LineGeoJSONField(
        label=_("Route"),
        widget=SafeLeafletWidget(attrs={"map_height": "420px"}),
        help_text=_("Draw the line along the streets walked or ridden, inside the station's area."),
    )
    community = forms.ModelChoiceField(
        label=_("Community"), queryset=Community.objects.none(), required=False
    )

    class Meta:
        model = Route
        fields = ["name", "tier", "community", "path", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.tenant = tenant
        self.fields["community"].queryset = Community.objects.filter(tenant=tenant).order_by("name")
        self.fields["community"].help_text = _(
            "Community and compound routes stay inside their community; a brigade route may cross several."
        )

    def _post_clean(self):
        # the service validates the route (geometry against the station and community, unique name)
        opts = self._meta
        self.instance = forms.models.construct_instance(self, self.instance, opts.fields, opts.exclude)

    def service_kwargs(self):
        """For ``route_save`` (with ``actor``)."""
        return {"route": self.instance}


class CheckpointForm(forms.ModelForm):
    location = PointGeoJSONField(
        label=_("Location"),
        widget=SafeLeafletWidget(attrs={"map_height": "320px"}),
        help_text=_("Tap the map where the QR code will hang."),
    )
    position = forms.IntegerField(
        label=_("Order on the route"),
        min_value=1,
        max_value=32000,
        required=False,
        help_text=_("Leave empty to add it after the last checkpoint."),
    )

    class Meta:
        model = Checkpoint
        fields = ["name", "position", "location", "radius_m", "is_active"]

    def _post_clean(self):
        opts = self._meta
        self.instance = forms.models.construct_instance(self, self.instance, opts.fields, opts.exclude)

    def service_kwargs(self):
        """For ``checkpoint_save`` (with ``actor``)."""
        return {"checkpoint": self.instance}


class ScheduleForm(forms.ModelForm):
    route = forms.ModelChoiceField(label=_("Route"), queryset=Route.objects.none())
    team = forms.ModelChoiceField(label=_("Team responsible"), queryset=Team.objects.none(), required=False)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Weekly schedules only."),
    )

    class Meta:
        model = Schedule
        fields = SCHEDULE_FIELDS
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.tenant = tenant
        teams = Team.objects.filter(tenant=tenant, is_active=True).order_by("name")
        self.fields["route"].queryset = Route.objects.filter(tenant=tenant, is_active=True).order_by("name")
        self.fields["team"].queryset = teams
        self.fields["team"].help_text = _("Daily and weekly schedules: the team responsible (optional).")
        current = []
        if self.instance.pk:
            current = [st.team_id for st in self.instance.rotation.all().order_by("position")]
        for n in range(1, MAX_ROTATION_TEAMS + 1):
            self.fields[f"turn_{n}"] = forms.ModelChoiceField(
                label=_("Rotation: turn %(n)d") % {"n": n},
                queryset=teams,
                required=False,
                initial=current[n - 1] if n <= len(current) else None,
            )
        self.fields["turn_1"].help_text = _(
            "Rotations only: the teams take consecutive shifts in this order."
        )

    def rotation(self):
        return [self.cleaned_data.get(f"turn_{n}") for n in range(1, MAX_ROTATION_TEAMS + 1)]

    def _post_clean(self):
        opts = self._meta
        self.instance = forms.models.construct_instance(self, self.instance, opts.fields, opts.exclude)

    def service_kwargs(self):
        """For ``schedule_save`` (with ``actor``)."""
        return {"schedule": self.instance, "rotation": self.rotation()}


class ShiftForm(forms.Form):
    """A one-off shift, in the station's local time (an end before the start is the next day)."""

    route = forms.ModelChoiceField(label=_("Route"), queryset=Route.objects.none())
    team = forms.ModelChoiceField(label=_("Team responsible"), queryset=Team.objects.none(), required=False)
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("Starts"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end = forms.TimeField(label=_("Ends"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    headcount = forms.IntegerField(label=_("People needed"), min_value=1, max_value=500, initial=2)

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.fields["route"].queryset = Route.objects.filter(tenant=tenant, is_active=True).order_by("name")
        self.fields["team"].queryset = Team.objects.filter(tenant=tenant, is_active=True).order_by("name")

    def times(self):
        """(starts_at, ends_at), aware, from the local day and wall-clock times."""
        tz = self.tenant.zoneinfo
        day = self.cleaned_data["day"]
        start = datetime.datetime.combine(day, self.cleaned_data["start"])
        end = datetime.datetime.combine(day, self.cleaned_data["end"])
        if end <= start:
            end += datetime.timedelta(days=1)
        return start.replace(tzinfo=tz), end.replace(tzinfo=tz)

    def service_kwargs(self):
        """For ``shift_create`` (with ``actor``): the one-off shift at the form's station."""
        starts_at, ends_at = self.times()
        shift = Shift(
            tenant=self.tenant,
            route=self.cleaned_data["route"],
            team=self.cleaned_data["team"],
            starts_at=starts_at,
            ends_at=ends_at,
            headcount=self.cleaned_data["headcount"],
        )
        return {"shift": shift}


class CoverageFilterForm(forms.Form):
    week = forms.DateField(
        label=_("Week from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    tier = forms.ChoiceField(label=_("Tier"), choices=[("", _("All tiers")), *Tier.choices], required=False)
    route = forms.ModelChoiceField(label=_("Route"), queryset=Route.objects.none(), required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)

    def __init__(self, *args, tenant, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["route"].queryset = Route.objects.filter(tenant=tenant).order_by("name")
        qs = Team.objects.filter(tenant=tenant).order_by("name")
        self.fields["team"].queryset = qs if teams is None else qs.filter(pk__in=teams)


class AssignVolunteerForm(forms.Form):
    volunteer = forms.ModelChoiceField(label=_("Volunteer"), queryset=Volunteer.objects.none())

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = Volunteer.objects.filter(
            tenant=tenant, status=Volunteer.Status.ACTIVE
        ).order_by("full_name")
        self.fields["volunteer"].label_from_instance = lambda v: f"{v.full_name} · {v.phone}"

    def service_kwargs(self):
        """For ``shift_assign`` (with ``shift`` and ``actor``)."""
        return {"volunteer": self.cleaned_data["volunteer"]}


class AssignTeamForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(tenant=tenant, is_active=True).order_by("name")

    def service_kwargs(self):
        """For ``shift_assign_team`` (with ``shift`` and ``actor``)."""
        return {"team": self.cleaned_data["team"]}


class HotspotForm(forms.Form):
    metres = forms.IntegerField(
        label=_("Within (metres)"), min_value=50, max_value=2000, initial=300, required=False
    )
