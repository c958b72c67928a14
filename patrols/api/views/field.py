"""API of patrols in the field: check-ins (the phone posts one, or a batch from its offline queue,
idempotent by ``client_id``; officers list, filter and review them) and patrols (officers: list with
hours, detail, the duty board)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from jointdefense.tenancy.api.base import StationViewSet
from teams.selectors.volunteers import volunteer_for_user

from ...errors import PatrolError
from ...filters import CheckInFilter, PatrolFilter
from ...models import CheckIn, Patrol
from ...selectors import field as selectors_field
from ...services import field
from ..serializers import (
    BoardSerializer,
    CheckInBatchInputSerializer,
    CheckInBatchOutputSerializer,
    CheckInInputSerializer,
    CheckInReviewInputSerializer,
    CheckInSerializer,
    PatrolDetailSerializer,
    PatrolSerializer,
)

# ---- views ---------------------------------------------------------------------------------------------


def _volunteer(request):
    volunteer = volunteer_for_user(tenant=request.tenant, user=request.user)
    if volunteer is None:
        raise PatrolError(_("You are not a volunteer of this station."), code="not_volunteer")
    return volunteer


@extend_schema_view(
    list=extend_schema(
        summary="Check-ins of the station (officers), filtered by review, flag, patrol, volunteer"
    ),
    retrieve=extend_schema(summary="One check-in (officers)"),
)
class CheckInViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StationViewSet):
    model = CheckIn
    serializer_class = CheckInSerializer
    filterset_class = CheckInFilter
    station_permissions = {
        "list": "patrol.view_records",
        "retrieve": "patrol.view_records",
        "create": "patrol.walk",
        "batch": "patrol.walk",
        "review": "checkin.review",
    }

    def station_queryset(self):
        team_ids = None
        if self.action in ("list", "retrieve"):
            team_ids = selectors_field.team_ids_visible_to(tenant=self.tenant, user=self.request.user)
        return selectors_field.check_in_list(tenant=self.tenant, team_ids=team_ids)

    @extend_schema(
        summary="Check in at a checkpoint (the volunteer's phone); idempotent by client_id",
        request=CheckInInputSerializer,
        responses={
            201: CheckInSerializer,
            200: OpenApiResponse(CheckInSerializer, description="Already received (same client_id)."),
        },
    )
    def create(self, request, *args, **kwargs):
        data = CheckInInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check_in, created = field.check_in_submit(
            volunteer=_volunteer(request), **CheckInInputSerializer.service_kwargs(data.validated_data)
        )
        return Response(
            CheckInSerializer(check_in).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="Send the phone's offline queue: each check-in is recorded on its own",
        request=CheckInBatchInputSerializer,
        responses={200: CheckInBatchOutputSerializer},
    )
    @action(detail=False, methods=["post"])
    def batch(self, request, *args, **kwargs):
        data = CheckInBatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        items = [CheckInInputSerializer.service_kwargs(item) for item in data.validated_data["check_ins"]]
        results = field.check_in_submit_batch(volunteer=_volunteer(request), items=items)
        out = []
        for r in results:
            row = {k: v for k, v in r.items() if k != "check_in"}
            if "check_in" in r:
                row["check_in"] = CheckInSerializer(r["check_in"]).data
            out.append(row)
        return Response({"results": out})

    @extend_schema(
        summary="Clear or reject a flagged check-in (officers; audited)",
        request=CheckInReviewInputSerializer,
        responses={200: CheckInSerializer},
    )
    @action(detail=True, methods=["post"])
    def review(self, request, *args, **kwargs):
        check_in = self.get_object()
        data = CheckInReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check_in = field.check_in_review(check_in=check_in, actor=request.user, **data.validated_data)
        return Response(CheckInSerializer(check_in).data)


@extend_schema_view(
    list=extend_schema(summary="Patrols of the station with the hours their check-ins prove (officers)"),
    retrieve=extend_schema(summary="One patrol with its check-ins (officers)"),
)
class PatrolViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StationViewSet):
    model = Patrol
    filterset_class = PatrolFilter
    station_permissions = {"*": "patrol.view_records", "board": "patrol.view_board"}

    def get_serializer_class(self):
        return PatrolDetailSerializer if self.action == "retrieve" else PatrolSerializer

    def station_queryset(self):
        team_ids = None
        if self.action != "board":
            team_ids = selectors_field.team_ids_visible_to(tenant=self.tenant, user=self.request.user)
        return selectors_field.patrols_with_check_ins(
            tenant=self.tenant, team_ids=team_ids, with_check_ins=self.action == "retrieve"
        )

    @extend_schema(
        summary="The duty board: active patrols, routes and last check-ins (GeoJSON)",
        responses=BoardSerializer,
    )
    @action(detail=False, methods=["get"])
    def board(self, request, *args, **kwargs):
        return Response(selectors_field.board_data(tenant=request.tenant))
