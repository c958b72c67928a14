"""Team pages: the list, creating and editing a team, its roster, adding and removing members.

A team leader who is not an officer or chief sees only the teams they lead: another team of the
station answers 403 (another station's team answers 404, like every other station's object)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView

from jointdefense.core.errors import DomainError
from jointdefense.core.forms import add_domain_error
from jointdefense.core.views import InvalidFormIs400Mixin
from jointdefense.tenancy.models import Role
from jointdefense.tenancy.roles import STAFF, has_station_perm, roles_for
from jointdefense.tenancy.views import StationViewMixin

from ..filters import VolunteerFilter
from ..forms.teams import TeamForm, TeamMemberForm
from ..models import Team, Volunteer
from ..selectors.teams import team_grid_cells, team_list, team_roster, teams_led_by
from ..services.teams import team_member_add, team_member_remove, team_save

# filters the roster of one team offers (a subset of the station roster's)
ROSTER_FILTERS = ("q", "role", "community", "weekday", "daypart")


class TeamAccessMixin(StationViewMixin):
    model = Team

    def led_team_ids(self):
        """None when the user sees every team of the station; else the ids of the teams they lead."""
        if not hasattr(self, "_led_team_ids"):
            roles = roles_for(self.request.user, self.tenant)
            sees_all = bool(roles & (STAFF | {Role.BUREAU_VIEWER}))
            self._led_team_ids = (
                None if sees_all else teams_led_by(tenant=self.tenant, user=self.request.user)
            )
        return self._led_team_ids

    def get_team(self):
        team = get_object_or_404(
            Team.objects.filter(tenant=self.tenant).select_related("home_community"), pk=self.kwargs["pk"]
        )
        led = self.led_team_ids()
        if led is not None and team.pk not in led:
            raise PermissionDenied
        return team


class TeamListView(TeamAccessMixin, ListView):
    permission_required = "team.view"
    template_name = "teams/team_list.html"
    context_object_name = "teams"
    paginate_by = 100

    def get_queryset(self):
        qs = team_list(tenant=self.tenant)
        led = self.led_team_ids()
        return qs if led is None else qs.filter(pk__in=led)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage"] = has_station_perm(self.request.user, self.tenant, "team.manage")
        ctx["only_led"] = self.led_team_ids() is not None
        return ctx


class TeamFormMixin(InvalidFormIs400Mixin, TeamAccessMixin):
    permission_required = "team.manage"
    template_name = "teams/team_form.html"
    form_class = TeamForm

    def get(self, request, *args, **kwargs):
        self.team = self.load_team()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.team = self.load_team()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "tenant": self.tenant, "instance": self.team}

    def form_valid(self, form):
        try:
            team = team_save(actor=self.request.user, **form.service_kwargs())
        except DomainError as err:
            add_domain_error(form, err)
            return self.form_invalid(form)
        messages.success(self.request, _("Team “%(name)s” saved.") % {"name": team.name})
        return redirect("teams:team-detail", station=self.tenant.slug, pk=team.pk)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "team": self.team if self.team.pk else None}


class TeamCreateView(TeamFormMixin, FormView):
    def load_team(self):
        return Team(tenant=self.tenant)


class TeamEditView(TeamFormMixin, FormView):
    def load_team(self):
        return self.get_team()


class TeamDetailView(TeamAccessMixin, View):
    permission_required = "team.view"
    template_name = "teams/team_detail.html"

    def get(self, request, station, pk):
        team = self.get_team()
        return render(request, self.template_name, team_detail_context(self, team))


def team_detail_context(view, team, member_form=None):
    request = view.request
    tenant = view.tenant
    can_manage = has_station_perm(request.user, tenant, "team.manage")
    data = {k: v for k, v in request.GET.lists() if k in ROSTER_FILTERS and any(v)}
    filterset = VolunteerFilter(
        request.GET if data else None,
        queryset=Volunteer.objects.filter(tenant=tenant, team_memberships__team=team),
        tenant=tenant,
    )
    roster = team_roster(team=team)
    if data:
        roster = roster.filter(volunteer__in=filterset.qs.values("pk"))
    members = list(roster)
    if can_manage and member_form is None:
        member_form = TeamMemberForm(tenant=tenant, team=team)
    return {
        "team": team,
        "members": members,
        "leaders": [m for m in members if m.is_leader],
        "filter": filterset,
        "filtering": bool(data),
        "roster_filters": ROSTER_FILTERS,
        "grid_cells": list(team_grid_cells(team=team)),
        "can_manage": can_manage,
        "can_view_volunteers": has_station_perm(request.user, tenant, "volunteer.view"),
        "member_form": member_form if can_manage else None,
    }


class TeamMemberAddView(TeamAccessMixin, View):
    permission_required = "team.manage"

    def post(self, request, station, pk):
        team = self.get_team()
        form = TeamMemberForm(request.POST, tenant=self.tenant, team=team)
        if form.is_valid():
            volunteer = form.cleaned_data["volunteer"]
            try:
                team_member_add(team=team, actor=request.user, **form.service_kwargs())
            except DomainError as err:
                add_domain_error(form, err)
            else:
                messages.success(request, _("%(name)s is in the team.") % {"name": volunteer.full_name})
                return redirect("teams:team-detail", station=self.tenant.slug, pk=team.pk)
        return render(
            request, TeamDetailView.template_name, team_detail_context(self, team, form), status=400
        )


class TeamMemberRemoveView(TeamAccessMixin, View):
    permission_required = "team.manage"

    def post(self, request, station, pk, volunteer):
        team = self.get_team()
        volunteer = get_object_or_404(Volunteer.objects.filter(tenant=self.tenant), pk=volunteer)
        team_member_remove(team=team, volunteer=volunteer, actor=request.user)
        messages.success(request, _("%(name)s has left the team.") % {"name": volunteer.full_name})
        return redirect("teams:team-detail", station=self.tenant.slug, pk=team.pk)
