"""Serializers of the patrols API. Planning: routes as GeoJSON, checkpoints, schedules, shifts with
their signed-up count, sign-ups. The field: check-ins, patrols with hours, the duty board. Input
serializers hand ``service_kwargs()`` to the service they feed."""

from django.contrib.gis.geos import Point
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from jointdefense.tenancy.models import Community
from teams.models import Team

from ..models import CheckIn, CheckInFlag, Checkpoint, Patrol, Route, Schedule, Shift, Signup, Tier
from ..selectors import hours
from ..selectors.planning import schedule_rotation_teams
from ..services.field import MAX_BATCH
from ..services.planning import SCHEDULE_FIELDS, line_from_geojson


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$",
        "example": "08:00",
    }
)
class WallClockTimeField(serializers.TimeField):
    """A time of day on the station's wall clock, ``HH:MM[:SS]``, with no UTC offset. (The schema
    gives a pattern: the ``time`` format of JSON Schema, RFC 3339's full-time, requires an offset.)"""


class RouteSerializer(GeoFeatureModelSerializer):
    community = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    checkpoint_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Route
        geo_field = "path"
        fields = ["id", "name", "tier", "community", "description", "is_active", "checkpoint_count"]


class CheckpointSerializer(serializers.ModelSerializer):
    """A checkpoint (never its QR token: the printed code is the only way to it)."""

    lat = serializers.FloatField(source="location.y", read_only=True)
    lng = serializers.FloatField(source="location.x", read_only=True)

    class Meta:
        model = Checkpoint
        fields = ["id", "route", "position", "name", "lat", "lng", "radius_m", "is_active"]


class ScheduleSerializer(serializers.ModelSerializer):
    start_time = WallClockTimeField(help_text="local wall-clock time in the station's time zone")
    rotation = serializers.SerializerMethodField()

    class Meta:
        model = Schedule
        fields = ["id", *SCHEDULE_FIELDS, "rotation"]

    def get_rotation(self, schedule) -> list[int]:
        """The rotation's team ids, in turn order."""
        return [st.team_id for st in schedule.rotation.all()]


class ShiftSerializer(serializers.ModelSerializer):
    route_name = serializers.CharField(source="route.name", read_only=True)
    tier = serializers.CharField(source="route.tier", read_only=True)
    team_name = serializers.CharField(source="team.name", default=None, read_only=True, allow_null=True)
    signed_up = serializers.IntegerField(read_only=True, help_text="active sign-ups")

    class Meta:
        model = Shift
        fields = [
            "id",
            "route",
            "route_name",
            "tier",
            "schedule",
            "team",
            "team_name",
            "starts_at",
            "ends_at",
            "headcount",
            "signed_up",
            "is_cancelled",
        ]


class SignupSerializer(serializers.ModelSerializer):
    volunteer_name = serializers.CharField(source="volunteer.full_name", read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Signup
        fields = [
            "id",
            "shift",
            "volunteer",
            "volunteer_name",
            "source",
            "created_at",
            "withdrawn_at",
            "is_active",
        ]


class SignupInputSerializer(serializers.Serializer):
    shift = serializers.IntegerField(help_text="id of the shift to sign up for")


class AssignInputSerializer(serializers.Serializer):
    volunteer = serializers.IntegerField(required=False, help_text="id of a volunteer to put on the shift")
    team = serializers.IntegerField(required=False, help_text="id of a team whose eligible members go on it")

    def validate(self, attrs):
        if bool(attrs.get("volunteer")) == bool(attrs.get("team")):
            raise serializers.ValidationError(_("Give either a volunteer or a team."))
        return attrs


class RefusalSerializer(serializers.Serializer):
    volunteer = serializers.IntegerField()
    volunteer_name = serializers.CharField()
    reason = serializers.CharField()


class AssignOutputSerializer(serializers.Serializer):
    assigned = SignupSerializer(many=True)
    refused = RefusalSerializer(many=True)


class StationInputSerializer(serializers.Serializer):
    """An input serializer of one station's rows: ``context["tenant"]`` is the station; the row
    changed is ``instance`` (a new, unsaved one for a create)."""

    @property
    def tenant(self):
        return self.context["tenant"]

    def _apply(self, names):
        """Set the validated values of ``names`` on the instance (those sent, for a partial update)."""
        for name in names:
            if name in self.validated_data:
                setattr(self.instance, name, self.validated_data[name])


class RouteInputSerializer(StationInputSerializer):
    name = serializers.CharField(max_length=100)
    tier = serializers.ChoiceField(choices=Route._meta.get_field("tier").choices)
    community = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="community short name"
    )
    path = serializers.JSONField(help_text='GeoJSON LineString in WGS 84, e.g. {"type": "LineString", ...}')
    description = serializers.CharField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False, default=True)

    def validate_path(self, value):
        try:
            return line_from_geojson(value)
        except (ValueError, TypeError, KeyError):
            raise serializers.ValidationError(
                _("Give the route as a GeoJSON LineString with at least two points.")
            ) from None

    def validate_community(self, slug):
        if not slug:
            return None
        community = Community.objects.filter(tenant=self.tenant, slug=slug).first()
        if community is None:
            raise serializers.ValidationError(_("Choose a community of this station."))
        return community

    def service_kwargs(self):
        """For ``route_save`` (with ``actor``): the route with the values sent."""
        self._apply(["path", "community", "name", "tier", "description", "is_active"])
        return {"route": self.instance}


