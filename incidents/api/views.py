from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins

from jointdefense.core.api import StationViewSet

from .. import selectors
from ..filters import ReportFilter
from ..models import Report, ReportEvent, ReturnVisit
from .serializers import ReportDetailSerializer, ReportSerializer, ReturnVisitSerializer


class StationReportFilter(ReportFilter):
    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, tenant=request.tenant, **kwargs)


@extend_schema_view(
    list=extend_schema(summary="Reports of the station (officers)"),
    retrieve=extend_schema(summary="One report with its whole timeline (officers)"),
)
class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StationViewSet):
    model = Report
    station_permissions = {"*": "report.triage"}
    filterset_class = StationReportFilter

    def get_serializer_class(self):
        return ReportDetailSerializer if self.action == "retrieve" else ReportSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Report.objects.none()
        qs = selectors.triage_queue(tenant=self.request.tenant).order_by("-created_at")
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                Prefetch(
                    "events",
                    queryset=ReportEvent.objects.filter(tenant=self.request.tenant)
                    .select_related("actor")
                    .order_by("created_at"),
                )
            )
        return qs


@extend_schema_view(list=extend_schema(summary="Return visits of the station's reports (officers)"))
class ReturnVisitViewSet(mixins.ListModelMixin, StationViewSet):
    model = ReturnVisit
    serializer_class = ReturnVisitSerializer
    station_permissions = {"*": "report.triage"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReturnVisit.objects.none()
        return (
            ReturnVisit.objects.filter(tenant=self.request.tenant).select_related("report").order_by("due_at")
        )
