"""Serializers of the teams API: one for input and one for output per operation (CONVENTIONS.md).
Input serializers only validate shapes and look related rows up in the request's station, and hand
the service its arguments (``service_kwargs()``); the writes happen in teams.services, called by the
views."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from jointdefense.tenancy.models import Community, GridCell

from ..models import (
    BackgroundReview,
    ContributionKind,
    PointEntry,
    Redemption,
    Reward,
    Team,
    TeamMember,
    Volunteer,
    VolunteerRole,
)


class StationRelatedMixin:
    """Input fields whose queryset is restricted to the request's station (another station's
    rows are "not found", never "not yours")."""

    def station_queryset(self, model):
        request = self.context.get("request")
        tenant = getattr(request, "tenant", None)
        if tenant is None:  # schema generation
            return model.objects.none()
        return model.objects.filter(tenant=tenant)


@extend_schema_field(OpenApiTypes.INT)
class StationPrimaryKeyField(StationRelatedMixin, serializers.PrimaryKeyRelatedField):
    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.station_queryset(self.model)


@extend_schema_field(OpenApiTypes.STR)
class StationSlugField(StationRelatedMixin, serializers.SlugRelatedField):
    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.station_queryset(self.model)


# ---- small nested outputs ------------------------------------------------------------------------


class TeamRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class VolunteerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class ReviewRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    result = serializers.ChoiceField(choices=BackgroundReview.Result.choices)
    reviewed_on = serializers.DateField()


# ---- volunteers ----------------------------------------------------------------------------------


class VolunteerOutputSerializer(serializers.ModelSerializer):
    """A volunteer, on the roster and in screening. ``id_number`` is masked unless the view says
    the caller may see it (context ``show_id_numbers``); ``balance`` comes annotated from the
    queryset; ``background_review`` is the passed review the approval rests on."""

    id_number = serializers.SerializerMethodField()
    home_community = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    background_group = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    teams = serializers.SerializerMethodField()
    background_review = ReviewRefSerializer(read_only=True, allow_null=True)
    balance = serializers.IntegerField(
        read_only=True, help_text="Points balance: the sum of the ledger entries."
    )

    class Meta:
        model = Volunteer
        fields = [
            "id", "full_name", "phone", "id_number", "status", "roles", "specialties", "availability",
            "home_community", "background_group", "teams", "applied_at", "consented_to_review_at",
            "background_review", "rejection_reason", "activated_at", "balance",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_id_number(self, volunteer) -> str:
        return volunteer.id_number if self.context.get("show_id_numbers") else volunteer.masked_id_number

    @extend_schema_field(TeamRefSerializer(many=True))
    def get_teams(self, volunteer):
        # prefetched by selectors.volunteer_list
        return [{"id": m.team_id, "name": m.team.name} for m in volunteer.team_memberships.all()]


class VolunteerClassifyInputSerializer(serializers.Serializer):
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=VolunteerRole.choices),
        allow_empty=True,
        help_text="The complete list of roles (replaces the current ones).",
    )

    def service_kwargs(self) -> dict[str, Any]:
        """The arguments of services.volunteers.volunteer_classify."""
        return {"roles": self.validated_data["roles"]}


# ---- applications and screening ------------------------------------------------------------------


class ReviewInputSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=BackgroundReview.Result.choices)
    reviewed_on = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")

    def service_kwargs(self) -> dict[str, Any]:
        """The arguments of services.screening.background_review_record."""
        data = self.validated_data
        return {"result": data["result"], "reviewed_on": data["reviewed_on"], "notes": data["notes"]}


class RejectInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=False, trim_whitespace=True)

    def service_kwargs(self) -> dict[str, Any]:
        return {"reason": self.validated_data["reason"]}


class ScreeningNoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def service_kwargs(self) -> dict[str, Any]:
        return {"note": self.validated_data["note"]}


# ---- teams -----------------------------------------------------------------------------------------


class TeamLeaderSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="volunteer_id")
    full_name = serializers.CharField(source="volunteer.full_name")


class TeamMemberOutputSerializer(serializers.ModelSerializer):
    volunteer = VolunteerRefSerializer(read_only=True)

    class Meta:
        model = TeamMember
        fields = ["volunteer", "is_leader", "joined_at"]
        read_only_fields = fields


# input and output share the component name: the schema then has one "Team" (and "TeamRequest")
@extend_schema_serializer(component_name="Team")
class TeamOutputSerializer(serializers.ModelSerializer):
    home_community = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    member_count = serializers.IntegerField(read_only=True)
    leaders = TeamLeaderSerializer(many=True, read_only=True)
    members = TeamMemberOutputSerializer(source="roster", many=True, read_only=True)
    grid_cells = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Team
        fields = [
            "id", "name", "type", "home_community", "grid_cells", "description", "is_active", "member_count",
            "leaders", "members", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


@extend_schema_serializer(component_name="Team")
class TeamInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    type = serializers.ChoiceField(choices=Team.Type.choices)
    home_community = StationSlugField(Community, slug_field="slug", required=False, allow_null=True)
    grid_cells = serializers.ListField(
        child=StationSlugField(GridCell, slug_field="code"),
        required=False,
        help_text="Codes of the grid cells the team covers (replaces the current ones).",
    )
    description = serializers.CharField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)

    def service_kwargs(self, *, team: Team) -> dict[str, Any]:
        """The arguments of services.teams.team_save: ``team`` (new, or the one changed) with the
        fields sent set on it, and the grid cells when they were sent (None keeps them)."""
        data = self.validated_data
        for field, value in data.items():
            if field != "grid_cells":
                setattr(team, field, value)
        return {"team": team, "grid_cells": data.get("grid_cells")}


class TeamMemberInputSerializer(serializers.Serializer):
    volunteer = StationPrimaryKeyField(Volunteer)
    is_leader = serializers.BooleanField(required=False, default=False)

    def service_kwargs(self) -> dict[str, Any]:
        """The arguments of services.teams.team_member_add (with the team)."""
        return {"volunteer": self.validated_data["volunteer"], "is_leader": self.validated_data["is_leader"]}


# ---- points ----------------------------------------------------------------------------------------


class PointEntryOutputSerializer(serializers.ModelSerializer):
    volunteer = VolunteerRefSerializer(read_only=True)
    # plain text here: the codes are the award's "kind" enum (one enum, one name in the schema)
    contribution = serializers.CharField(
        read_only=True,
        help_text="The contribution awarded or corrected (the award's kind); empty for redemptions.",
    )
    actor = serializers.SerializerMethodField()

    class Meta:
        model = PointEntry
        fields = [
            "id",
            "volunteer",
            "kind",
            "contribution",
            "points",
            "reason",
            "idempotency_key",
            "reverses",
            "redemption",
            "actor",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_actor(self, entry):
        return entry.actor.display_name if entry.actor_id else ""


class PointsAwardInputSerializer(serializers.Serializer):
    # keys sent by API clients live in their own namespace, so no client can claim (or replay)
    # the keys other apps use for their awards ("patrol:12", "clue:7", …)
    KEY_PREFIX = "api:"

    volunteer = StationPrimaryKeyField(Volunteer)
    kind = serializers.ChoiceField(choices=ContributionKind.choices)
    quantity = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    idempotency_key = serializers.RegexField(
        r"^[A-Za-z0-9._:\-]{1,100}$",
        help_text="Chosen by the client, unique per award: repeating a request with the same key awards "
        "once and answers the first award (200 instead of 201).",
        error_messages={"invalid": _("Use 1 to 100 letters, digits and . _ : - for the key.")},
    )

    def service_kwargs(self) -> dict[str, Any]:
        """The arguments of services.points.points_award (with the station and the actor)."""
        data = self.validated_data
        return {
            "volunteer": data["volunteer"],
            "kind": data["kind"],
            "quantity": data["quantity"],
            "reason": data["reason"],
            "idempotency_key": self.KEY_PREFIX + data["idempotency_key"],
        }


class PointsReverseInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255, allow_blank=False)

    def service_kwargs(self) -> dict[str, Any]:
        return {"reason": self.validated_data["reason"]}


# ---- rewards and redemptions -------------------------------------------------------------------------


class RewardOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reward
        fields = [
            "id",
            "kind",
            "name",
            "description",
            "cost_points",
            "stock",
            "threshold_points",
            "is_active",
        ]
        read_only_fields = fields


class RewardRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RedemptionOutputSerializer(serializers.ModelSerializer):
    volunteer = VolunteerRefSerializer(read_only=True)
    reward = RewardRefSerializer(read_only=True)
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = Redemption
        fields = [
            "id",
            "volunteer",
            "reward",
            "points",
            "status",
            "requested_at",
            "decided_by",
            "decided_at",
            "refusal_reason",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_decided_by(self, redemption):
        return redemption.decided_by.display_name if redemption.decided_by_id else ""


class RedemptionRefuseInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=False)

    def service_kwargs(self) -> dict[str, Any]:
        return {"reason": self.validated_data["reason"]}
