"""Planning pages under /s/<station>/patrols/: routes and checkpoints on a map with their QR
sheet, schedules, the coverage week, a shift's roster with officers' assignments, the volunteers'
shift board (sign up, withdraw) and the hot spots.

Writes go through patrols.services.planning, fed by the forms' ``service_kwargs()``; DomainErrors
become form errors or messages."""

import datetime
import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from jointdefense.core.errors import DomainError
from jointdefense.core.forms import add_domain_error
from jointdefense.core.views import InvalidFormIs400Mixin
from jointdefense.tenancy.roles import has_station_perm
from jointdefense.tenancy.views import BureauStationsMixin, StationViewMixin
from teams.selectors import volunteers as team_selectors

from ..forms.planning import (
    WEEKDAY_CHOICES,
    AssignTeamForm,
    AssignVolunteerForm,
    CheckpointForm,
    CoverageFilterForm,
    HotspotForm,
    RouteForm,
    ScheduleForm,
    ShiftForm,
)
from ..models import Checkpoint, Route, Schedule, Shift, Signup
from ..selectors import planning as selectors
from ..selectors import signups as signup_selectors
from ..selectors.eligibility import patrol_refusal, patrol_refusal_session
from ..selectors.field import team_ids_visible_to
from ..services import planning as services
from ..services import signups

WEEKDAY_NAMES = dict(WEEKDAY_CHOICES)


# ---- routes and checkpoints -------------------------------------------------------------------------


class RouteListView(StationViewMixin, ListView):
    permission_required = "patrol.plan"
    template_name = "patrols/route_list.html"
    context_object_name = "routes"
    paginate_by = 100

    def get_queryset(self):
        return selectors.route_list(tenant=self.tenant)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["map_data"] = selectors.route_map(tenant=self.tenant, routes=ctx["routes"])
        return ctx


class RouteFormMixin(InvalidFormIs400Mixin, StationViewMixin):
    permission_required = "patrol.plan"
    template_name = "patrols/route_form.html"
    form_class = RouteForm

    def dispatch(self, request, *args, **kwargs):
        self.route = None
        return super().dispatch(request, *args, **kwargs)

    def load(self):
        return Route(tenant=self.tenant)

    def get_form_kwargs(self):
        self.route = self.route or self.load()
        return {**super().get_form_kwargs(), "tenant": self.tenant, "instance": self.route}

    def form_valid(self, form):
        try:
            route = services.route_save(**form.service_kwargs(), actor=self.request.user)
        except DomainError as err:
            add_domain_error(form, err)
            return self.form_invalid(form)
        messages.success(self.request, _("Route “%(name)s” saved.") % {"name": route.name})
        return redirect("patrols:route-detail", station=self.tenant.slug, pk=route.pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["route"] = self.route if self.route and self.route.pk else None
        ctx["map_data"] = selectors.station_layers(tenant=self.tenant)
        return ctx


class RouteCreateView(RouteFormMixin, FormView):
    pass


class RouteEditView(RouteFormMixin, FormView):
    def load(self):
        return get_object_or_404(Route.objects.filter(tenant=self.tenant), pk=self.kwargs["pk"])


class RouteDetailView(StationViewMixin, TemplateView):
    permission_required = "patrol.plan"
    template_name = "patrols/route_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        route = get_object_or_404(
            Route.objects.filter(tenant=self.tenant).select_related("community"), pk=self.kwargs["pk"]
        )
        checkpoints = list(selectors.checkpoint_list(route=route))
        ctx.update(
            route=route,
            checkpoints=checkpoints,
            schedules=list(selectors.route_schedules(route=route)),
            map_data=selectors.route_map(
                tenant=self.tenant,
                routes=[route],
                checkpoints=checkpoints,
                communities=[route.community] if route.community else [],
            ),
        )
        return ctx


