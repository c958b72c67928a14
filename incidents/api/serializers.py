from typing import Any

from rest_framework import serializers

from ..models import Mediation, MediationParty, MediationSession, Report, ReportEvent, ReturnVisit


class ReportEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.display_name", default=None, read_only=True, allow_null=True)

    class Meta:
        model = ReportEvent
        fields = ["id", "kind", "public", "text", "from_status", "to_status", "actor", "created_at"]


class ReportSerializer(serializers.ModelSerializer):
    """A report for officers: the exact point, never the contact (that is logged, on the case page)."""

    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    community = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
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


# ---- write actions (officers) -----------------------------------------------------------------------


class TransitionInputSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=[c for c in Report.Status.choices if c[0] != "merged"])
    public_text = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    priority = serializers.ChoiceField(choices=Report.Priority.choices, required=False, allow_null=True)

    def service_kwargs(self) -> dict[str, Any]:
        """For services.triage.report_transition."""
        data = self.validated_data
        return {
            "to": data["to"],
            "public_text": data["public_text"],
            "priority": data.get("priority") or None,
        }


class ReportAssignInputSerializer(serializers.Serializer):
    """Users and teams by id; the service checks they belong to the station and hold the role."""

    officer = serializers.IntegerField(required=False, allow_null=True)
    team = serializers.IntegerField(required=False, allow_null=True)
    grid_worker = serializers.IntegerField(required=False, allow_null=True)

    def service_kwargs(self) -> dict[str, Any]:
        """For services.triage.report_assign_by_ids."""
        data = self.validated_data
        return {f"{name}_id": data.get(name) for name in ("officer", "team", "grid_worker")}


class CommentInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
    public = serializers.BooleanField(default=False)

    def service_kwargs(self) -> dict[str, Any]:
        """For services.triage.report_comment."""
        return {"text": self.validated_data["text"], "public": self.validated_data["public"]}


class MergeInputSerializer(serializers.Serializer):
    into = serializers.IntegerField(help_text="The report that stays; this one is joined to it.")

    def service_kwargs(self) -> dict[str, Any]:
        """For services.duplicates.report_merge_with: this report into the one given."""
        return {"other_id": self.validated_data["into"], "into_other": True, "field": "into"}


class VisitInputSerializer(serializers.Serializer):
    notes = serializers.CharField(max_length=2000)

    def service_kwargs(self) -> dict[str, Any]:
        """For services.return_visits.return_visit_record."""
        return {"notes": self.validated_data["notes"]}


# ---- mediation (officers) ----------------------------------------------------------------------------


MEDIATION_OUTCOMES = [c for c in Mediation.Status.choices if c[0] != Mediation.Status.OPEN]


class MediationPartySerializer(serializers.ModelSerializer):
    class Meta:
        model = MediationParty
        fields = ["id", "name", "role", "phone"]


class MediationSessionSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(
        source="recorded_by.display_name", default=None, read_only=True, allow_null=True
    )

    class Meta:
        model = MediationSession
        fields = ["id", "held_at", "place", "attendees", "notes", "recorded_by"]


class MediationSerializer(serializers.ModelSerializer):
    community = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    report = serializers.CharField(
        source="report.tracking_code", default=None, read_only=True, allow_null=True
    )
    mediator = serializers.CharField(source="mediator_name", read_only=True)

    class Meta:
        model = Mediation
        fields = [
            "id",
            "kind",
            "summary",
            "community",
            "report",
            "mediator",
            "mediator_officer",
            "mediator_volunteer",
            "status",
            "outcome",
            "agreement",
            "opened_at",
            "closed_at",
        ]


class MediationDetailSerializer(MediationSerializer):
    parties = MediationPartySerializer(many=True, read_only=True)
    sessions = MediationSessionSerializer(many=True, read_only=True)

    class Meta(MediationSerializer.Meta):
        fields = [*MediationSerializer.Meta.fields, "parties", "sessions"]


class MediationSessionInputSerializer(serializers.Serializer):
    held_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=200)
    attendees = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")

    def service_kwargs(self) -> dict[str, Any]:
        """For services.mediation.mediation_session_add."""
        return dict(self.validated_data)


class MediationOutcomeInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=MEDIATION_OUTCOMES)
    outcome = serializers.CharField(max_length=2000)
    agreement = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")

    def service_kwargs(self) -> dict[str, Any]:
        """For services.mediation.mediation_record_outcome."""
        return dict(self.validated_data)