class CheckpointInputSerializer(StationInputSerializer):
    route = serializers.IntegerField(help_text="route id")
    name = serializers.CharField(max_length=100)
    position = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=32000)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)
    radius_m = serializers.IntegerField(required=False, default=50, min_value=5, max_value=1000)
    is_active = serializers.BooleanField(required=False, default=True)

    def validate_route(self, route_id):
        checkpoint = self.instance
        if checkpoint.pk and route_id != checkpoint.route_id:
            raise serializers.ValidationError(_("A checkpoint stays on its route."))
        route = Route.objects.filter(tenant=self.tenant, pk=route_id).first()
        if route is None:
            raise serializers.ValidationError(_("Choose a route of this station."))
        return route

    def service_kwargs(self):
        """For ``checkpoint_save`` (with ``actor``): the checkpoint with the values sent (a
        position sent alone keeps the other coordinate)."""
        checkpoint, data = self.instance, self.validated_data
        self._apply(["route"])
        lat = data.get("lat", checkpoint.location.y if checkpoint.location else None)
        lng = data.get("lng", checkpoint.location.x if checkpoint.location else None)
        checkpoint.location = Point(lng, lat, srid=4326)
        self._apply(["name", "position", "radius_m", "is_active"])
        return {"checkpoint": checkpoint}


class ScheduleInputSerializer(StationInputSerializer, serializers.ModelSerializer):
    """The fields of a schedule (``SCHEDULE_FIELDS``, as on the page) and its rotation."""

    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=Schedule.Kind.choices)
    route = serializers.IntegerField(help_text="route id")
    start_time = WallClockTimeField(help_text="local wall-clock time in the station's time zone")
    duration_minutes = serializers.IntegerField(min_value=15, max_value=1440)
    shifts_per_day = serializers.IntegerField(required=False, default=1, min_value=1, max_value=96)
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7), required=False, default=list
    )
    headcount = serializers.IntegerField(required=False, default=2, min_value=1, max_value=500)
    team = serializers.IntegerField(required=False, allow_null=True, help_text="team id (daily, weekly)")
    rotation = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, help_text="team ids in turn order"
    )
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False, default=True)

    class Meta:
        model = Schedule
        fields = [*SCHEDULE_FIELDS, "rotation"]

    def validate_route(self, route_id):
        route = Route.objects.filter(tenant=self.tenant, pk=route_id).first()
        if route is None:
            raise serializers.ValidationError(_("Choose a route of this station."))
        return route

    def validate_team(self, team_id):
        if not team_id:
            return None
        team = Team.objects.filter(tenant=self.tenant, pk=team_id).first()
        if team is None:
            raise serializers.ValidationError(_("Choose a team of this station."))
        return team

    def validate_rotation(self, ids):
        teams = {t.pk: t for t in Team.objects.filter(tenant=self.tenant, pk__in=ids)}
        if len(teams) != len(set(ids)):
            raise serializers.ValidationError(_("Choose teams of this station."))
        return [teams[i] for i in ids]

    def service_kwargs(self):
        """For ``schedule_save`` (with ``actor``): the schedule with the values sent, and its
        rotation (the current one when none is sent)."""
        self._apply(SCHEDULE_FIELDS)
        rotation = self.validated_data.get("rotation")
        if rotation is None:
            rotation = schedule_rotation_teams(schedule=self.instance)
        return {"schedule": self.instance, "rotation": rotation}


# ---- the field ------------------------------------------------------------------------------------------


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
    check_ins = CheckInInputSerializer(many=True, allow_empty=False, max_length=MAX_BATCH)


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


class BoardSerializer(serializers.Serializer):
    type = serializers.CharField()
    features = serializers.ListField(child=serializers.DictField())
    generated_at = serializers.DateTimeField()
