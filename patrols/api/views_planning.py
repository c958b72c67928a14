"""The planning API under /api/s/<station>/patrols/: routes (GeoJSON), checkpoints, schedules,
shifts (with the signed-up count; officers assign people or teams) and sign-ups (a volunteer
signs up and withdraws; officers and bureau viewers list everyone's). Thin views: services in
patrols.services_planning write, DomainErrors answer 400 (core.api.exception_handler)."""

import django_filters
from django.contrib.gis.geos import Point
from django.db.models import F, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from jointdefense.core.api import validated
from jointdefense.tenancy.api.base import StationViewSet
from jointdefense.tenancy.api.views import GeoPagination
from jointdefense.tenancy.models import Community
from jointdefense.tenancy.roles import has_station_perm
from teams.models import Team, Volunteer
from teams.selectors import volunteers as team_selectors

from .. import selectors_planning as selectors
from .. import services_planning as services
from ..geo import line_from_geojson
from ..models import Checkpoint, Route, Schedule, ScheduleTeam, Shift, Signup, Tier
from . import serializers_planning as s

# Filters are declared, not derived from model fields: deriving them queries the default manager,
# which refuses to run outside a tenant scope.


class RouteFilter(django_filters.FilterSet):
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label="tier")
    community = django_filters.CharFilter(field_name="community__slug", label="community short name")
    is_active = django_filters.BooleanFilter(label="routes in use (true) or retired (false)")

    class Meta:
        model = Route
        fields = []


class CheckpointFilter(django_filters.FilterSet):
    route = django_filters.NumberFilter(field_name="route_id", label="route id")
    is_active = django_filters.BooleanFilter(label="checkpoints in use")

    class Meta:
        model = Checkpoint
        fields = []


class ScheduleFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Schedule.Kind.choices, label="kind of schedule")
    route = django_filters.NumberFilter(field_name="route_id", label="route id")
    is_active = django_filters.BooleanFilter(label="active schedules")

    class Meta:
        model = Schedule
        fields = []


class ShiftFilter(django_filters.FilterSet):
    route = django_filters.NumberFilter(field_name="route_id", label="route id")
    team = django_filters.NumberFilter(field_name="team_id", label="team id")
    schedule = django_filters.NumberFilter(field_name="schedule_id", label="schedule id")
    tier = django_filters.ChoiceFilter(
        field_name="route__tier", choices=Tier.choices, label="tier of the route"
    )
    starts_after = django_filters.IsoDateTimeFilter(
        field_name="starts_at", lookup_expr="gte", label="starts at or after"
    )
    starts_before = django_filters.IsoDateTimeFilter(
        field_name="starts_at", lookup_expr="lt", label="starts before"
    )
    is_cancelled = django_filters.BooleanFilter(label="cancelled shifts")
    has_places = django_filters.BooleanFilter(method="filter_places", label="fewer people than needed (true)")

    class Meta:
        model = Shift
        fields = []

    def filter_places(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(signed_up__lt=F("headcount"))
            if value
            else queryset.filter(signed_up__gte=F("headcount"))
        )


class SignupFilter(django_filters.FilterSet):
    shift = django_filters.NumberFilter(field_name="shift_id", label="shift id")
    volunteer = django_filters.NumberFilter(field_name="volunteer_id", label="volunteer id")
    active = django_filters.BooleanFilter(
        field_name="withdrawn_at", lookup_expr="isnull", label="not withdrawn"
    )

    class Meta:
        model = Signup
        fields = []


WRITE = {"create": "patrol.plan", "update": "patrol.plan", "partial_update": "patrol.plan"}