class CheckpointFormMixin(InvalidFormIs400Mixin, StationViewMixin):
    permission_required = "patrol.plan"
    template_name = "patrols/checkpoint_form.html"
    form_class = CheckpointForm

    def dispatch(self, request, *args, **kwargs):
        self.checkpoint = None
        return super().dispatch(request, *args, **kwargs)

    def get_route(self):
        if not hasattr(self, "route"):
            self.route = get_object_or_404(
                Route.objects.filter(tenant=self.tenant).select_related("community"), pk=self.kwargs["pk"]
            )
        return self.route

    def load(self):
        return Checkpoint(tenant=self.tenant, route=self.get_route())

    def get_form_kwargs(self):
        self.checkpoint = self.checkpoint or self.load()
        return {**super().get_form_kwargs(), "instance": self.checkpoint}

    def form_valid(self, form):
        try:
            checkpoint = services.checkpoint_save(**form.service_kwargs(), actor=self.request.user)
        except DomainError as err:
            add_domain_error(form, err)
            return self.form_invalid(form)
        messages.success(self.request, _("Checkpoint “%(name)s” saved.") % {"name": checkpoint.name})
        return redirect("patrols:route-detail", station=self.tenant.slug, pk=self.get_route().pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        route = self.get_route()
        others = [c for c in selectors.checkpoint_list(route=route) if c.pk != self.checkpoint.pk]
        layers = selectors.route_map(
            tenant=self.tenant,
            routes=[route],
            checkpoints=others,
            communities=[route.community] if route.community else [],
        )
        ctx.update(route=route, checkpoint=self.checkpoint if self.checkpoint.pk else None, map_data=layers)
        return ctx


class CheckpointCreateView(CheckpointFormMixin, FormView):
    pass


class CheckpointEditView(CheckpointFormMixin, FormView):
    def load(self):
        return get_object_or_404(
            Checkpoint.objects.filter(tenant=self.tenant, route=self.get_route()),
            pk=self.kwargs["checkpoint"],
        )


def qr_svg(data: str) -> str:
    """An SVG QR code (inline, no file, no font) for ``data``."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]  # without the XML declaration, to sit inside the page


class RouteQRSheetView(StationViewMixin, TemplateView):
    """A printable sheet: one QR code per active checkpoint, opening its check-in page."""

    permission_required = "patrol.plan"
    template_name = "patrols/route_qr.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        route = get_object_or_404(Route.objects.filter(tenant=self.tenant), pk=self.kwargs["pk"])
        codes = []
        for checkpoint in selectors.checkpoint_list(route=route).filter(is_active=True):
            url = self.request.build_absolute_uri(
                reverse(
                    "patrols:check-in", kwargs={"station": self.tenant.slug, "qr_token": checkpoint.qr_token}
                )
            )
            codes.append({"checkpoint": checkpoint, "url": url, "svg": mark_safe(qr_svg(url))})  # noqa: S308
        ctx.update(route=route, codes=codes)
        return ctx


# ---- schedules ----------------------------------------------------------------------------------------


class ScheduleListView(StationViewMixin, ListView):
    permission_required = "patrol.plan"
    template_name = "patrols/schedule_list.html"
    context_object_name = "schedules"
    paginate_by = 100

    def get_queryset(self):
        return selectors.schedule_list(tenant=self.tenant)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        for schedule in ctx["schedules"]:
            schedule.weekday_names = ", ".join(
                str(WEEKDAY_NAMES[d]) for d in schedule.weekdays if d in WEEKDAY_NAMES
            )
        return ctx


class ScheduleFormMixin(InvalidFormIs400Mixin, StationViewMixin):
    permission_required = "patrol.plan"
    template_name = "patrols/schedule_form.html"
    form_class = ScheduleForm

    def dispatch(self, request, *args, **kwargs):
        self.schedule = None
        return super().dispatch(request, *args, **kwargs)

    def load(self):
        return Schedule(tenant=self.tenant, valid_from=timezone.localdate())

    def get_form_kwargs(self):
        self.schedule = self.schedule or self.load()
        return {**super().get_form_kwargs(), "tenant": self.tenant, "instance": self.schedule}

    def form_valid(self, form):
        try:
            schedule = services.schedule_save(**form.service_kwargs(), actor=self.request.user)
        except DomainError as err:
            if err.field == "rotation":
                err.field = "turn_1"
            add_domain_error(form, err)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Schedule “%(name)s” saved; its shifts for the next four weeks are on the coverage page.")
            % {"name": schedule.name},
        )
        return redirect("patrols:schedule-list", station=self.tenant.slug)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["schedule"] = self.schedule if self.schedule and self.schedule.pk else None
        return ctx


class ScheduleCreateView(ScheduleFormMixin, FormView):
    pass


class ScheduleEditView(ScheduleFormMixin, FormView):
    def load(self):
        return get_object_or_404(Schedule.objects.filter(tenant=self.tenant), pk=self.kwargs["pk"])


# ---- coverage and a shift's roster --------------------------------------------------------------------


class LedTeamsMixin:
    def led_team_ids(self):
        """None when the user sees every shift of the station; else the ids of the teams they lead."""
        if not hasattr(self, "_led"):
            self._led = team_ids_visible_to(tenant=self.tenant, user=self.request.user)
        return self._led


class CoverageView(BureauStationsMixin, LedTeamsMixin, StationViewMixin, TemplateView):
    """A week of shifts: signed up against needed, gaps highlighted. Team leaders see their teams'."""

    permission_required = "shift.view_coverage"
    template_name = "patrols/coverage.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        led = self.led_team_ids()
        form = CoverageFilterForm(self.request.GET or None, tenant=self.tenant, teams=led)
        data = form.cleaned_data if form.is_valid() else {}
        week = selectors.week_start_of(data.get("week") or timezone.localdate())
        shifts = selectors.coverage_shifts(
            tenant=self.tenant,
            team_ids=led,
            tier=data.get("tier"),
            route=data.get("route"),
            team=data.get("team"),
        )
        query = self.request.GET.copy()
        query.pop("week", None)
        ctx.update(
            form=form,
            coverage=selectors.coverage_week(tenant=self.tenant, week_start=week, shifts=shifts),
            previous_week=week - datetime.timedelta(days=7),
            next_week=week + datetime.timedelta(days=7),
            filter_query=query.urlencode(),
            only_led=led is not None,
            can_plan=has_station_perm(self.request.user, self.tenant, "patrol.plan"),
        )
        return ctx


class ShiftAccessMixin(LedTeamsMixin, StationViewMixin):
    def get_shift(self):
        shift = get_object_or_404(selectors.shift_list(tenant=self.tenant), pk=self.kwargs["pk"])
        led = self.led_team_ids()
        if led is not None and shift.team_id not in led:
            raise PermissionDenied
        return shift


class ShiftDetailView(ShiftAccessMixin, View):
    permission_required = "shift.view_coverage"
    template_name = "patrols/shift_detail.html"

    def get(self, request, station, pk):
        return render(request, self.template_name, self.context(self.get_shift()))

    def context(self, shift, volunteer_form=None, team_form=None, refused=None):
        can_plan = has_station_perm(self.request.user, self.tenant, "patrol.plan")
        tz = self.tenant.zoneinfo
        return {
            "shift": shift,
            "local_start": shift.starts_at.astimezone(tz),
            "local_end": shift.ends_at.astimezone(tz),
            "roster": list(signup_selectors.shift_roster(shift=shift)),
            "can_plan": can_plan,
            "volunteer_form": volunteer_form
            or (AssignVolunteerForm(tenant=self.tenant) if can_plan else None),
            "team_form": team_form or (AssignTeamForm(tenant=self.tenant) if can_plan else None),
            "refused": refused or [],
        }


class ShiftAssignView(ShiftDetailView):
    """POST a volunteer or a team: the officer's assignment (each refusal shown with its reason)."""

    permission_required = "patrol.plan"
    http_method_names = ["post"]

    def post(self, request, station, pk):
        shift = self.get_shift()
        if "team" in request.POST:
            form = AssignTeamForm(request.POST, tenant=self.tenant)
            if form.is_valid():
                try:
                    assigned, refused = signups.shift_assign_team(
                        shift=shift, **form.service_kwargs(), actor=request.user
                    )
                except DomainError as err:
                    add_domain_error(form, err)
                else:
                    messages.success(
                        request,
                        _("%(n)d of the team's members are on the shift.") % {"n": len(assigned)},
                    )
                    if not refused:
                        return redirect("patrols:shift-detail", station=self.tenant.slug, pk=shift.pk)
                    shift = self.get_shift()
                    return render(request, self.template_name, self.context(shift, refused=refused))
            return render(request, self.template_name, self.context(shift, team_form=form), status=400)
        form = AssignVolunteerForm(request.POST, tenant=self.tenant)
        if form.is_valid():
            try:
                signups.shift_assign(shift=shift, **form.service_kwargs(), actor=request.user)
            except DomainError as err:
                add_domain_error(form, err)
            else:
                messages.success(
                    request,
                    _("%(name)s is on the shift.") % {"name": form.cleaned_data["volunteer"].full_name},
                )
                return redirect("patrols:shift-detail", station=self.tenant.slug, pk=shift.pk)
        return render(request, self.template_name, self.context(shift, volunteer_form=form), status=400)


class ShiftCreateView(InvalidFormIs400Mixin, StationViewMixin, FormView):
    """An officer adds a one-off shift (for example where the hot spots say incidents cluster)."""

    permission_required = "patrol.plan"
    template_name = "patrols/shift_form.html"
    form_class = ShiftForm

    def get_initial(self):
        keys = ("route", "team", "day", "start", "end", "headcount")
        return {k: self.request.GET[k] for k in keys if self.request.GET.get(k)}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "tenant": self.tenant}

    def form_valid(self, form):
        try:
            shift = services.shift_create(**form.service_kwargs(), actor=self.request.user)
        except DomainError as err:
            add_domain_error(form, err)
            return self.form_invalid(form)
        messages.success(self.request, _("Shift added."))
        return redirect("patrols:shift-detail", station=self.tenant.slug, pk=shift.pk)


