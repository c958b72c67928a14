from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from jointdefense.core.api import StationViewSet

from .. import mediation, selectors
from ..filters import ReportFilter
from ..models import Mediation, MediationParty, MediationSession, Report, ReportEvent, ReturnVisit
from ..views_mediation import MediationFilter
from .serializers import (
    MediationDetailSerializer,
    MediationOutcomeInputSerializer,
    MediationSerializer,
    MediationSessionInputSerializer,
    MediationSessionSerializer,
    ReportDetailSerializer,
    ReportSerializer,
    ReturnVisitSerializer,
)


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


class StationMediationFilter(MediationFilter):
    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, tenant=request.tenant, **kwargs)


@extend_schema_view(
    list=extend_schema(summary="Mediations of the station (officers)"),
    retrieve=extend_schema(summary="One mediation with its parties and sessions (officers)"),
)
class MediationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StationViewSet):
    model = Mediation
    station_permissions = {"*": "mediation.manage"}
    filterset_class = StationMediationFilter

    def get_serializer_class(self):
        return MediationDetailSerializer if self.action == "retrieve" else MediationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Mediation.objects.none()
        tenant = self.request.tenant
        qs = mediation.mediation_list(tenant=tenant).order_by("-opened_at", "-pk")
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                Prefetch("parties", queryset=MediationParty.objects.filter(tenant=tenant)),
                Prefetch(
                    "sessions",
                    queryset=MediationSession.objects.filter(tenant=tenant).select_related("recorded_by"),
                ),
            )
        return qs

    @extend_schema(
        summary="Record a mediation session",
        request=MediationSessionInputSerializer,
        responses={201: MediationSessionSerializer},
    )
    @action(detail=True, methods=["post"])
    def sessions(self, request, *args, **kwargs):
        target = self.get_object()  # another station's mediation: 404 before any validation
        data = self._input(MediationSessionInputSerializer)
        session = mediation.mediation_session_add(mediation=target, actor=request.user, **data)
        return Response(MediationSessionSerializer(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record the outcome and close the mediation (final)",
        request=MediationOutcomeInputSerializer,
        responses={200: MediationDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def outcome(self, request, *args, **kwargs):
        target = self.get_object()
        data = self._input(MediationOutcomeInputSerializer)
        mediation.mediation_record_outcome(mediation=target, actor=request.user, **data)
        self.action = "retrieve"
        return Response(MediationDetailSerializer(self.get_object()).data)

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data
