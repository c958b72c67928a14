from datetime import timedelta

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jointdefense.tenancy.models import Community

from .models import Category, Report


class ReportFilter(django_filters.FilterSet):
    # no DISTINCT: a status filter on one column cannot duplicate rows, and DISTINCT over a
    # million reports (geometry included) costs a sort
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=Report.Status.choices, distinct=False
    )
    category = django_filters.ModelChoiceFilter(label=_("Category"), queryset=Category.objects.none())
    community = django_filters.ModelChoiceFilter(label=_("Community"), queryset=Community.objects.none())
    priority = django_filters.ChoiceFilter(label=_("Priority"), choices=Report.Priority.choices)
    older_than = django_filters.NumberFilter(label=_("Older than (days)"), method="filter_older", min_value=0)

    class Meta:
        model = Report
        fields = []

    def __init__(self, data=None, *args, tenant, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["category"].queryset = Category.objects.filter(tenant=tenant)
        self.filters["community"].queryset = Community.objects.filter(tenant=tenant).order_by("name")

    def filter_older(self, queryset, name, value):
        return queryset.filter(created_at__lte=timezone.now() - timedelta(days=int(value)))