class ShiftCancelView(ShiftAccessMixin, View):
    permission_required = "patrol.plan"

    def post(self, request, station, pk):
        shift = self.get_shift()
        services.shift_cancel(shift=shift, actor=request.user)
        messages.success(request, _("The shift is cancelled."))
        return redirect("patrols:shift-detail", station=self.tenant.slug, pk=shift.pk)


class SignupRemoveView(ShiftAccessMixin, View):
    permission_required = "patrol.plan"

    def post(self, request, station, pk, signup):
        shift = self.get_shift()
        signup = get_object_or_404(Signup.objects.filter(tenant=self.tenant, shift=shift), pk=signup)
        try:
            signups.shift_withdraw(signup=signup, actor=request.user, by_officer=True)
        except DomainError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, _("Taken off the shift."))
        return redirect("patrols:shift-detail", station=self.tenant.slug, pk=shift.pk)


# ---- the volunteers' shift board ----------------------------------------------------------------------


class VolunteerShiftMixin(StationViewMixin):
    permission_required = "shift.signup"

    def get_volunteer(self):
        volunteer = team_selectors.volunteer_for_user(tenant=self.tenant, user=self.request.user)
        if volunteer is None:
            raise Http404
        return volunteer


class ShiftBoardView(VolunteerShiftMixin, ListView):
    """Upcoming shifts the volunteer can join, and the ones they are on."""

    template_name = "patrols/shift_board.html"
    context_object_name = "shifts"
    paginate_by = 60

    def get_queryset(self):
        self.volunteer = self.get_volunteer()
        return signup_selectors.shift_board(tenant=self.tenant, volunteer=self.volunteer)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        signup_selectors.mark_clashes(ctx["shifts"], tz=self.tenant.zoneinfo)
        ctx.update(
            volunteer=self.volunteer,
            refusal=(refusal := patrol_refusal(self.volunteer)),
            refusal_session=patrol_refusal_session(self.volunteer) if refusal else None,
            cutoff_hours=int(signups.withdrawal_cutoff().total_seconds() // 3600),
        )
        return ctx


class ShiftSignupView(VolunteerShiftMixin, View):
    def post(self, request, station, pk):
        volunteer = self.get_volunteer()
        shift = get_object_or_404(Shift.objects.filter(tenant=self.tenant), pk=pk)
        try:
            signups.shift_signup(shift=shift, volunteer=volunteer, actor=request.user)
        except DomainError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, _("You are on the shift. Thank you!"))
        return redirect("patrols:shifts", station=self.tenant.slug)


