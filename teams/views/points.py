"""Pages of reward points: the volunteer's own page (status, balance, history, titles, catalogue,
redemptions), manual awards and corrections by officers, the leaderboard, the station's point
rules, the reward catalogue and the chief's redemption decisions.

Writes go through teams.services.points (awards, corrections, rules) and teams.services.rewards
(rewards, redemptions).
"""

import copy
import datetime

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from jointdefense.core.errors import DomainError
from jointdefense.core.forms import add_domain_error
from jointdefense.core.views import InvalidFormIs400Mixin
from jointdefense.tenancy.roles import has_station_perm, require_station_perm
from jointdefense.tenancy.views import BureauStationsMixin, StationViewMixin

from ..errors import PointsError
from ..filters import LedgerFilter
from ..forms.points import (
    CorrectionReasonForm,
    PointRuleFormSet,
    PointsAwardForm,
    active_rules,
    award_form_for,
)
from ..forms.rewards import RewardForm
from ..forms.volunteers import VolunteerEmailForm
from ..models import PointEntry, Redemption, Reward, Team, Volunteer
from ..selectors import points as point_selectors
from ..selectors.rewards import redemption_list, redemption_pending_count, reward_catalogue, reward_list
from ..selectors.screening import screening_history
from ..selectors.volunteers import volunteer_for_user
from ..services.points import point_rules_update, points_award, points_reverse
from ..services.rewards import (
    redemption_approve,
    redemption_cancel,
    redemption_refuse,
    redemption_request,
    reward_create,
    reward_update,
)
from ..services.volunteers import volunteer_email_set

S = Volunteer.Status

# what each status means, said to the applicant
STATUS_EXPLANATIONS = {
    S.APPLIED: gettext_lazy(
        "We have your application. An officer of the station will start screening it soon."
    ),
    S.UNDER_REVIEW: gettext_lazy(
        "An officer is screening your application, including the background review every volunteer goes "
        "through. We will tell you the result."
    ),
    S.APPROVED: gettext_lazy(
        "Your application is approved. The station will make you an active volunteer, usually after pre-job "
        "training."
    ),
    S.REJECTED: gettext_lazy("Your application was not accepted. The reason is below."),
    S.ACTIVE: gettext_lazy("You are an active volunteer: you can join teams, patrol and earn points."),
    S.SUSPENDED: gettext_lazy(
        "Your volunteering is paused. You keep your points; ask the station when you can return."
    ),
    S.RETIRED: gettext_lazy("You have retired from volunteering. Thank you for your service."),
}
POINTS_STATUSES = (S.ACTIVE, S.SUSPENDED, S.RETIRED)
LEDGER_PAGE_SIZE = 30


def _safe_next(request):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


# ---- the volunteer's own page ----------------------------------------------------------------------


