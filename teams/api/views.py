"""The teams API under /api/s/<station>/: volunteers, applications (screening), teams, the points
ledger, rewards and redemptions. Thin views: the input serializer validates, a service in
teams.services writes (DomainError → 400 in core.api.exception_handler), the output serializer
answers. Querysets come from teams.selectors, restricted to the station."""

import django_filters
from django.db.models import IntegerField, OuterRef, Prefetch, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from jointdefense.core.api import validated
from jointdefense.tenancy.api.base import StationViewSet
from jointdefense.tenancy.models import GridCell
from jointdefense.tenancy.roles import has_station_perm

from .. import selectors, services
from ..filters import VolunteerFilter
from ..models import ContributionKind, PointEntry, Redemption, Reward, Team, TeamMember, Volunteer
from . import serializers as s

# Filters are declared, never derived from model fields: deriving them would query the default
# manager, which refuses to run outside a tenant scope (and would offer every model field).


class TeamFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(choices=Team.Type.choices, label="team type")
    community = django_filters.CharFilter(field_name="home_community__slug", label="community short name")
    is_active = django_filters.BooleanFilter(label="active teams only (true) or inactive only (false)")

    class Meta:
        model = Team
        fields = []


class PointEntryFilter(django_filters.FilterSet):
    volunteer = django_filters.NumberFilter(field_name="volunteer_id", label="volunteer id")
    kind = django_filters.ChoiceFilter(choices=PointEntry.Kind.choices, label="kind of entry")
    contribution = django_filters.ChoiceFilter(choices=ContributionKind.choices, label="contribution")

    class Meta:
        model = PointEntry
        fields = []


class RewardFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Reward.Kind.choices, label="kind of reward")

    class Meta:
        model = Reward
        fields = []


class RedemptionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Redemption.Status.choices, label="status")
    volunteer = django_filters.NumberFilter(field_name="volunteer_id", label="volunteer id")

    class Meta:
        model = Redemption
        fields = []


def roster(tenant):
    """Volunteers with community, group, passed review and balance (one query) and their teams
    (one more)."""
    return with_balance(selectors.volunteer_list(tenant=tenant).select_related("background_review"))


class IdNumberContextMixin:
    """Full ID numbers for those who may see them (accounts.roles), masked for everyone else."""

    def get_serializer_context(self):
        ctx = super().get_serializer_context()
        tenant = getattr(self.request, "tenant", None)
        ctx["show_id_numbers"] = tenant is not None and has_station_perm(
            self.request.user, tenant, "volunteer.view_id_number"
        )
        return ctx


def with_balance(queryset):
    """Annotate each volunteer's points balance (the sum of its ledger entries) in the same query."""
    total = (
        PointEntry.objects.filter(tenant=OuterRef("tenant"), volunteer=OuterRef("pk"))
        .order_by()
        .values("volunteer")
        .annotate(total=Sum("points"))
        .values("total")
    )
    return queryset.annotate(balance=Coalesce(Subquery(total, output_field=IntegerField()), 0))


