"""Filters of the patrols API (django-filter).

Filters are declared, not derived from model fields: deriving them queries the default manager,
which refuses to run outside a tenant scope."""

import django_filters
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from jointdefense.core.filters import IsoDateTimeFilter, LocalDayFilter

from .models import CheckIn, CheckInFlag, Checkpoint, Patrol, Route, Schedule, Shift, Signup, Tier


class RouteFilter(django_filters.FilterSet):
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label="tier")
    community = django_filters.CharFilter(field_name="community__slug", label="community short name")
    is_active = django_filters.BooleanFilter(label="routes in use (true) or retired (false)")

    class Meta:
        model = Route
        fields = []


class CheckpointFilter(django_filters.FilterSet):
    route = django_filters.NumberFilter(field_name="route_id", label="route id")
    is_active = django_filters.BooleanFilter(label="checkpoints in use")

    class Meta:
        model = Checkpoint
        fields = []


class ScheduleFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Schedule.Kind.choices, label="kind of schedule")
    route = django_filters.NumberFilter(field_name="route_id", label="route id")
    is_active = django_filters.BooleanFilter(label="active schedules")

    class Meta:
        model = Schedule
        fields = []


class ShiftFilter(django_filters.FilterSet):
    route = django_filters.NumberFilter(field_name="route_id", label="route id")
    team = django_filters.NumberFilter(field_name="team_id", label="team id")
    schedule = django_filters.NumberFilter(field_name="schedule_id", label="schedule id")
    tier = django_filters.ChoiceFilter(
        field_name="route__tier", choices=Tier.choices, label="tier of the route"
    )
    starts_after = IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte", label="starts at or after")
    starts_before = IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt", label="starts before")
    is_cancelled = django_filters.BooleanFilter(label="cancelled shifts")
    has_places = django_filters.BooleanFilter(method="filter_places", label="fewer people than needed (true)")

    class Meta:
        model = Shift
        fields = []

    def filter_places(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(signed_up__lt=F("headcount"))
            if value
            else queryset.filter(signed_up__gte=F("headcount"))
        )


class SignupFilter(django_filters.FilterSet):
    shift = django_filters.NumberFilter(field_name="shift_id", label="shift id")
    volunteer = django_filters.NumberFilter(field_name="volunteer_id", label="volunteer id")
    active = django_filters.BooleanFilter(
        field_name="withdrawn_at", lookup_expr="isnull", label="not withdrawn"
    )

    class Meta:
        model = Signup
        fields = []


class CheckInFilter(django_filters.FilterSet):
    review = django_filters.MultipleChoiceFilter(choices=CheckIn.Review.choices)
    flag = django_filters.ChoiceFilter(choices=CheckInFlag.choices, method="filter_flag", label="flag")
    patrol = django_filters.NumberFilter(field_name="patrol_id")
    volunteer = django_filters.NumberFilter(field_name="patrol__volunteer_id")
    since = IsoDateTimeFilter(field_name="device_time", lookup_expr="gte")
    until = IsoDateTimeFilter(field_name="device_time", lookup_expr="lt")

    class Meta:
        model = CheckIn
        fields = ["review", "flag", "patrol", "volunteer", "since", "until"]

    def filter_flag(self, queryset, name, value):
        return queryset.filter(flags__contains=[value])


class PatrolFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Patrol.Status.choices)
    volunteer = django_filters.NumberFilter(field_name="volunteer_id")
    route = django_filters.NumberFilter(field_name="route_id")
    tier = django_filters.ChoiceFilter(field_name="route__tier", choices=Tier.choices)
    since = IsoDateTimeFilter(field_name="started_at", lookup_expr="gte")
    until = IsoDateTimeFilter(field_name="started_at", lookup_expr="lt")

    class Meta:
        model = Patrol
        fields = ["status", "volunteer", "route", "tier", "since", "until"]


class CheckInReviewFilter(django_filters.FilterSet):
    """The check-in review page (``patrols:review-queue``): flagged check-ins by default; the
    dashboard's check-in figures link here with every review and the days their patrols started
    (``start``/``end``, the station's local days), so the list holds the check-ins they count."""

    review = django_filters.MultipleChoiceFilter(label=_("Review"), choices=CheckIn.Review.choices)
    start = LocalDayFilter(label=_("Patrols started from"), field_name="patrol__started_at", bound="start")
    end = LocalDayFilter(label=_("Patrols started until"), field_name="patrol__started_at", bound="end")

    class Meta:
        model = CheckIn
        fields = []
