"""API of patrols in the field: check-ins (the phone posts one, or a batch from its offline queue,
idempotent by ``client_id``; officers list, filter and review them) and patrols (officers: list with
hours, detail, the duty board)."""

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from jointdefense.tenancy.api.base import StationViewSet
from teams.selectors.volunteers import volunteer_for_user

from .. import field, hours, selectors_field
from ..field import PatrolError
from ..models import CheckIn, CheckInFlag, Patrol, Tier

# ---- serializers ---------------------------------------------------------------------------------------


class CheckInInputSerializer(serializers.Serializer):
    client_id = serializers.UUIDField(help_text="Made by the phone; sending it again is harmless.")
    checkpoint = serializers.CharField(max_length=32, help_text="The QR token of the checkpoint.")
    device_time = serializers.DateTimeField(help_text="When the phone checked in (with its time zone).")
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    accuracy_m = serializers.FloatField(required=False, allow_null=True, min_value=0)
    patrol = serializers.IntegerField(
        required=False, allow_null=True, help_text="Defaults to the patrol under way."
    )

    def validate(self, attrs):
        if (attrs.get("lat") is None) != (attrs.get("lng") is None):
            raise serializers.ValidationError({"lng": ["Send both lat and lng, or neither."]})
        return attrs

    @staticmethod
    def service_kwargs(d):
        return {
            "client_id": d["client_id"],
            "qr_token": d["checkpoint"],
            "device_time": d["device_time"],
            "lat": d.get("lat"),
            "lng": d.get("lng"),
            "accuracy_m": d.get("accuracy_m"),
            "patrol_id": d.get("patrol"),
        }


class CheckInBatchInputSerializer(serializers.Serializer):
    check_ins = CheckInInputSerializer(many=True, allow_empty=False, max_length=field.MAX_BATCH)


class CheckInSerializer(serializers.ModelSerializer):
    checkpoint_name = serializers.CharField(source="checkpoint.name", read_only=True)
    lat = serializers.FloatField(source="location.y", read_only=True, allow_null=True, default=None)
    lng = serializers.FloatField(source="location.x", read_only=True, allow_null=True, default=None)
    flags = serializers.ListField(child=serializers.ChoiceField(choices=CheckInFlag.choices), read_only=True)
    counts = serializers.BooleanField(read_only=True)

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "patrol",
            "checkpoint",
            "checkpoint_name",
            "client_id",
            "lat",
            "lng",
            "accuracy_m",
            "distance_m",
            "device_time",
            "received_at",
            "flags",
            "flag_details",
            "review",
            "reviewed_by",
            "reviewed_at",
            "counts",
        ]


class CheckInBatchResultSerializer(serializers.Serializer):
    client_id = serializers.CharField()
    status = serializers.CharField(help_text="created, duplicate (already received) or refused (see error)")
    error = serializers.CharField(required=False)
    check_in = CheckInSerializer(required=False)


class CheckInBatchOutputSerializer(serializers.Serializer):
    results = CheckInBatchResultSerializer(many=True)


class CheckInReviewInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["clear", "reject"])
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class PatrolSerializer(serializers.ModelSerializer):
    route_name = serializers.CharField(source="route.name", read_only=True)
    tier = serializers.ChoiceField(source="route.tier", choices=Tier.choices, read_only=True)
    volunteer_name = serializers.CharField(source="volunteer.full_name", read_only=True)
    team = serializers.IntegerField(source="shift.team_id", read_only=True, allow_null=True, default=None)
    hours = serializers.SerializerMethodField()
    first_counted_check_in = serializers.DateTimeField(
        source="first_counted", read_only=True, allow_null=True
    )
    last_counted_check_in = serializers.DateTimeField(source="last_counted", read_only=True, allow_null=True)

    class Meta:
        model = Patrol
        fields = [
            "id",
            "shift",
            "route",
            "route_name",
            "tier",
            "volunteer",
            "volunteer_name",
            "team",
            "status",
            "started_at",
            "ended_at",
            "first_counted_check_in",
            "last_counted_check_in",
            "hours",
            "notes",
        ]

    def get_hours(self, obj) -> float:
        return round(hours.hours_of(obj), 2)


class PatrolDetailSerializer(PatrolSerializer):
    check_ins = CheckInSerializer(many=True, read_only=True)

    class Meta(PatrolSerializer.Meta):
        fields = [*PatrolSerializer.Meta.fields, "check_ins"]


# ---- filters -------------------------------------------------------------------------------------------


class CheckInFilter(django_filters.FilterSet):
    review = django_filters.MultipleChoiceFilter(choices=CheckIn.Review.choices)
    flag = django_filters.ChoiceFilter(choices=CheckInFlag.choices, method="filter_flag", label="flag")
    patrol = django_filters.NumberFilter(field_name="patrol_id")
    volunteer = django_filters.NumberFilter(field_name="patrol__volunteer_id")
    since = django_filters.IsoDateTimeFilter(field_name="device_time", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="device_time", lookup_expr="lt")

    class Meta:
        model = CheckIn
        fields = ["review", "flag", "patrol", "volunteer", "since", "until"]

    def filter_flag(self, queryset, name, value):
        return queryset.filter(flags__contains=[value])


class PatrolFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Patrol.Status.choices)
    volunteer = django_filters.NumberFilter(field_name="volunteer_id")
    route = django_filters.NumberFilter(field_name="route_id")
    tier = django_filters.ChoiceFilter(field_name="route__tier", choices=Tier.choices)
    since = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="lt")

    class Meta:
        model = Patrol
        fields = ["status", "volunteer", "route", "tier", "since", "until"]


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

    def get_queryset(self):
        qs = super().get_queryset().select_related("checkpoint").order_by("-device_time", "-pk")
        if getattr(self, "swagger_fake_view", False) or self.action not in ("list", "retrieve"):
            return qs
        team_ids = selectors_field.team_ids_visible_to(tenant=self.request.tenant, user=self.request.user)
        return qs if team_ids is None else qs.filter(patrol__shift__team_id__in=team_ids)

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


class BoardSerializer(serializers.Serializer):
    type = serializers.CharField()
    features = serializers.ListField(child=serializers.DictField())
    generated_at = serializers.DateTimeField()


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

    def get_queryset(self):
        qs = super().get_queryset()
        if not getattr(self, "swagger_fake_view", False) and self.action != "board":
            team_ids = selectors_field.team_ids_visible_to(tenant=self.request.tenant, user=self.request.user)
            if team_ids is not None:
                qs = qs.filter(shift__team_id__in=team_ids)
        qs = hours.patrols_with_hours(qs).select_related("route", "volunteer", "shift")
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                Prefetch(
                    "check_ins",
                    queryset=CheckIn.objects.filter(tenant=self.request.tenant)
                    .select_related("checkpoint")
                    .order_by("device_time"),
                )
            )
        return qs.order_by("-started_at", "-pk")

    @extend_schema(
        summary="The duty board: active patrols, routes and last check-ins (GeoJSON)",
        responses=BoardSerializer,
    )
    @action(detail=False, methods=["get"])
    def board(self, request, *args, **kwargs):
        return Response(selectors_field.board_data(tenant=request.tenant))