class OwnVolunteerMixin:
    """The logged-in user's own application in this station: no role needed (applicants are not
    members yet), and nobody else's record is ever reachable from here."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.tenant = request.tenant
        self.volunteer = volunteer_for_user(tenant=self.tenant, user=request.user)
        if self.volunteer is None:
            return self.no_volunteer()
        return super().dispatch(request, *args, **kwargs)

    def no_volunteer(self):
        raise Http404

    def back(self):
        return redirect("teams:my-volunteering", station=self.tenant.slug)


class MyVolunteeringView(OwnVolunteerMixin, TemplateView):
    template_name = "teams/my_volunteering.html"

    def no_volunteer(self):
        messages.info(self.request, _("You have not applied to volunteer at this station yet."))
        return redirect("teams:apply", station=self.tenant.slug)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        volunteer = self.volunteer
        # only status changes and what was said with them: internal review notes stay internal
        timeline = [e for e in screening_history(volunteer=volunteer) if e.from_status != e.to_status]
        ctx.update(
            volunteer=volunteer,
            timeline=timeline,
            status_explanation=STATUS_EXPLANATIONS.get(volunteer.status, ""),
            shows_points=volunteer.status in POINTS_STATUSES,
        )
        if not ctx["shows_points"]:
            return ctx
        balance = point_selectors.balance(volunteer=volunteer)
        earned = point_selectors.earned_points(volunteer=volunteer)
        next_title = point_selectors.next_title(tenant=self.tenant, earned=earned)
        page = Paginator(point_selectors.ledger(volunteer=volunteer), LEDGER_PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        items = [r for r in reward_catalogue(tenant=self.tenant) if r.kind == Reward.Kind.ITEM]
        can_request = volunteer.status == S.ACTIVE
        for item in items:
            item.affordable = balance >= item.cost_points
            item.requestable = can_request and item.affordable and item.stock > 0
        ctx.update(
            balance=balance,
            earned=earned,
            titles=point_selectors.honour_titles(tenant=self.tenant, earned=earned),
            next_title=next_title,
            points_to_next=(next_title.threshold_points - earned) if next_title else None,
            page_obj=page,
            is_paginated=page.has_other_pages(),
            ledger_entries=page.object_list,
            items=items,
            can_request=can_request,
            redemptions=redemption_list(tenant=self.tenant).filter(volunteer=volunteer),
        )
        return ctx


class MyEmailView(InvalidFormIs400Mixin, OwnVolunteerMixin, FormView):
    """The volunteer adds or changes the e-mail of their account (shift reminders, alerts and
    password resets go there; a volunteer who applied online may have none)."""

    template_name = "teams/my_email.html"
    form_class = VolunteerEmailForm

    def get_initial(self):
        return {"email": self.request.user.email}

    def get_context_data(self, **kwargs):
        return super().get_context_data(volunteer=self.volunteer, tenant=self.tenant, **kwargs)

    def form_valid(self, form):
        try:
            volunteer_email_set(volunteer=self.volunteer, actor=self.request.user, **form.service_kwargs())
        except DomainError as err:
            add_domain_error(form, err)
            return self.form_invalid(form)
        messages.success(self.request, _("Your e-mail is saved."))
        return self.back()


class RedemptionRequestView(OwnVolunteerMixin, View):
    http_method_names = ["post"]

    def post(self, request, station, pk):
        reward = get_object_or_404(Reward.objects.filter(tenant=self.tenant), pk=pk)
        try:
            redemption_request(volunteer=self.volunteer, reward=reward, actor=request.user)
        except PointsError as err:
            messages.error(request, err.message)
        else:
            messages.success(
                request,
                _("You asked for “%(reward)s”. %(points)d points are held until the station decides.")
                % {"reward": reward.name, "points": reward.cost_points},
            )
        return self.back()


class RedemptionCancelView(OwnVolunteerMixin, View):
    http_method_names = ["post"]

    def post(self, request, station, pk):
        redemption = get_object_or_404(
            Redemption.objects.filter(tenant=self.tenant, volunteer=self.volunteer).select_related("reward"),
            pk=pk,
        )
        try:
            redemption_cancel(redemption=redemption, actor=request.user)
        except PointsError as err:
            messages.error(request, err.message)
        else:
            messages.success(
                request,
                _("Request for “%(reward)s” cancelled; the points are back in your balance.")
                % {"reward": redemption.reward.name},
            )
        return self.back()


# ---- officers: manual awards and corrections ----------------------------------------------------------


def points_panel_context(*, request, volunteer) -> dict:
    """What the volunteer's page (teams/points_panel.html) needs for the points section: balance,
    the latest entries (each with ``is_reversed``), the award form and what the user may do."""
    tenant = request.tenant
    can_view = has_station_perm(request.user, tenant, "points.view_ledger")
    ctx = {
        "volunteer": volunteer,
        "can_view_points": can_view,
        "can_award": has_station_perm(request.user, tenant, "points.award") and volunteer.status == S.ACTIVE,
        "can_reverse": has_station_perm(request.user, tenant, "points.reverse"),
    }
    if can_view:
        ctx["points_balance"] = point_selectors.balance(volunteer=volunteer)
        ctx["points_entries"] = point_selectors.ledger_with_reversed(volunteer=volunteer, limit=50)
    if ctx["can_award"]:
        ctx["award_form"] = award_form_for(volunteer)
    return ctx


class PointsAwardView(StationViewMixin, View):
    """GET: a page with the award form (also included on the volunteer's page); POST: award."""

    permission_required = "points.award"
    http_method_names = ["get", "post"]

    def setup_volunteer(self, pk):
        self.volunteer = get_object_or_404(Volunteer.objects.filter(tenant=self.tenant), pk=pk)
        self.rules = active_rules(self.tenant.pk)

    def render_form(self, form, status=200):
        return render(
            self.request,
            "teams/points_award.html",
            {"volunteer": self.volunteer, "award_form": form},
            status=status,
        )

    def get(self, request, station, pk):
        self.setup_volunteer(pk)
        return self.render_form(award_form_for(self.volunteer))

    def post(self, request, station, pk):
        self.setup_volunteer(pk)
        form = PointsAwardForm(request.POST, rules=self.rules)
        if not form.is_valid():
            return self.render_form(form, status=400)
        try:
            entry, created = points_award(
                tenant=self.tenant, volunteer=self.volunteer, actor=request.user, **form.service_kwargs()
            )
        except PointsError as err:
            add_domain_error(form, err)
            return self.render_form(form, status=400)
        if created:
            messages.success(
                request,
                _("%(points)d points awarded to %(name)s.")
                % {"points": entry.points, "name": self.volunteer},
            )
        else:
            messages.info(request, _("This award was made already; the form was sent twice."))
        return redirect("teams:volunteer-detail", station=self.tenant.slug, pk=self.volunteer.pk)


class PointsReverseView(StationViewMixin, View):
    """The chief corrects a ledger entry with a reversing entry (entries are never edited)."""

    permission_required = "points.reverse"
    http_method_names = ["post"]

    def post(self, request, station, pk):
        entry = get_object_or_404(
            PointEntry.objects.filter(tenant=self.tenant).select_related("volunteer"), pk=pk
        )
        form = CorrectionReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Say why the entry is corrected."))
        else:
            try:
                reversal = points_reverse(entry=entry, actor=request.user, **form.service_kwargs())
            except PointsError as err:
                messages.error(request, err.message)
            else:
                messages.success(
                    request,
                    _("Corrected: %(points)+d points for %(name)s.")
                    % {"points": reversal.points, "name": entry.volunteer},
                )
        return redirect(
            _safe_next(request)
            or reverse(
                "teams:volunteer-detail", kwargs={"station": self.tenant.slug, "pk": entry.volunteer_id}
            )
        )


# ---- leaderboard and rules -------------------------------------------------------------------------


def _parse_month(value: str) -> datetime.date | None:
    try:
        month = datetime.datetime.strptime(value, "%Y-%m").date()
    except (TypeError, ValueError):
        return None
    # the page links to the next month: December 9999 has none
    return month if 2000 <= month.year < 9999 else None


def _shift_month(month: datetime.date, delta: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + delta
    return datetime.date(index // 12, index % 12 + 1, 1)


class LeaderboardView(BureauStationsMixin, StationViewMixin, TemplateView):
    permission_required = "points.view_leaderboard"
    template_name = "teams/leaderboard.html"

    def get_month(self):
        current = timezone.localdate().replace(day=1)  # the station's time zone (middleware)
        raw = self.request.GET.get("month")
        if not raw:
            return current
        month = _parse_month(raw)
        if month is None:
            messages.error(
                self.request, _("“%(value)s” is not a month; showing this month.") % {"value": raw}
            )
            return current
        return month

    def get_team(self):
        raw = self.request.GET.get("team")
        if not raw:
            return None
        if not raw.isdigit():
            raise Http404
        return get_object_or_404(Team.objects.filter(tenant=self.tenant), pk=int(raw))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        month = self.get_month()
        team = self.get_team()
        teams = list(point_selectors.team_leaderboard(tenant=self.tenant, month=month))
        ctx.update(
            month=month,
            month_value=month.strftime("%Y-%m"),
            previous_month=_shift_month(month, -1).strftime("%Y-%m"),
            next_month=_shift_month(month, 1).strftime("%Y-%m"),
            is_current_month=month == timezone.localdate().replace(day=1),
            team=team,
            leaders=list(point_selectors.leaderboard(tenant=self.tenant, month=month, team=team)),
            teams=teams,
            team_ranking=[t for t in teams if t.points > 0],
            rules=list(point_selectors.point_rule_list(tenant=self.tenant, active_only=True)),
        )
        return ctx


class PointRulesView(StationViewMixin, TemplateView):
    """Everyone sees the rules; the chief changes them (all rules in one form, all or nothing)."""

    permission_required = "points.view_rules"
    template_name = "teams/points_rules.html"

    def rules(self):
        return point_selectors.point_rule_list(tenant=self.tenant)

    def can_manage(self):
        return has_station_perm(self.request.user, self.tenant, "points.manage_rules")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage"] = self.can_manage()
        if "formset" not in ctx and ctx["can_manage"]:
            ctx["formset"] = PointRuleFormSet(queryset=self.rules())
        if not ctx["can_manage"]:
            ctx["rules"] = list(self.rules())
        return ctx

    def post(self, request, station):
        require_station_perm(request.user, self.tenant, "points.manage_rules")
        formset = PointRuleFormSet(request.POST, queryset=self.rules())
        if formset.is_valid():
            changes = [
                (form.instance, form.service_kwargs())
                for form in formset.forms
                if form.instance.pk is not None and form.has_changed()  # edits only, never new rules
            ]
            try:
                changed = point_rules_update(rules_and_values=changes, actor=request.user)
            except PointsError as err:
                messages.error(request, err.message)
            else:
                messages.success(request, _("Point rules saved (%(n)d changed).") % {"n": len(changed)})
                return redirect("teams:point-rules", station=self.tenant.slug)
        return self.render_to_response(self.get_context_data(formset=formset), status=400)


# ---- rewards ---------------------------------------------------------------------------------------


class RewardListView(StationViewMixin, TemplateView):
    permission_required = "reward.view"
    template_name = "teams/reward_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        can_manage = has_station_perm(self.request.user, self.tenant, "reward.manage")
        rewards = reward_list(tenant=self.tenant) if can_manage else reward_catalogue(tenant=self.tenant)
        rewards = list(rewards.order_by("kind", "threshold_points", "cost_points", "name"))
        ctx.update(
            can_manage=can_manage,
            items=[r for r in rewards if r.kind == Reward.Kind.ITEM],
            titles=[r for r in rewards if r.kind == Reward.Kind.TITLE],
        )
        return ctx


class RewardFormMixin(StationViewMixin):
    permission_required = "reward.manage"
    template_name = "teams/reward_form.html"
    form_class = RewardForm

    def get_success_url(self):
        return reverse("teams:reward-list", kwargs={"station": self.tenant.slug})

    def form_valid(self, form):
        try:
            reward = self.save(form)
        except PointsError as err:
            add_domain_error(form, err)
        except ValidationError as err:
            add_domain_error(form, err)
        else:
            messages.success(self.request, _("“%(name)s” saved.") % {"name": reward.name})
            return redirect(self.get_success_url())
        return self.form_invalid(form)


class RewardCreateView(RewardFormMixin, FormView):
    def save(self, form):
        return reward_create(tenant=self.tenant, actor=self.request.user, **form.service_kwargs())


class RewardEditView(RewardFormMixin, FormView):
    def get_reward(self):
        if not hasattr(self, "reward"):
            self.reward = get_object_or_404(Reward.objects.filter(tenant=self.tenant), pk=self.kwargs["pk"])
        return self.reward

    def get_form_kwargs(self):
        # the form validates a copy; the service re-reads the row, locked, and changes it
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = copy.copy(self.get_reward())
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(reward=self.get_reward(), **kwargs)

    def save(self, form):
        return reward_update(reward=self.get_reward(), actor=self.request.user, **form.service_kwargs())


# ---- redemptions (the chief decides) ---------------------------------------------------------------


class LedgerView(StationViewMixin, ListView):
    """The station's points ledger, newest first, filtered by kind, contribution and local days."""

    permission_required = "points.view_ledger"
    template_name = "teams/ledger.html"
    context_object_name = "entries"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = LedgerFilter(
            self.request.GET or None, queryset=point_selectors.station_ledger(tenant=self.tenant)
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["filter"] = self.filterset
        ctx["filtering"] = any(v for k, v in self.request.GET.items() if k != "page")
        ctx["totals"] = point_selectors.ledger_totals(self.filterset.qs)
        return ctx


class RedemptionListView(StationViewMixin, ListView):
    permission_required = "redemption.decide"
    template_name = "teams/redemption_list.html"
    context_object_name = "redemptions"
    paginate_by = 50

    def get_queryset(self):
        pending_first = Case(
            When(status=Redemption.Status.REQUESTED, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return (
            redemption_list(tenant=self.tenant)
            .annotate(pending_first=pending_first)
            .order_by("pending_first", "-requested_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["pending_count"] = redemption_pending_count(tenant=self.tenant)
        return ctx


class RedemptionDecideView(StationViewMixin, View):
    permission_required = "redemption.decide"
    http_method_names = ["post"]

    def post(self, request, station, pk, decision):
        if decision not in ("approve", "refuse"):
            raise Http404
        redemption = get_object_or_404(
            Redemption.objects.filter(tenant=self.tenant).select_related("reward", "volunteer"), pk=pk
        )
        names = {"reward": redemption.reward.name, "name": redemption.volunteer.full_name}
        try:
            if decision == "approve":
                redemption_approve(redemption=redemption, actor=request.user)
                messages.success(request, _("Approved: “%(reward)s” for %(name)s.") % names)
            else:
                redemption_refuse(
                    redemption=redemption, actor=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(
                    request, _("Refused: “%(reward)s” for %(name)s; the points are back.") % names
                )
        except PointsError as err:
            messages.error(request, err.message)
        return redirect(
            _safe_next(request) or reverse("teams:redemption-list", kwargs={"station": self.tenant.slug})
        )
