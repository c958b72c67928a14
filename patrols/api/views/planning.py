"""The planning API under /api/s/<station>/patrols/: routes (GeoJSON), checkpoints, schedules,
shifts (with the signed-up count; officers assign people or teams) and sign-ups (a volunteer
signs up and withdraws; officers and bureau viewers list everyone's). Thin views: services in
patrols.services.planning write, fed by the input serializers' ``service_kwargs()``; reads come
from patrols.selectors.planning; DomainErrors answer 400 (core.api.exception_handler)."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from jointdefense.core.api import validated
from jointdefense.tenancy.api.base import StationViewSet
from jointdefense.tenancy.api.views import GeoPagination
from jointdefense.tenancy.roles import has_station_perm
from teams.models import Team, Volunteer
from teams.selectors import volunteers as team_selectors

from ...filters import CheckpointFilter, RouteFilter, ScheduleFilter, ShiftFilter, SignupFilter
from ...models import Checkpoint, Route, Schedule, Shift, Signup
from ...selectors import planning as selectors
from ...selectors import signups as signup_selectors
from ...selectors.field import team_ids_visible_to
from ...services import planning as services
from ...services import signups
from .. import serializers as s

WRITE = {"create": "patrol.plan", "update": "patrol.plan", "partial_update": "patrol.plan"}


class InputSerializerMixin:
    """create and update through the input serializer's ``service_kwargs()`` and ``save_service``."""

    input_serializer_class = None
    save_service = None

    def save_input(self, instance, *, partial):
        serializer = self.input_serializer_class(
            instance, data=self.request.data, partial=partial, context={"tenant": self.tenant}
        )
        serializer.is_valid(raise_exception=True)
        return type(self).save_service(**serializer.service_kwargs(), actor=self.request.user)

    def created(self, obj):
        return Response(self.get_serializer(self.reread(obj)).data, status=status.HTTP_201_CREATED)

    def reread(self, obj):
        return self.get_queryset().get(pk=obj.pk)

    def create(self, request, *args, **kwargs):
        obj = self.save_input(self.model(tenant=request.tenant), partial=False)
        return self.created(obj)

    def update(self, request, *args, **kwargs):
        obj = self.save_input(self.get_object(), partial=kwargs.get("partial", False))
        return Response(self.get_serializer(self.reread(obj)).data)


@extend_schema_view(
    list=extend_schema(summary="Patrol routes of the station, as a GeoJSON FeatureCollection"),
    retrieve=extend_schema(summary="One patrol route, as a GeoJSON Feature"),
    create=extend_schema(
        summary="Draw a route (officers): refused outside the station or its community",
        request=s.RouteInputSerializer,
        responses={201: s.RouteSerializer},
    ),
    update=extend_schema(summary="Change a route (officers)", request=s.RouteInputSerializer),
    partial_update=extend_schema(summary="Change part of a route (officers)", request=s.RouteInputSerializer),
)
class RouteViewSet(
    InputSerializerMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    StationViewSet,
):
    model = Route
    serializer_class = s.RouteSerializer
    pagination_class = GeoPagination
    station_permissions = {"list": "route.view", "retrieve": "route.view", **WRITE}
    filterset_class = RouteFilter

    input_serializer_class = s.RouteInputSerializer
    save_service = staticmethod(services.route_save)

    def station_queryset(self):
        return selectors.route_list(tenant=self.tenant)


@extend_schema_view(
    list=extend_schema(summary="Checkpoints of the station's routes, in order"),
    retrieve=extend_schema(summary="One checkpoint"),
    create=extend_schema(
        summary="Add a checkpoint to a route (officers)",
        request=s.CheckpointInputSerializer,
        responses={201: s.CheckpointSerializer},
    ),
    update=extend_schema(summary="Change a checkpoint (officers)", request=s.CheckpointInputSerializer),
    partial_update=extend_schema(
        summary="Change part of a checkpoint (officers)", request=s.CheckpointInputSerializer
    ),
)
class CheckpointViewSet(
    InputSerializerMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    StationViewSet,
):
    model = Checkpoint
    serializer_class = s.CheckpointSerializer
    station_permissions = {"list": "route.view", "retrieve": "route.view", **WRITE}
    filterset_class = CheckpointFilter

    input_serializer_class = s.CheckpointInputSerializer
    save_service = staticmethod(services.checkpoint_save)

    def station_queryset(self):
        return selectors.station_checkpoints(tenant=self.tenant)

    def reread(self, checkpoint):
        return checkpoint