class ShiftWithdrawView(VolunteerShiftMixin, View):
    def post(self, request, station, pk):
        volunteer = self.get_volunteer()
        signup = get_object_or_404(
            Signup.objects.filter(
                tenant=self.tenant, volunteer=volunteer, withdrawn_at__isnull=True
            ).select_related("shift"),
            shift_id=pk,
        )
        try:
            signups.shift_withdraw(signup=signup, actor=request.user)
        except DomainError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, _("You have withdrawn from the shift."))
        return redirect("patrols:shifts", station=self.tenant.slug)


# ---- hot spots ----------------------------------------------------------------------------------------


class HotspotView(BureauStationsMixin, StationViewMixin, TemplateView):
    """Where and when incidents cluster near routes, and whether shifts cover those hours."""

    permission_required = "patrol.view_hotspots"
    template_name = "patrols/hotspots.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = HotspotForm(self.request.GET or None)
        metres = (form.cleaned_data.get("metres") if form.is_valid() else None) or selectors.HOTSPOT_METRES
        spots = selectors.hotspots_with_cover(tenant=self.tenant, metres=metres)
        for spot in spots:
            spot.weekday_name = str(WEEKDAY_NAMES[spot.weekday])
        layers = selectors.hotspot_map(tenant=self.tenant)
        ctx.update(
            form=form,
            spots=spots,
            metres=metres,
            days=selectors.HOTSPOT_DAYS,
            map_data=layers,
            can_plan=has_station_perm(self.request.user, self.tenant, "patrol.plan"),
        )
        return ctx
