"""Filters of the officers' lists (pages and API): reports and mediations."""

from datetime import timedelta

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jointdefense.tenancy.models import Community

from .models import Category, Mediation, Report
from .selectors.mediation import mediator_choices, mediator_split


class ReportFilter(django_filters.FilterSet):
    # no DISTINCT: a status filter on one column cannot duplicate rows, and DISTINCT over a
    # million reports (geometry included) costs a sort
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=Report.Status.choices, distinct=False
    )
    category = django_filters.ModelChoiceFilter(label=_("Category"), queryset=Category.objects.none())
    community = django_filters.ModelChoiceFilter(label=_("Community"), queryset=Community.objects.none())
    priority = django_filters.ChoiceFilter(label=_("Priority"), choices=Report.Priority.choices)
    older_than = django_filters.NumberFilter(
        label=_("Older than (days)"), method="filter_older", min_value=0, max_value=36500
    )

    class Meta:
        model = Report
        fields = []

    def __init__(self, data=None, *args, tenant, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["category"].queryset = Category.objects.filter(tenant=tenant)
        self.filters["community"].queryset = Community.objects.filter(tenant=tenant).order_by("name")

    def filter_older(self, queryset, name, value):
        return queryset.filter(created_at__lte=timezone.now() - timedelta(days=int(value)))


class StationReportFilter(ReportFilter):
    """:class:`ReportFilter` for the API (django-filter's backend passes the request)."""

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, tenant=request.tenant, **kwargs)


class MediationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Mediation.Status.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind of dispute"), choices=Mediation.Kind.choices)
    community = django_filters.ModelChoiceFilter(label=_("Community"), queryset=Community.objects.none())
    mediator = django_filters.ChoiceFilter(label=_("Mediator"), method="filter_mediator")

    class Meta:
        model = Mediation
        fields = []

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
