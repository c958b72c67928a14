"""Filters of the officers' lists (pages and API): reports, return visits and mediations."""

from datetime import timedelta

import django_filters
from django.db.models import DateTimeField, Exists, F, Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jointdefense.core.filters import LocalDayFilter
from jointdefense.core.forms import QuickSelect
from jointdefense.core.periods import local_midnight
from jointdefense.tenancy.models import Community, GridCell

from .models import Category, Mediation, Report, ReportEvent, ReturnVisit
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
    grid_cell = django_filters.ModelChoiceFilter(
        label=_("Grid cell"), queryset=GridCell.objects.none(), widget=QuickSelect
    )
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
        choices=[("valuable", _("Valuable or helped solve a case")), ("case", _("Helped solve a case"))],
    )
    # the reports behind the times to triage and to resolve
    triaged = django_filters.ChoiceFilter(
        label=_("Triaged"), method="filter_triaged", choices=[("yes", _("Triaged since"))]
    )
    resolved = django_filters.ChoiceFilter(
        label=_("Resolved"), method="filter_resolved", choices=[("yes", _("Resolved since"))]
    )
    resolved_start = LocalDayFilter(label=_("Resolved from"), method="filter_noop", bound="start")
    resolved_end = LocalDayFilter(label=_("Resolved until"), method="filter_noop", bound="end")

    class Meta:
        model = Report
        fields = []

    def filter_noop(self, queryset, name, value):
        return queryset  # read together in filter_queryset

    def filter_clue(self, queryset, name, value):
        if value == "case":
            return queryset.filter(clue_value="case")
        return queryset.exclude(clue_value="") if value == "valuable" else queryset

    def filter_triaged(self, queryset, name, value):
        return queryset.filter(Exists(status_events(from_status=Report.Status.NEW))) if value else queryset

    def filter_resolved(self, queryset, name, value):
        return queryset.filter(Exists(status_events(to_status=Report.Status.RESOLVED))) if value else queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        first, last = self.form.cleaned_data.get("resolved_start"), self.form.cleaned_data.get("resolved_end")
        if first or last:
            queryset = queryset.annotate(
                last_resolved=Subquery(last_resolutions(), output_field=DateTimeField())
            )
            tz = timezone.get_current_timezone()
            if first:
                queryset = queryset.filter(last_resolved__gte=local_midnight(first, tz))
            if last:
                queryset = queryset.filter(last_resolved__lt=local_midnight(last + timedelta(days=1), tz))
        return queryset

    def __init__(self, data=None, *args, tenant, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["category"].queryset = Category.objects.filter(tenant=tenant)
        self.filters["community"].queryset = (
            Community.objects.filter(tenant=tenant).defer("boundary").order_by("name")
        )
        self.filters["grid_cell"].queryset = (
            GridCell.objects.filter(tenant=tenant).defer("boundary").order_by("code")
        )

    def filter_older(self, queryset, name, value):
        return queryset.filter(created_at__lte=timezone.now() - timedelta(days=int(value)))


def status_events(**which):
    """The outer report's status changes (``which``: from or to a status)."""
    return ReportEvent.objects.filter(
        tenant=OuterRef("tenant"), report=OuterRef("pk"), kind=ReportEvent.Kind.STATUS, **which
    )


def last_resolutions():
    """When the outer report was last resolved: "resolved in the days" reads this (a report
    reopened and resolved again counts on its last resolution, as the figures do)."""
    return (
        status_events(to_status=Report.Status.RESOLVED)
        .order_by()
        .values("report")
        .annotate(at=Max("created_at"))
        .values("at")
    )


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
        self.filters["community"].queryset = (
            Community.objects.filter(tenant=tenant).defer("boundary").order_by("name")
        )
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


class ReturnVisitFilter(django_filters.FilterSet):
    """The return visits behind the dashboard's figures: due, rated or opened in local days, made
    on time or late (made after the due date, or not made and past it now)."""

    level = django_filters.ChoiceFilter(label=_("Level"), choices=ReturnVisit.Level.choices)
    state = django_filters.ChoiceFilter(
        label=_("Made"),
        method="filter_state",
        choices=[
            ("on_time", _("On time")),
            ("late", _("Late, or not made and past due")),
            ("open", _("Not made yet")),
        ],
    )
    rating = django_filters.ChoiceFilter(
        label=_("Resident's rating"),
        method="filter_rating",
        choices=[("any", _("Rated")), *ReturnVisit.Rating.choices],
    )
    escalated = django_filters.ChoiceFilter(
        label=_("Escalated"), method="filter_escalated", choices=[("yes", _("Chief or bureau"))]
    )
    start = LocalDayFilter(label=_("Due from"), field_name="due_at", bound="start")
    end = LocalDayFilter(label=_("Due until"), field_name="due_at", bound="end")
    rated_start = LocalDayFilter(label=_("Rated from"), field_name="rated_at", bound="start")
    rated_end = LocalDayFilter(label=_("Rated until"), field_name="rated_at", bound="end")
    opened_start = LocalDayFilter(label=_("Opened from"), field_name="created_at", bound="start")
    opened_end = LocalDayFilter(label=_("Opened until"), field_name="created_at", bound="end")

    class Meta:
        model = ReturnVisit
        fields = []

    def filter_state(self, queryset, name, value):
        if value == "on_time":
            return queryset.filter(visited_at__isnull=False, visited_at__lte=F("due_at"))
        if value == "late":
            return queryset.filter(
                Q(visited_at__gt=F("due_at")) | Q(visited_at__isnull=True, due_at__lt=timezone.now())
            )
        return queryset.filter(visited_at__isnull=True) if value == "open" else queryset

    def filter_rating(self, queryset, name, value):
        if value == "any":
            return queryset.exclude(rating="").filter(rated_at__isnull=False)
        return queryset.filter(rating=value) if value else queryset

    def filter_escalated(self, queryset, name, value):
        return queryset.exclude(level=ReturnVisit.Level.OFFICER) if value else queryset
