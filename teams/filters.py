"""Filters of the teams pages and API: the roster (shared by the roster pages and the API; choices
that depend on the station are filled from the request's station) and the API's lists of teams,
ledger entries, rewards and redemptions.

Filters are declared, never derived from model fields: deriving them would query the default
manager, which refuses to run outside a tenant scope (and would offer every model field)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jointdefense.core.filters import LocalDayFilter
from jointdefense.tenancy.models import Community

from .models import (
    DAYPARTS,
    WEEKDAYS,
    BackgroundGroup,
    ContributionKind,
    PointEntry,
    Redemption,
    Reward,
    Team,
    Volunteer,
    VolunteerRole,
)


class VolunteerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or phone"), method="filter_q")
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=Volunteer.Status.choices)
    role = django_filters.ChoiceFilter(label=_("Role"), choices=VolunteerRole.choices, method="filter_role")
    community = django_filters.ModelChoiceFilter(
        label=_("Community"), field_name="home_community", queryset=Community.objects.none()
    )
    background_group = django_filters.ModelChoiceFilter(
        label=_("Background"), queryset=BackgroundGroup.objects.none()
    )
    team = django_filters.ModelChoiceFilter(
        label=_("Team"), field_name="team_memberships__team", queryset=Team.objects.none(), distinct=True
    )
    weekday = django_filters.ChoiceFilter(
        label=_("Available on"), choices=WEEKDAYS, method="filter_availability"
    )
    daypart = django_filters.ChoiceFilter(
        label=_("Time of day"), choices=DAYPARTS, method="filter_availability"
    )
    # the dashboard's volunteer figures link here with these (the station's local days)
    background = django_filters.CharFilter(
        label=_("Background (short name)"), field_name="background_group__slug"
    )
    applied_start = LocalDayFilter(label=_("Applied from"), field_name="applied_at", bound="start")
    applied_end = LocalDayFilter(label=_("Applied until"), field_name="applied_at", bound="end")
    active_by = LocalDayFilter(label=_("Active by the end of"), field_name="activated_at", bound="end")

    class Meta:
        model = Volunteer
        fields = []

    def __init__(self, data=None, *args, tenant=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        tenant = tenant or getattr(self.request, "tenant", None)
        if tenant is not None:
            self.filters["community"].queryset = Community.objects.filter(tenant=tenant).order_by("name")
            self.filters["background_group"].queryset = BackgroundGroup.objects.filter(tenant=tenant)
            self.filters["team"].queryset = Team.objects.filter(tenant=tenant).order_by("name")

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(full_name__icontains=value) | Q(phone__contains=value)) if value else queryset
        )

    def filter_role(self, queryset, name, value):
        return queryset.filter(roles__contains=[value])

    def filter_availability(self, queryset, name, value):
        # applied once for both fields: weekday and/or time of day
        weekday = self.form.cleaned_data.get("weekday")
        daypart = self.form.cleaned_data.get("daypart")
        if name == "daypart" and weekday:
            return queryset  # handled with the weekday
        days = [weekday] if weekday else [d for d, _l in WEEKDAYS]
        parts = [daypart] if daypart else [p for p, _l in DAYPARTS]
        return queryset.filter(availability__overlap=[f"{d}_{p}" for d in days for p in parts])


class TeamFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(choices=Team.Type.choices, label="team type")
    community = django_filters.CharFilter(field_name="home_community__slug", label="community short name")
    is_active = django_filters.BooleanFilter(label="active teams only (true) or inactive only (false)")

    class Meta:
        model = Team
        fields = []


class PointEntryFilter(django_filters.FilterSet):
    volunteer = django_filters.NumberFilter(field_name="volunteer_id", label="volunteer id")
    kind = django_filters.ChoiceFilter(choices=PointEntry.Kind.choices, label="kind of entry")
    contribution = django_filters.ChoiceFilter(choices=ContributionKind.choices, label="contribution")
    start = LocalDayFilter(field_name="created_at", bound="start", label="dated from (a local day)")
    end = LocalDayFilter(field_name="created_at", bound="end", label="dated until (a local day)")

    class Meta:
        model = PointEntry
        fields = []


class RewardFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Reward.Kind.choices, label="kind of reward")

    class Meta:
        model = Reward
        fields = []


class RedemptionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Redemption.Status.choices, label="status")
    volunteer = django_filters.NumberFilter(field_name="volunteer_id", label="volunteer id")

    class Meta:
        model = Redemption
        fields = []


class LedgerFilter(django_filters.FilterSet):
    """The station's points ledger page (``teams:ledger``): the dashboard's points figures link
    here with the kind of entry and the period's local days, so the page holds the entries they
    count."""

    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=PointEntry.Kind.choices)
    contribution = django_filters.ChoiceFilter(label=_("Contribution"), choices=ContributionKind.choices)
    start = LocalDayFilter(label=_("From"), field_name="created_at", bound="start")
    end = LocalDayFilter(label=_("Until"), field_name="created_at", bound="end")

    class Meta:
        model = PointEntry
        fields = []
