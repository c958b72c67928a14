"""The teams API under /api/s/<station>/: volunteers, applications (screening), teams, the points
ledger, rewards and redemptions. Thin views: the input serializer validates and hands the service
its arguments (``service_kwargs()``), a service in teams.services writes (DomainError → 400 in
core.api.exception_handler), the output serializer answers. Querysets come from teams.selectors
(``station_queryset``), restricted to the station."""

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from jointdefense.tenancy.api.base import StationViewSet
from jointdefense.tenancy.roles import has_station_perm

from ..filters import PointEntryFilter, RedemptionFilter, RewardFilter, TeamFilter, VolunteerFilter
from ..models import PointEntry, Redemption, Reward, Team, TeamMember, Volunteer
from ..selectors.points import point_entry_reversed, station_ledger
from ..selectors.rewards import redemption_list, reward_catalogue, reward_list
from ..selectors.teams import team_list_with_roster
from ..selectors.volunteers import application_list_with_balance, volunteer_list_with_balance
from ..services import screening
from ..services.points import points_award, points_reverse
from ..services.rewards import redemption_approve, redemption_refuse
from ..services.teams import team_member_add, team_member_remove, team_save
from ..services.volunteers import volunteer_classify
from . import serializers as s


def validated_input(serializer_class: Any, request: Any, **kwargs: Any) -> Any:
    """The validated input serializer of an action (its ``service_kwargs()``), or a 400 with its
    messages."""
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer


class IdNumberContextMixin:
    """Full ID numbers for those who may see them (tenancy.roles), masked for everyone else."""

    def get_serializer_context(self):
        ctx = super().get_serializer_context()
        tenant = getattr(self.request, "tenant", None)
        ctx["show_id_numbers"] = tenant is not None and has_station_perm(
            self.request.user, tenant, "volunteer.view_id_number"
        )
        return ctx


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

    def station_queryset(self):
        return volunteer_list_with_balance(tenant=self.tenant)

    @extend_schema(
        summary="Classify a volunteer: set the roles (publicity, mediation, …)",
        request=s.VolunteerClassifyInputSerializer,
        responses=s.VolunteerOutputSerializer,
    )
    @action(detail=True, methods=["patch"])
    def classify(self, request, station=None, pk=None):
        volunteer = self.get_object()
        data = validated_input(s.VolunteerClassifyInputSerializer, request)
        volunteer_classify(volunteer=volunteer, actor=request.user, **data.service_kwargs())
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

    def station_queryset(self):
        return application_list_with_balance(tenant=self.tenant)

    def _answer(self, volunteer):
        # after activation the volunteer has left the application list: read it from the roster
        roster = volunteer_list_with_balance(tenant=self.tenant)
        return Response(self.get_serializer(roster.get(pk=volunteer.pk)).data)

    @_screening_action("Start screening an application")
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request, station=None, pk=None):
        volunteer = screening.volunteer_start_review(volunteer=self.get_object(), actor=request.user)
        return self._answer(volunteer)

    @_screening_action("Record the background review", s.ReviewInputSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, station=None, pk=None):
        volunteer = self.get_object()
        data = validated_input(s.ReviewInputSerializer, request)
        screening.background_review_record(volunteer=volunteer, actor=request.user, **data.service_kwargs())
        return self._answer(volunteer)

    @_screening_action(
        "Approve an application (needs a passed background review)", s.ScreeningNoteInputSerializer
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, station=None, pk=None):
        volunteer = self.get_object()
        data = validated_input(s.ScreeningNoteInputSerializer, request)
        return self._answer(
            screening.volunteer_approve(volunteer=volunteer, actor=request.user, **data.service_kwargs())
        )

    @_screening_action("Reject an application, saying why", s.RejectInputSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, station=None, pk=None):
        volunteer = self.get_object()
        data = validated_input(s.RejectInputSerializer, request)
        return self._answer(
            screening.volunteer_reject(volunteer=volunteer, actor=request.user, **data.service_kwargs())
        )

    @_screening_action("Activate an approved volunteer", s.ScreeningNoteInputSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, station=None, pk=None):
        volunteer = self.get_object()
        data = validated_input(s.ScreeningNoteInputSerializer, request)
        return self._answer(
            screening.volunteer_activate(volunteer=volunteer, actor=request.user, **data.service_kwargs())
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

    def station_queryset(self):
        # Whoever reads the roster (staff, bureau viewers) sees every team; a team leader only
        # the teams they lead (tenancy.roles: "team.view" for team leaders is their own teams).
        sees_all = has_station_perm(self.request.user, self.tenant, "volunteer.view")
        return team_list_with_roster(tenant=self.tenant, led_by=None if sees_all else self.request.user)

    def _detail(self, team, *, status_code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=team.pk)).data, status=status_code)

    def create(self, request, *args, **kwargs):
        data = validated_input(s.TeamInputSerializer, request)
        team = team_save(actor=request.user, **data.service_kwargs(team=Team(tenant=self.tenant)))
        return self._detail(team, status_code=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        team = self.get_object()
        data = validated_input(s.TeamInputSerializer, request, partial=kwargs.get("partial", False))
        team_save(actor=request.user, **data.service_kwargs(team=team))
        return self._detail(team)

    @extend_schema(
        summary="Add a volunteer to the team, or change whether they lead it",
        request=s.TeamMemberInputSerializer,
        responses={201: s.TeamMemberOutputSerializer},
    )
    @action(detail=True, methods=["post"])
    def members(self, request, station=None, pk=None):
        team = self.get_object()
        data = validated_input(s.TeamMemberInputSerializer, request)
        member = team_member_add(team=team, actor=request.user, **data.service_kwargs())
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
        team_member_remove(team=team, volunteer=member.volunteer, actor=request.user)
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

    def station_queryset(self):
        return station_ledger(tenant=self.tenant)

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
        data = validated_input(s.PointsAwardInputSerializer, request)
        award = data.service_kwargs()
        entry, created = points_award(tenant=self.tenant, actor=request.user, **award)
        if not created and (
            entry.volunteer_id != award["volunteer"].pk or entry.contribution != award["kind"]
        ):
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
        data = validated_input(s.PointsReverseInputSerializer, request)
        corrected_before = point_entry_reversed(entry=entry)
        reversal = points_reverse(entry=entry, actor=request.user, **data.service_kwargs())
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

    def station_queryset(self):
        if has_station_perm(self.request.user, self.tenant, "reward.manage"):
            return reward_list(tenant=self.tenant).order_by("kind", "cost_points", "threshold_points", "name")
        return reward_catalogue(tenant=self.tenant)


@extend_schema_view(
    list=extend_schema(summary="Requests to redeem points for rewards, newest first"),
    retrieve=extend_schema(summary="One redemption request"),
)
class RedemptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StationViewSet):
    model = Redemption
    serializer_class = s.RedemptionOutputSerializer
    filterset_class = RedemptionFilter
    station_permissions = {"*": "redemption.decide"}

    def station_queryset(self):
        return redemption_list(tenant=self.tenant).order_by("-requested_at", "-pk")

    def _answer(self, redemption):
        return Response(self.get_serializer(self.get_queryset().get(pk=redemption.pk)).data)

    @extend_schema(
        summary="Approve a redemption request", request=None, responses=s.RedemptionOutputSerializer
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, station=None, pk=None):
        return self._answer(redemption_approve(redemption=self.get_object(), actor=request.user))

    @extend_schema(
        summary="Refuse a redemption request, saying why (the points and the item go back)",
        request=s.RedemptionRefuseInputSerializer,
        responses=s.RedemptionOutputSerializer,
    )
    @action(detail=True, methods=["post"])
    def refuse(self, request, station=None, pk=None):
        redemption = self.get_object()
        data = validated_input(s.RedemptionRefuseInputSerializer, request)
        return self._answer(
            redemption_refuse(redemption=redemption, actor=request.user, **data.service_kwargs())
        )