# ---- volunteers --------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="The station's volunteers (roster), with their points balance"),
    retrieve=extend_schema(summary="One volunteer"),
)
class VolunteerViewSet(
    IdNumberContextMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, StationViewSet
):
    model = Volunteer
    serializer_class = s.VolunteerOutputSerializer
    filterset_class = VolunteerFilter
    station_permissions = {
        "list": "volunteer.view",
        "retrieve": "volunteer.view",
        "classify": "volunteer.screen",
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Volunteer.objects.none()
        return roster(self.request.tenant)

    @extend_schema(
        summary="Classify a volunteer: set the roles (publicity, mediation, …)",
        request=s.VolunteerClassifyInputSerializer,
        responses=s.VolunteerOutputSerializer,
    )
    @action(detail=True, methods=["patch"])
    def classify(self, request, station=None, pk=None):
        volunteer = self.get_object()
        data = validated(s.VolunteerClassifyInputSerializer, request)
        services.volunteer_classify(volunteer=volunteer, actor=request.user, roles=data["roles"])
        return Response(self.get_serializer(self.get_queryset().get(pk=volunteer.pk)).data)


# ---- applications and screening ------------------------------------------------------------------


def _screening_action(summary, request_serializer=None):
    return extend_schema(
        summary=summary,
        request=request_serializer,
        responses={
            200: s.VolunteerOutputSerializer,
            400: OpenApiResponse(description="The step is not allowed now; the message says why."),
        },
    )


@extend_schema_view(
    list=extend_schema(summary="Applications being screened: applied, under review, approved"),
    retrieve=extend_schema(summary="One application"),
)
class ApplicationViewSet(
    IdNumberContextMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, StationViewSet
):
    """Screening: applied → under review → background review recorded → approved → active, or
    rejected with a reason. Each step is one service call; a refused step is a 400 with the
    reason and changes nothing."""

    model = Volunteer
    serializer_class = s.VolunteerOutputSerializer
    filterset_class = VolunteerFilter
    station_permissions = {"*": "volunteer.screen"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Volunteer.objects.none()
        return with_balance(
            selectors.application_list(tenant=self.request.tenant).select_related("background_review")
        )

    def _answer(self, volunteer):
        # after activation the volunteer has left the application list: read it from the roster
        return Response(self.get_serializer(roster(self.request.tenant).get(pk=volunteer.pk)).data)

    @_screening_action("Start screening an application")
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request, station=None, pk=None):
        volunteer = services.volunteer_start_review(volunteer=self.get_object(), actor=request.user)
        return self._answer(volunteer)

    @_screening_action("Record the background review", s.ReviewInputSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, station=None, pk=None):
        volunteer = self.get_object()
        data = validated(s.ReviewInputSerializer, request)
        services.background_review_record(
            volunteer=volunteer,
            actor=request.user,
            result=data["result"],
            reviewed_on=data["reviewed_on"],
            notes=data["notes"],
        )
        return self._answer(volunteer)

    @_screening_action(
        "Approve an application (needs a passed background review)", s.ScreeningNoteInputSerializer
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, station=None, pk=None):
        volunteer = self.get_object()
        data = validated(s.ScreeningNoteInputSerializer, request)
        return self._answer(
            services.volunteer_approve(volunteer=volunteer, actor=request.user, note=data["note"])
        )

    @_screening_action("Reject an application, saying why", s.RejectInputSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, station=None, pk=None):
        volunteer = self.get_object()
        data = validated(s.RejectInputSerializer, request)
        return self._answer(
            services.volunteer_reject(volunteer=volunteer, actor=request.user, reason=data["reason"])
        )

    @_screening_action("Activate an approved volunteer", s.ScreeningNoteInputSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, station=None, pk=None):
        volunteer = self.get_object()
        data = validated(s.ScreeningNoteInputSerializer, request)
        return self._answer(
            services.volunteer_activate(volunteer=volunteer, actor=request.user, note=data["note"])
        )


# ---- teams -----------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="The station's teams (team leaders: the teams they lead)"),
    retrieve=extend_schema(summary="One team with its roster", responses=s.TeamOutputSerializer),
    create=extend_schema(
        summary="Create a team", request=s.TeamInputSerializer, responses={201: s.TeamOutputSerializer}
    ),
    update=extend_schema(
        summary="Change a team", request=s.TeamInputSerializer, responses=s.TeamOutputSerializer
    ),
    partial_update=extend_schema(
        summary="Change some of a team's fields",
        request=s.TeamInputSerializer,
        responses=s.TeamOutputSerializer,
    ),
)
class TeamViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    StationViewSet,
):
    model = Team
    serializer_class = s.TeamOutputSerializer
    filterset_class = TeamFilter
    station_permissions = {
        "list": "team.view",
        "retrieve": "team.view",
        "create": "team.manage",
        "update": "team.manage",
        "partial_update": "team.manage",
        "members": "team.manage",
        "remove_member": "team.manage",
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Team.objects.none()
        tenant = self.request.tenant
        qs = selectors.team_list(tenant=tenant).prefetch_related(
            Prefetch("grid_cells", queryset=GridCell.objects.filter(tenant=tenant).order_by("code")),
            Prefetch(
                "members",
                queryset=TeamMember.objects.filter(tenant=tenant)
                .select_related("volunteer")
                .order_by("-is_leader", "volunteer__full_name"),
                to_attr="roster",
            ),
        )
        # Whoever reads the roster (staff, bureau viewers) sees every team; a team leader only
        # the teams they lead (accounts.roles: "team.view" for team leaders is their own teams).
        if not has_station_perm(self.request.user, tenant, "volunteer.view"):
            qs = qs.filter(pk__in=selectors.teams_led_by(tenant=tenant, user=self.request.user))
        return qs

    def _detail(self, team, *, status_code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=team.pk)).data, status=status_code)

    def create(self, request, *args, **kwargs):
        data = validated(s.TeamInputSerializer, request)
        self._check_name_free(data["name"])
        team = Team(tenant=request.tenant, **{k: v for k, v in data.items() if k != "grid_cells"})
        team = services.team_save(team=team, actor=request.user, grid_cells=data.get("grid_cells"))
        return self._detail(team, status_code=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        team = self.get_object()
        data = validated(s.TeamInputSerializer, request, partial=kwargs.get("partial", False))
        if "name" in data:
            self._check_name_free(data["name"], team=team)
        for field, value in data.items():
            if field != "grid_cells":
                setattr(team, field, value)
        services.team_save(team=team, actor=request.user, grid_cells=data.get("grid_cells"))
        return self._detail(team)

    def _check_name_free(self, name, team=None):
        # team_save's full_clean leaves out the tenant, so the per-station unique name is checked here
        taken = Team.objects.filter(tenant=self.request.tenant, name=name)
        if team is not None:
            taken = taken.exclude(pk=team.pk)
        if taken.exists():
            raise serializers.ValidationError(
                {"name": [_("This station already has a team with this name.")]}
            )

    @extend_schema(
        summary="Add a volunteer to the team, or change whether they lead it",
        request=s.TeamMemberInputSerializer,
        responses={201: s.TeamMemberOutputSerializer},
    )
    @action(detail=True, methods=["post"])
    def members(self, request, station=None, pk=None):
        team = self.get_object()
        data = validated(s.TeamMemberInputSerializer, request)
        member = services.team_member_add(
            team=team, volunteer=data["volunteer"], actor=request.user, is_leader=data["is_leader"]
        )
        return Response(s.TeamMemberOutputSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Remove a volunteer from the team",
        parameters=[OpenApiParameter("volunteer_id", int, OpenApiParameter.PATH, description="volunteer id")],
        request=None,
        responses={204: None},
    )
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<volunteer_id>\d+)")
    def remove_member(self, request, station=None, pk=None, volunteer_id=None):
        team = self.get_object()
        member = get_object_or_404(
            TeamMember.objects.select_related("volunteer"),
            tenant=request.tenant,
            team=team,
            volunteer_id=volunteer_id,
        )
        services.team_member_remove(team=team, volunteer=member.volunteer, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---- points ledger -------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="The station's points ledger, newest first"),
    retrieve=extend_schema(summary="One ledger entry"),
)
class LedgerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StationViewSet):
    """The append-only points ledger. Corrections are new, reversing entries."""

    model = PointEntry
    serializer_class = s.PointEntryOutputSerializer
    filterset_class = PointEntryFilter
    station_permissions = {
        "list": "points.view_ledger",
        "retrieve": "points.view_ledger",
        "award": "points.award",
        "reverse": "points.reverse",
    }
    # keys sent by API clients live in their own namespace, so no client can claim (or replay)
    # the keys other apps use for their awards ("patrol:12", "clue:7", …)
    KEY_PREFIX = "api:"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PointEntry.objects.none()
        return (
            PointEntry.objects.filter(tenant=self.request.tenant)
            .select_related("volunteer", "actor")
            .order_by("-created_at", "-pk")
        )

    @extend_schema(
        summary="Award points for a contribution (idempotent by the client's key)",
        request=s.PointsAwardInputSerializer,
        responses={
            201: OpenApiResponse(s.PointEntryOutputSerializer, description="Awarded."),
            200: OpenApiResponse(s.PointEntryOutputSerializer, description="Awarded before with this key."),
        },
    )
    @action(detail=False, methods=["post"])
    def award(self, request, station=None):
        data = validated(s.PointsAwardInputSerializer, request)
        entry, created = services.points_award(
            tenant=request.tenant,
            volunteer=data["volunteer"],
            kind=data["kind"],
            quantity=data["quantity"],
            reason=data["reason"],
            idempotency_key=self.KEY_PREFIX + data["idempotency_key"],
            actor=request.user,
        )
        if not created and (entry.volunteer_id != data["volunteer"].pk or entry.contribution != data["kind"]):
            raise serializers.ValidationError(
                {
                    "idempotency_key": [
                        _("This key was used for another award; use a new key for a new award.")
                    ]
                }
            )
        entry = self.get_queryset().get(pk=entry.pk)
        return Response(
            self.get_serializer(entry).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(
        summary="Correct an entry with a reversing entry",
        request=s.PointsReverseInputSerializer,
        responses={
            201: OpenApiResponse(s.PointEntryOutputSerializer, description="The correcting entry."),
            200: OpenApiResponse(
                s.PointEntryOutputSerializer, description="Corrected before: that correction."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def reverse(self, request, station=None, pk=None):
        entry = self.get_object()
        data = validated(s.PointsReverseInputSerializer, request)
        corrected_before = PointEntry.objects.filter(tenant=request.tenant, reverses=entry).exists()
        reversal = services.points_reverse(entry=entry, actor=request.user, reason=data["reason"])
        reversal = self.get_queryset().get(pk=reversal.pk)
        return Response(
            self.get_serializer(reversal).data,
            status=status.HTTP_200_OK if corrected_before else status.HTTP_201_CREATED,
        )


# ---- rewards and redemptions ---------------------------------------------------------------------------


@extend_schema_view(list=extend_schema(summary="Rewards on offer (for those who manage them: all rewards)"))
class RewardViewSet(mixins.ListModelMixin, StationViewSet):
    model = Reward
    serializer_class = s.RewardOutputSerializer
    filterset_class = RewardFilter
    station_permissions = {"list": "reward.view"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Reward.objects.none()
        tenant = self.request.tenant
        if has_station_perm(self.request.user, tenant, "reward.manage"):
            return Reward.objects.filter(tenant=tenant).order_by(
                "kind", "cost_points", "threshold_points", "name"
            )
        return selectors.reward_catalogue(tenant=tenant)


@extend_schema_view(
    list=extend_schema(summary="Requests to redeem points for rewards, newest first"),
    retrieve=extend_schema(summary="One redemption request"),
)
class RedemptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StationViewSet):
    model = Redemption
    serializer_class = s.RedemptionOutputSerializer
    filterset_class = RedemptionFilter
    station_permissions = {"*": "redemption.decide"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Redemption.objects.none()
        return selectors.redemption_list(tenant=self.request.tenant).order_by("-requested_at", "-pk")

    def _answer(self, redemption):
        return Response(self.get_serializer(self.get_queryset().get(pk=redemption.pk)).data)

    @extend_schema(
        summary="Approve a redemption request", request=None, responses=s.RedemptionOutputSerializer
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, station=None, pk=None):
        return self._answer(services.redemption_approve(redemption=self.get_object(), actor=request.user))

    @extend_schema(
        summary="Refuse a redemption request, saying why (the points and the item go back)",
        request=s.RedemptionRefuseInputSerializer,
        responses=s.RedemptionOutputSerializer,
    )
    @action(detail=True, methods=["post"])
    def refuse(self, request, station=None, pk=None):
        redemption = self.get_object()
        data = validated(s.RedemptionRefuseInputSerializer, request)
        return self._answer(
            services.redemption_refuse(redemption=redemption, actor=request.user, reason=data["reason"])
        )
