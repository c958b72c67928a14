"""Filters of the officers' lists (pages and API): reports and mediations."""

from datetime import timedelta

import django_filters
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jointdefense.core.filters import LocalDayFilter
from jointdefense.core.periods import local_midnight
from jointdefense.tenancy.models import Community, GridCell

from .models import Category, Mediation, Report, ReportEvent
from .selectors.mediation import mediator_choices, mediator_split


class ReportFilter(django_filters.FilterSet):
    # no DISTINCT: a status filter on one column cannot duplicate rows, and DISTINCT over a
    # million reports (geometry included) costs a sort
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=Report.Status.choices, distinct=False
    )
    category = django_filters.ModelChoiceFilter(label=_("Category"), queryset=Category.objects.none())
    community = django_filters.ModelChoiceFilter(label=_("Community"), queryset=Community.objects.none())
    # the dashboard's heat-map breakdown links here, one row per grid cell
    grid_cell = django_filters.ModelChoiceFilter(label=_("Grid cell"), queryset=GridCell.objects.none())
    priority = django_filters.ChoiceFilter(label=_("Priority"), choices=Report.Priority.choices)
    older_than = django_filters.NumberFilter(
        label=_("Older than (days)"), method="filter_older", min_value=0, max_value=36500
    )
    # the dashboard's figures link here with these (days in the station's time zone)
    start = LocalDayFilter(label=_("Reported from"), field_name="created_at", bound="start")
    end = LocalDayFilter(label=_("Reported until"), field_name="created_at", bound="end")
    kind = django_filters.ChoiceFilter(
        label=_("Kind of category"), field_name="category__kind", choices=Category.Kind.choices
    )
    clue = django_filters.ChoiceFilter(
        label=_("Value of the clue"),
        method="filter_clue",
        choices=[("valuable", _("Valuable or helped solve a case"))],
    )
    resolved_start = LocalDayFilter(label=_("Resolved from"), method="filter_noop", bound="start")
    resolved_end = LocalDayFilter(label=_("Resolved until"), method="filter_noop", bound="end")

    class Meta:
        model = Report
        fields = []

    def filter_noop(self, queryset, name, value):
        return queryset  # read together in filter_queryset

    def filter_clue(self, queryset, name, value):
        return queryset.exclude(clue_value="") if value == "valuable" else queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        first, last = self.form.cleaned_data.get("resolved_start"), self.form.cleaned_data.get("resolved_end")
        if first or last:
            queryset = queryset.filter(Exists(resolved_events(first, last)))
        return queryset

    def __init__(self, data=None, *args, tenant, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["category"].queryset = Category.objects.filter(tenant=tenant)
        self.filters["community"].queryset = Community.objects.filter(tenant=tenant).order_by("name")
        self.filters["grid_cell"].queryset = GridCell.objects.filter(tenant=tenant).order_by("code")

    def filter_older(self, queryset, name, value):
        return queryset.filter(created_at__lte=timezone.now() - timedelta(days=int(value)))


def resolved_events(first, last):
    """The status events that resolved or closed the outer report in the days [first, last]."""
    tz = timezone.get_current_timezone()
    events = ReportEvent.objects.filter(
        tenant=OuterRef("tenant"),
        report=OuterRef("pk"),
        kind=ReportEvent.Kind.STATUS,
        to_status__in=[Report.Status.RESOLVED, Report.Status.CLOSED],
    )
    if first:
        events = events.filter(created_at__gte=local_midnight(first, tz))
    if last:
        events = events.filter(created_at__lt=local_midnight(last + timedelta(days=1), tz))
    return events


class StationReportFilter(ReportFilter):
    """:class:`ReportFilter` for the API (django-filter's backend passes the request)."""

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, tenant=request.tenant, **kwargs)


class MediationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Mediation.Status.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind of dispute"), choices=Mediation.Kind.choices)
    community = django_filters.ModelChoiceFilter(label=_("Community"), queryset=Community.objects.none())
    mediator = django_filters.ChoiceFilter(label=_("Mediator"), method="filter_mediator")
    # the dashboard's figures link here with these (days in the station's time zone)
    start = LocalDayFilter(label=_("Opened from"), field_name="opened_at", bound="start")
    end = LocalDayFilter(label=_("Opened until"), field_name="opened_at", bound="end")
    closed_start = LocalDayFilter(label=_("Closed from"), field_name="closed_at", bound="start")
    closed_end = LocalDayFilter(label=_("Closed until"), field_name="closed_at", bound="end")
    outcome = django_filters.ChoiceFilter(
        label=_("Outcome"), method="filter_outcome", choices=[("settled", _("Settled, fully or partly"))]
    )

    class Meta:
        model = Mediation
        fields = []

    def filter_outcome(self, queryset, name, value):
        return queryset.filter(status__in=Mediation.SETTLED_STATUSES) if value == "settled" else queryset

    def __init__(self, data=None, *args, tenant, with_mediator=True, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["community"].queryset = Community.objects.filter(tenant=tenant).order_by("name")
        if with_mediator:
            self.filters["mediator"].extra["choices"] = mediator_choices(tenant)
        else:
            del self.filters["mediator"]

    def filter_mediator(self, queryset, name, value: str):
        kind, pk = mediator_split(value)
        if kind == "officer":
            return queryset.filter(mediator_officer_id=pk)
        if kind == "volunteer":
            return queryset.filter(mediator_volunteer_id=pk)
        return queryset


class StationMediationFilter(MediationFilter):
    """:class:`MediationFilter` for the API (django-filter's backend passes the request)."""

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, tenant=request.tenant, **kwargs)
