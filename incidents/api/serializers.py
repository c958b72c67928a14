from rest_framework import serializers

from ..models import Report, ReportEvent, ReturnVisit


class ReportEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.display_name", default=None, read_only=True)

    class Meta:
        model = ReportEvent
        fields = ["id", "kind", "public", "text", "from_status", "to_status", "actor", "created_at"]


class ReportSerializer(serializers.ModelSerializer):
    """A report for officers: the exact point, never the contact (that is logged, on the case page)."""

    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    community = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    lat = serializers.FloatField(source="location.y", read_only=True)
    lng = serializers.FloatField(source="location.x", read_only=True)
    has_contact = serializers.BooleanField(read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "tracking_code",
            "category",
            "description",
            "status",
            "priority",
            "source",
            "lat",
            "lng",
            "community",
            "assigned_officer",
            "assigned_team",
            "assigned_grid_worker",
            "anonymous",
            "has_contact",
            "clue_value",
            "created_at",
            "updated_at",
        ]


class ReportDetailSerializer(ReportSerializer):
    events = ReportEventSerializer(many=True, read_only=True)

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "events"]


class ReturnVisitSerializer(serializers.ModelSerializer):
    report = serializers.CharField(source="report.tracking_code", read_only=True)

    class Meta:
        model = ReturnVisit
        fields = ["id", "report", "level", "assignee", "due_at", "visited_at", "notes", "rating", "rated_at"]