@extend_schema_view(
    list=extend_schema(summary="Shift schedules of the station"),
    retrieve=extend_schema(summary="One shift schedule with its rotation"),
    create=extend_schema(
        summary="Create a schedule (officers); its next four weeks of shifts are generated",
        request=s.ScheduleInputSerializer,
        responses={201: s.ScheduleSerializer},
    ),
    update=extend_schema(summary="Change a schedule (officers)", request=s.ScheduleInputSerializer),
    partial_update=extend_schema(
        summary="Change part of a schedule (officers)", request=s.ScheduleInputSerializer
    ),
)
class ScheduleViewSet(
    InputSerializerMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    StationViewSet,
):
    model = Schedule
    serializer_class = s.ScheduleSerializer
    station_permissions = {"list": "shift.view_coverage", "retrieve": "shift.view_coverage", **WRITE}
    filterset_class = ScheduleFilter

    input_serializer_class = s.ScheduleInputSerializer
    save_service = staticmethod(services.schedule_save)

    def station_queryset(self):
        # officers, the chief and bureau viewers see every schedule; a team leader (who may read
        # coverage for their own teams only) the schedules of the teams they lead
        led = team_ids_visible_to(tenant=self.tenant, user=self.request.user)
        return selectors.schedules_with_rotation(tenant=self.tenant, team_ids=led)


@extend_schema_view(
    list=extend_schema(summary="Shifts of the station with the number of people signed up"),
    retrieve=extend_schema(summary="One shift"),
)
class ShiftViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StationViewSet):
    model = Shift
    serializer_class = s.ShiftSerializer
    station_permissions = {"list": "shift.view", "retrieve": "shift.view", "assign": "patrol.plan"}
    filterset_class = ShiftFilter

    def station_queryset(self):
        return selectors.shift_list(tenant=self.tenant).order_by("starts_at", "pk")

    @extend_schema(
        summary="Put a volunteer, or every eligible member of a team, on the shift (officers)",
        request=s.AssignInputSerializer,
        responses={200: s.AssignOutputSerializer},
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, station=None, pk=None):
        shift = self.get_object()
        data = validated(s.AssignInputSerializer, request)
        tenant = request.tenant
        if data.get("team"):
            team = get_object_or_404(Team.objects.filter(tenant=tenant), pk=data["team"])
            assigned, refused = signups.shift_assign_team(shift=shift, team=team, actor=request.user)
        else:
            volunteer = get_object_or_404(Volunteer.objects.filter(tenant=tenant), pk=data["volunteer"])
            assigned, refused = (
                [signups.shift_assign(shift=shift, volunteer=volunteer, actor=request.user)],
                [],
            )
        body = {
            "assigned": s.SignupSerializer(
                signup_selectors.signups_with_volunteer(tenant=tenant, ids=[x.pk for x in assigned]),
                many=True,
            ).data,
            "refused": [{"volunteer": v.pk, "volunteer_name": v.full_name, "reason": r} for v, r in refused],
        }
        return Response(body)


@extend_schema_view(
    list=extend_schema(summary="Shift sign-ups: everyone's for officers, one's own for volunteers"),
    retrieve=extend_schema(summary="One sign-up"),
)
class SignupViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StationViewSet):
    model = Signup
    serializer_class = s.SignupSerializer
    station_permissions = {
        "list": "station.view",
        "retrieve": "station.view",
        "create": "shift.signup",
        "withdraw": "shift.signup",
    }
    filterset_class = SignupFilter

    def station_queryset(self):
        tenant, user = self.tenant, self.request.user
        if self.action in ("list", "retrieve") and has_station_perm(user, tenant, "signup.view_all"):
            return signup_selectors.signups_visible(tenant=tenant, everyone=True)
        volunteer = team_selectors.volunteer_for_user(tenant=tenant, user=user)
        return signup_selectors.signups_visible(tenant=tenant, volunteer=volunteer)

    def own_volunteer(self):
        volunteer = team_selectors.volunteer_for_user(tenant=self.request.tenant, user=self.request.user)
        if volunteer is None:
            raise Http404
        return volunteer

    @extend_schema(
        summary="Sign up for a shift (the volunteer themselves)",
        request=s.SignupInputSerializer,
        responses={201: s.SignupSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = validated(s.SignupInputSerializer, request)
        volunteer = self.own_volunteer()
        shift = get_object_or_404(Shift.objects.filter(tenant=request.tenant), pk=data["shift"])
        signup = signups.shift_signup(shift=shift, volunteer=volunteer, actor=request.user)
        return Response(s.SignupSerializer(signup).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Withdraw from a shift (one's own sign-up)", request=None, responses={200: s.SignupSerializer}
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, station=None, pk=None):
        signup = self.get_object()
        signup = signups.shift_withdraw(signup=signup, actor=request.user)
        return Response(s.SignupSerializer(signup).data)
