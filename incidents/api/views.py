from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from jointdefense.core.api import validated
from jointdefense.tenancy.api.base import StationViewSet

from .. import mediation, selectors, services
from ..errors import ReportError
from ..filters import ReportFilter
from ..models import Mediation, MediationParty, MediationSession, Report, ReportEvent, ReturnVisit
from ..views_mediation import MediationFilter
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


class StationReportFilter(ReportFilter):
    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, tenant=request.tenant, **kwargs)


def _events(tenant):
    return Prefetch(
        "events",
        queryset=ReportEvent.objects.filter(tenant=tenant)
        .select_related("actor")
        .order_by("created_at", "pk"),
    )


def _action(summary, request_serializer):
    return extend_schema(
        summary=summary,
        request=request_serializer,
        responses={200: ReportDetailSerializer, 400: OpenApiResponse(description="Refused, with the reason")},
    )


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
        data = validated(s.VisitInputSerializer, request)
        visit = services.return_visit_record(visit=visit, actor=request.user, notes=data["notes"])
        return Response(self.get_serializer(self.get_queryset().get(pk=visit.pk)).data)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReturnVisit.objects.none()
        return (
            ReturnVisit.objects.filter(tenant=self.request.tenant).select_related("report").order_by("due_at")
        )


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
        report = self.get_queryset().prefetch_related(_events(self.request.tenant)).get(pk=report.pk)
        return Response(ReportDetailSerializer(report, context={"request": self.request}).data)

    @_action("Move a report along its status flow", s.TransitionInputSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, station=None, pk=None):
        report = self.get_object()  # another station's report is a 404 before any validation
        data = validated(s.TransitionInputSerializer, request)
        report = services.report_transition(
            report=report,
            actor=request.user,
            to=data["to"],
            public_text=data["public_text"],
            priority=data.get("priority") or None,
        )
        return self._answer(report)

    @_action("Assign a report to an officer, a team and/or a grid worker", s.ReportAssignInputSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, station=None, pk=None):
        from django.contrib.auth import get_user_model

        from teams.models import Team

        report = self.get_object()
        data = validated(s.ReportAssignInputSerializer, request)
        users = get_user_model().objects
        people = {}
        for field in ("officer", "grid_worker"):
            if data.get(field) is not None:
                people[field] = users.filter(pk=data[field]).first()
                if people[field] is None:
                    raise ReportError(_("Choose a member of this station."), field=field, code="assignee")
        team = None
        if data.get("team") is not None:
            team = Team.objects.filter(tenant=request.tenant, pk=data["team"]).first()
            if team is None:
                raise ReportError(_("Choose a team of this station."), field="team", code="assignee")
        report = services.report_assign(report=report, actor=request.user, team=team, **people)
        return self._answer(report)

    @_action("Add a public update (sent to the reporter) or an internal note", s.CommentInputSerializer)
    @action(detail=True, methods=["post"])
    def comment(self, request, station=None, pk=None):
        report = self.get_object()
        data = validated(s.CommentInputSerializer, request)
        services.report_comment(report=report, actor=request.user, text=data["text"], public=data["public"])
        return self._answer(report)

    @_action("Join this report to another report of the same incident", s.MergeInputSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, station=None, pk=None):
        duplicate = self.get_object()
        data = validated(s.MergeInputSerializer, request)
        into = self.get_queryset().filter(pk=data["into"]).first()
        if into is None:
            raise ReportError(
                _("Choose another report of this station to merge with."), field="into", code="merge"
            )
        return self._answer(services.report_merge(duplicate=duplicate, into=into, actor=request.user))

    def get_serializer_class(self):
        return ReportDetailSerializer if self.action == "retrieve" else ReportSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Report.objects.none()
        qs = selectors.triage_queue(tenant=self.request.tenant).order_by("-created_at")
        if self.action == "retrieve":
            qs = qs.prefetch_related(_events(self.request.tenant))
        return qs


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
        qs = mediation.mediation_list(tenant=self.request.tenant).order_by("-opened_at", "-pk")
        return self._with_details(qs) if self.action == "retrieve" else qs

    def _with_details(self, qs):
        tenant = self.request.tenant
        return qs.prefetch_related(
            Prefetch("parties", queryset=MediationParty.objects.filter(tenant=tenant)),
            Prefetch(
                "sessions",
                queryset=MediationSession.objects.filter(tenant=tenant).select_related("recorded_by"),
            ),
        )

    @extend_schema(
        summary="Record a mediation session",
        request=MediationSessionInputSerializer,
        responses={201: MediationSessionSerializer},
    )
    @action(detail=True, methods=["post"])
    def sessions(self, request, *args, **kwargs):
        target = self.get_object()  # another station's mediation: 404 before any validation
        data = validated(MediationSessionInputSerializer, request)
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
        data = validated(MediationOutcomeInputSerializer, request)
        mediation.mediation_record_outcome(mediation=target, actor=request.user, **data)
        return Response(
            MediationDetailSerializer(self._with_details(self.get_queryset()).get(pk=target.pk)).data
        )