def _bad(field, message):
    return ValidationError({field: [message]})


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

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Route.objects.none()
        return selectors.route_list(tenant=self.request.tenant)

    def create(self, request, *args, **kwargs):
        route = self._save(Route(tenant=request.tenant), partial=False)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=route.pk)).data, status=status.HTTP_201_CREATED
        )

    def update(self, request, *args, **kwargs):
        route = self._save(self.get_object(), partial=kwargs.get("partial", False))
        return Response(self.get_serializer(self.get_queryset().get(pk=route.pk)).data)

    def _save(self, route, *, partial):
        serializer = s.RouteInputSerializer(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "path" in data:
            try:
                route.path = line_from_geojson(data.pop("path"))
            except (ValueError, TypeError, KeyError):
                raise _bad(
                    "path", _("Give the route as a GeoJSON LineString with at least two points.")
                ) from None
        if "community" in data:
            slug = data.pop("community")
            route.community = None
            if slug:
                route.community = Community.objects.filter(tenant=self.request.tenant, slug=slug).first()
                if route.community is None:
                    raise _bad("community", _("Choose a community of this station."))
        for field, value in data.items():
            setattr(route, field, value)
        return services.route_save(route=route, actor=self.request.user)


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

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Checkpoint.objects.none()
        return Checkpoint.objects.filter(tenant=self.request.tenant).order_by("route_id", "position")

    def create(self, request, *args, **kwargs):
        checkpoint = self._save(Checkpoint(tenant=request.tenant), partial=False)
        return Response(self.get_serializer(checkpoint).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        checkpoint = self._save(self.get_object(), partial=kwargs.get("partial", False))
        return Response(self.get_serializer(checkpoint).data)

    def _save(self, checkpoint, *, partial):
        serializer = s.CheckpointInputSerializer(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "route" in data:
            route_id = data.pop("route")
            if checkpoint.pk and route_id != checkpoint.route_id:
                raise _bad("route", _("A checkpoint stays on its route."))
            checkpoint.route = Route.objects.filter(tenant=self.request.tenant, pk=route_id).first()
            if checkpoint.route is None:
                raise _bad("route", _("Choose a route of this station."))
        lat = data.pop("lat", checkpoint.location.y if checkpoint.location else None)
        lng = data.pop("lng", checkpoint.location.x if checkpoint.location else None)
        checkpoint.location = Point(lng, lat, srid=4326)
        for field, value in data.items():
            setattr(checkpoint, field, value)
        return services.checkpoint_save(checkpoint=checkpoint, actor=self.request.user)


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

    def create(self, request, *args, **kwargs):
        schedule = self._save(Schedule(tenant=request.tenant), partial=False)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=schedule.pk)).data, status=status.HTTP_201_CREATED
        )

    def update(self, request, *args, **kwargs):
        schedule = self._save(self.get_object(), partial=kwargs.get("partial", False))
        return Response(self.get_serializer(self.get_queryset().get(pk=schedule.pk)).data)

    def _save(self, schedule, *, partial):
        tenant = self.request.tenant
        serializer = s.ScheduleInputSerializer(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "route" in data:
            schedule.route = Route.objects.filter(tenant=tenant, pk=data.pop("route")).first()
            if schedule.route is None:
                raise _bad("route", _("Choose a route of this station."))
        if "team" in data:
            team_id = data.pop("team")
            schedule.team = Team.objects.filter(tenant=tenant, pk=team_id).first() if team_id else None
            if team_id and schedule.team is None:
                raise _bad("team", _("Choose a team of this station."))
        if "rotation" in data:
            ids = data.pop("rotation")
            teams = {t.pk: t for t in Team.objects.filter(tenant=tenant, pk__in=ids)}
            if len(teams) != len(set(ids)):
                raise _bad("rotation", _("Choose teams of this station."))
            rotation = [teams[i] for i in ids]
        else:
            rotation = (
                [st.team for st in schedule.rotation.select_related("team").order_by("position")]
                if schedule.pk
                else []
            )
        for field, value in data.items():
            setattr(schedule, field, value)
        return services.schedule_save(schedule=schedule, actor=self.request.user, rotation=rotation)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Schedule.objects.none()
        tenant = self.request.tenant
        return (
            Schedule.objects.filter(tenant=tenant)
            .prefetch_related(
                Prefetch("rotation", queryset=ScheduleTeam.objects.filter(tenant=tenant).order_by("position"))
            )
            .order_by("name")
        )


@extend_schema_view(
    list=extend_schema(summary="Shifts of the station with the number of people signed up"),
    retrieve=extend_schema(summary="One shift"),
)
class ShiftViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StationViewSet):
    model = Shift
    serializer_class = s.ShiftSerializer
    station_permissions = {"list": "shift.view", "retrieve": "shift.view", "assign": "patrol.plan"}
    filterset_class = ShiftFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Shift.objects.none()
        return selectors.shift_list(tenant=self.request.tenant).order_by("starts_at", "pk")

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
            assigned, refused = services.shift_assign_team(shift=shift, team=team, actor=request.user)
        else:
            volunteer = get_object_or_404(Volunteer.objects.filter(tenant=tenant), pk=data["volunteer"])
            assigned, refused = (
                [services.shift_assign(shift=shift, volunteer=volunteer, actor=request.user)],
                [],
            )
        body = {
            "assigned": s.SignupSerializer(
                Signup.objects.filter(tenant=tenant, pk__in=[x.pk for x in assigned]).select_related(
                    "volunteer"
                ),
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

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Signup.objects.none()
        tenant = self.request.tenant
        qs = Signup.objects.filter(tenant=tenant).select_related("volunteer").order_by("-created_at", "pk")
        if self.action in ("list", "retrieve") and has_station_perm(
            self.request.user, tenant, "signup.view_all"
        ):
            return qs
        volunteer = team_selectors.volunteer_for_user(tenant=tenant, user=self.request.user)
        return qs.filter(volunteer=volunteer) if volunteer else qs.none()

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
        signup = services.shift_signup(shift=shift, volunteer=volunteer, actor=request.user)
        return Response(s.SignupSerializer(signup).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Withdraw from a shift (one's own sign-up)", request=None, responses={200: s.SignupSerializer}
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, station=None, pk=None):
        signup = self.get_object()
        signup = services.shift_withdraw(signup=signup, actor=request.user)
        return Response(s.SignupSerializer(signup).data)
