"""Serializers of the planning API: routes as GeoJSON, checkpoints, schedules, shifts with their
signed-up count, sign-ups."""

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from ..models import Checkpoint, Route, Schedule, Shift, Signup


class RouteSerializer(GeoFeatureModelSerializer):
    community = serializers.SlugRelatedField(slug_field="slug", read_only=True)
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
    rotation = serializers.SerializerMethodField()

    class Meta:
        model = Schedule
        fields = [
            "id",
            "name",
            "kind",
            "route",
            "start_time",
            "duration_minutes",
            "shifts_per_day",
            "weekdays",
            "headcount",
            "team",
            "rotation",
            "valid_from",
            "valid_until",
            "is_active",
        ]

    def get_rotation(self, schedule) -> list[int]:
        """The rotation's team ids, in turn order."""
        return [st.team_id for st in schedule.rotation.all()]


class ShiftSerializer(serializers.ModelSerializer):
    route_name = serializers.CharField(source="route.name", read_only=True)
    tier = serializers.CharField(source="route.tier", read_only=True)
    team_name = serializers.CharField(source="team.name", default=None, read_only=True)
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


class RouteInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    tier = serializers.ChoiceField(choices=Route._meta.get_field("tier").choices)
    community = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="community short name"
    )
    path = serializers.JSONField(help_text='GeoJSON LineString in WGS 84, e.g. {"type": "LineString", ...}')
    description = serializers.CharField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False, default=True)


class CheckpointInputSerializer(serializers.Serializer):
    route = serializers.IntegerField(help_text="route id")
    name = serializers.CharField(max_length=100)
    position = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=32000)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)
    radius_m = serializers.IntegerField(required=False, default=50, min_value=5, max_value=1000)
    is_active = serializers.BooleanField(required=False, default=True)


class ScheduleInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=Schedule.Kind.choices)
    route = serializers.IntegerField(help_text="route id")
    start_time = serializers.TimeField(help_text="local wall-clock time in the station's time zone")
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
