"""Serializers of the training API: output per resource and input per operation. Inputs restrict
every id to the request's station (another station's id is "not found" or invalid, never used)."""

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from teams.models import Team, Volunteer, VolunteerRole

from ..models import Certificate, Course, Enrolment, QuizAttempt, TrainingSession
from ..services.courses import COURSE_FIELDS


@extend_schema_field(OpenApiTypes.INT)
class StationPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A primary key of one of the request's station's rows of ``model``."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None or getattr(request, "tenant", None) is None:
            return self.model.objects.none()
        qs = self.model.objects.filter(tenant=request.tenant)
        if self.model is Volunteer:
            qs = qs.filter(status__in=[Volunteer.Status.APPROVED, Volunteer.Status.ACTIVE])
        return qs


class CourseSerializer(serializers.ModelSerializer):
    required_for_roles = serializers.ListField(child=serializers.ChoiceField(choices=VolunteerRole.choices))
    required_for_team_types = serializers.ListField(child=serializers.ChoiceField(choices=Team.Type.choices))
    includes = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Course
        fields = [
            "id",
            *COURSE_FIELDS,
            "includes",
        ]


class CourseInputSerializer(serializers.ModelSerializer):
    required_for_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=VolunteerRole.choices), required=False
    )
    required_for_team_types = serializers.ListField(
        child=serializers.ChoiceField(choices=Team.Type.choices), required=False
    )
    includes = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)

    class Meta:
        model = Course
        fields = [*CourseSerializer.Meta.fields[1:-2], "includes", "is_active"]
        validators: list = []  # the service checks the unique name and the pass mark

    def included(self, tenant) -> list[Course] | None:
        ids = self.validated_data.get("includes")
        if ids is None:
            return None
        courses = list(Course.objects.filter(tenant=tenant, pk__in=ids))
        if len(courses) != len(set(ids)):
            raise serializers.ValidationError({"includes": [_("Not a course of this station.")]})
        return courses

    def fields_for_service(self) -> dict:
        return {k: v for k, v in self.validated_data.items() if k != "includes"}


class QuizAnswersSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField(min_value=1)),
        help_text="question id -> the chosen answer ids",
    )

    def validate_answers(self, value):
        try:
            return {int(k): v for k, v in value.items()}
        except ValueError:
            raise serializers.ValidationError(_("Question ids are numbers.")) from None


class QuizAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuizAttempt
        fields = ["id", "course", "number", "score_percent", "passed", "submitted_at"]


class SessionSerializer(serializers.ModelSerializer):
    lat = serializers.SerializerMethodField()
    lng = serializers.SerializerMethodField()
    enrolled = serializers.IntegerField(read_only=True, allow_null=True, default=None)
    course_name = serializers.CharField(source="course.name", read_only=True)

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "course",
            "course_name",
            "starts_at",
            "ends_at",
            "place_name",
            "lat",
            "lng",
            "checkin_radius_m",
            "online_url",
            "trainer",
            "capacity",
            "enrolled",
            "is_cancelled",
        ]

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_lat(self, obj):
        return obj.location.y if obj.location else None

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_lng(self, obj):
        return obj.location.x if obj.location else None


class SessionInputSerializer(serializers.Serializer):
    course = StationPrimaryKeyField(Course)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField(min_value=1, max_value=2000)
    place_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True, default=None)
    lng = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True, default=None)
    online_url = serializers.URLField(required=False, allow_blank=True, default="")
    trainer = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)

    def validate(self, data):
        if (data["lat"] is None) != (data["lng"] is None):
            raise serializers.ValidationError({"lat": [_("Give both lat and lng, or neither.")]})
        if data["ends_at"] <= data["starts_at"]:
            raise serializers.ValidationError({"ends_at": [_("The session must end after it starts.")]})
        return data

    def validate_trainer(self, value):
        if value is None:
            return None
        user = get_user_model().objects.filter(pk=value, is_active=True).first()
        if user is None:
            raise serializers.ValidationError(_("No such person."))
        return user  # the service refuses anyone who may not train here (NotATrainer)

    def service_kwargs(self) -> dict:
        data = dict(self.validated_data)
        lat, lng = data.pop("lat"), data.pop("lng")
        data["location"] = Point(lng, lat, srid=4326) if lat is not None else None
        return data


class EnrolInputSerializer(serializers.Serializer):
    """Nothing: the volunteer enrols themselves. Officers give ``volunteer`` or ``team``."""

    volunteer = StationPrimaryKeyField(Volunteer, required=False, allow_null=True, default=None)
    team = StationPrimaryKeyField(Team, required=False, allow_null=True, default=None)

    def validate(self, data):
        if data["volunteer"] is not None and data["team"] is not None:
            raise serializers.ValidationError(_("Give a volunteer or a team, not both."))
        return data


class EnrolmentSerializer(serializers.ModelSerializer):
    volunteer_name = serializers.CharField(source="volunteer.full_name", read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "session",
            "volunteer",
            "volunteer_name",
            "status",
            "source",
            "requested_at",
            "enrolled_at",
            "withdrawn_at",
            "attendance",
            "checkin_method",
            "checked_in_at",
            "result",
            "score",
            "recorded_at",
        ]


class TeamEnrolResultSerializer(serializers.Serializer):
    enrolled = serializers.IntegerField()
    waiting = serializers.IntegerField()
    skipped = serializers.IntegerField()


GIVEN_RESULTS = [(r.value, r.label) for r in (Enrolment.Result.PASSED, Enrolment.Result.FAILED)]


class AttendanceRowSerializer(serializers.Serializer):
    enrolment = serializers.IntegerField(min_value=1)
    attendance = serializers.ChoiceField(
        choices=[Enrolment.Attendance.PRESENT, Enrolment.Attendance.ABSENT, Enrolment.Attendance.EXCUSED]
    )
    result = serializers.ChoiceField(
        choices=GIVEN_RESULTS,
        required=False,
        allow_null=True,
        default=None,
    )
    score = serializers.IntegerField(
        min_value=0, max_value=32000, required=False, allow_null=True, default=None
    )


class AttendanceInputSerializer(serializers.Serializer):
    rows = AttendanceRowSerializer(many=True, allow_empty=False, max_length=2000)


class SessionCheckInSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64)
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True, default=None)
    lng = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True, default=None)

    def location(self):
        lat, lng = self.validated_data["lat"], self.validated_data["lng"]
        return Point(lng, lat, srid=4326) if lat is not None and lng is not None else None


class CertificateSerializer(serializers.ModelSerializer):
    course_name = serializers.CharField(source="course.name", read_only=True)
    volunteer_name = serializers.CharField(source="volunteer.full_name", read_only=True)
    is_valid = serializers.BooleanField(read_only=True)

    class Meta:
        model = Certificate
        fields = [
            "id",
            "course",
            "course_name",
            "volunteer",
            "volunteer_name",
            "code",
            "issued_at",
            "expires_at",
            "revoked_at",
            "revoke_reason",
            "is_valid",
        ]


class RevokeInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class VerificationSerializer(serializers.Serializer):
    """What the public sees: the course, the validity and the holder's name only."""

    holder = serializers.CharField()
    course = serializers.CharField()
    station = serializers.CharField()
    issued_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    state = serializers.ChoiceField(choices=["valid", "expired", "revoked", "not_yet"])
