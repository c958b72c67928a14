from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from jointdefense.tenancy.api.base import StationViewSet

from ..filters import StationMediationFilter, StationReportFilter
from ..models import Mediation, Report, ReturnVisit
from ..selectors.mediation import mediation_list, mediation_with_details
from ..selectors.return_visits import return_visit_list
from ..selectors.triage import report_events_prefetch, triage_queue
from ..services.duplicates import report_merge_with
from ..services.mediation import mediation_record_outcome, mediation_session_add
from ..services.return_visits import return_visit_record
from ..services.triage import report_assign_by_ids, report_comment, report_transition
from . import serializers as s
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


def _action(summary, request_serializer):
    return extend_schema(
        summary=summary,
        request=request_serializer,
        responses={200: ReportDetailSerializer, 400: OpenApiResponse(description="Refused, with the reason")},
    )


def _valid(serializer_class, request) -> dict[str, Any]:
    """The input serializer's ``service_kwargs()`` for the service it feeds (400 when invalid)."""
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.service_kwargs()


@extend_schema_view(list=extend_schema(summary="Return visits of the station's reports (officers)"))
class ReturnVisitViewSet(mixins.ListModelMixin, StationViewSet):
    model = ReturnVisit
    serializer_class = ReturnVisitSerializer
    station_permissions = {"*": "report.triage"}

    @extend_schema(
        summary="Record a return visit as made",
        request=s.VisitInputSerializer,
        responses={200: ReturnVisitSerializer, 400: OpenApiResponse(description="Refused, with the reason")},
    )
    @action(detail=True, methods=["post"])
    def record(self, request, station=None, pk=None):
        visit = self.get_object()  # another station's visit is a 404 before any validation
        kwargs = _valid(s.VisitInputSerializer, request)
        visit = return_visit_record(visit=visit, actor=request.user, **kwargs)
        return Response(self.get_serializer(self.get_queryset().get(pk=visit.pk)).data)

    def station_queryset(self) -> QuerySet[ReturnVisit]:
        return return_visit_list(tenant=self.tenant)


@extend_schema_view(
    list=extend_schema(summary="Reports of the station (officers)"),
    retrieve=extend_schema(summary="One report with its whole timeline (officers)"),
)
class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StationViewSet):
    """Officers' reports. Actions go through the same services as the case page: the same checks,
    the same audit trail, the same notifications to the reporter."""

    model = Report
    station_permissions = {"*": "report.triage"}
    filterset_class = StationReportFilter

    def _answer(self, report):
        report = (
            self.get_queryset().prefetch_related(report_events_prefetch(tenant=self.tenant)).get(pk=report.pk)
        )
        return Response(ReportDetailSerializer(report, context={"request": self.request}).data)

    @_action("Move a report along its status flow", s.TransitionInputSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, station=None, pk=None):
        report = self.get_object()  # another station's report is a 404 before any validation
        kwargs = _valid(s.TransitionInputSerializer, request)
        return self._answer(report_transition(report=report, actor=request.user, **kwargs))

    @_action("Assign a report to an officer, a team and/or a grid worker", s.ReportAssignInputSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, station=None, pk=None):
        report = self.get_object()
        kwargs = _valid(s.ReportAssignInputSerializer, request)
        return self._answer(report_assign_by_ids(report=report, actor=request.user, **kwargs))

    @_action("Add a public update (sent to the reporter) or an internal note", s.CommentInputSerializer)
    @action(detail=True, methods=["post"])
    def comment(self, request, station=None, pk=None):
        report = self.get_object()
        kwargs = _valid(s.CommentInputSerializer, request)
        report_comment(report=report, actor=request.user, **kwargs)
        return self._answer(report)

    @_action("Join this report to another report of the same incident", s.MergeInputSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, station=None, pk=None):
        duplicate = self.get_object()
        kwargs = _valid(s.MergeInputSerializer, request)
        return self._answer(report_merge_with(report=duplicate, actor=request.user, **kwargs))

    def get_serializer_class(self):
        return ReportDetailSerializer if self.action == "retrieve" else ReportSerializer

    def station_queryset(self) -> QuerySet[Report]:
        qs = triage_queue(tenant=self.tenant).order_by("-created_at")
        if self.action == "retrieve":
            qs = qs.prefetch_related(report_events_prefetch(tenant=self.tenant))
        return qs


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

    def station_queryset(self) -> QuerySet[Mediation]:
        qs = mediation_list(tenant=self.tenant).order_by("-opened_at", "-pk")
        return mediation_with_details(qs, tenant=self.tenant) if self.action == "retrieve" else qs

    @extend_schema(
        summary="Record a mediation session",
        request=MediationSessionInputSerializer,
        responses={201: MediationSessionSerializer},
    )
    @action(detail=True, methods=["post"])
    def sessions(self, request, *args, **kwargs):
        target = self.get_object()  # another station's mediation: 404 before any validation
        data = _valid(MediationSessionInputSerializer, request)
        session = mediation_session_add(mediation=target, actor=request.user, **data)
        return Response(MediationSessionSerializer(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record the outcome and close the mediation (final)",
        request=MediationOutcomeInputSerializer,
        responses={200: MediationDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def outcome(self, request, *args, **kwargs):
        target = self.get_object()
        data = _valid(MediationOutcomeInputSerializer, request)
        mediation_record_outcome(mediation=target, actor=request.user, **data)
        detail = mediation_with_details(self.get_queryset(), tenant=self.tenant).get(pk=target.pk)
        return Response(MediationDetailSerializer(detail).data)
