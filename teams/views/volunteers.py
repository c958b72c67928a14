"""Volunteer pages: the public application (phone first), the screening queue, the roster, a
volunteer's record with the screening actions its status allows."""

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from jointdefense.core.errors import DomainError
from jointdefense.core.forms import add_domain_error
from jointdefense.core.throttling import anonymous_submission_allowed
from jointdefense.core.views import InvalidFormIs400Mixin
from jointdefense.tenancy.roles import has_station_perm
from jointdefense.tenancy.views import BureauStationsMixin, StationViewMixin

from ..filters import VolunteerFilter
from ..forms.screening import BackgroundReviewForm, ClassifyForm, ScreeningNoteForm, ScreeningReasonForm
from ..forms.volunteers import AVAILABILITY_CHOICES, ApplyForm, VolunteerEmailForm
from ..models import BackgroundReview, Volunteer
from ..selectors.screening import review_list, screening_history
from ..selectors.teams import team_memberships
from ..selectors.volunteers import application_list, volunteer_for_user, volunteer_list, volunteer_record
from ..services import screening
from ..services.volunteers import volunteer_apply, volunteer_classify, volunteer_email_set
from .points import points_panel_context

S = Volunteer.Status


# ---- applying -------------------------------------------------------------------------------------


class ApplyView(InvalidFormIs400Mixin, FormView):
    """Public: anyone may apply to volunteer at a station. A visitor without an account gets one
    (the phone number's digits are its name) in the same transaction as the application."""

    template_name = "teams/apply.html"
    form_class = ApplyForm

    def dispatch(self, request, *args, **kwargs):
        self.tenant = request.tenant
        if self.tenant is None or self.tenant.is_bureau:
            raise Http404
        if volunteer_for_user(tenant=self.tenant, user=request.user) is not None:
            messages.info(request, _("You have already applied to volunteer at this station."))
            return redirect("teams:my-volunteering", station=self.tenant.slug)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "tenant": self.tenant, "user": self.request.user}

    def get_initial(self):
        user = self.request.user
        if user.is_authenticated:
            return {"full_name": user.full_name, "phone": user.phone}
        return {}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["login_url"] = f"{reverse('accounts:login')}?next={self.request.path}"
        return ctx

    def form_valid(self, form):
        if form.creates_account and not anonymous_submission_allowed(self.request, "volunteer_apply"):
            form.add_error(
                None, _("Too many applications from this connection. Please try again in an hour.")
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        try:
            volunteer = volunteer_apply(
                tenant=self.tenant,
                user=None if form.creates_account else self.request.user,
                **form.service_kwargs(),
            )
        except DomainError as err:
            add_domain_error(form, err)
            return self.form_invalid(form)
        if form.creates_account:
            login(self.request, volunteer.user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            self.request,
            _("Thank you: your application has been received. The station will review it and tell you here."),
        )
        return redirect("teams:my-volunteering", station=self.tenant.slug)


# ---- screening queue and roster -------------------------------------------------------------------


class ApplicationListView(StationViewMixin, ListView):
    permission_required = "volunteer.screen"
    template_name = "teams/application_list.html"
    context_object_name = "applications"
    paginate_by = 50

    def get_queryset(self):
        return application_list(tenant=self.tenant)


class VolunteerListView(BureauStationsMixin, StationViewMixin, ListView):
    permission_required = "volunteer.view"
    template_name = "teams/volunteer_list.html"
    context_object_name = "volunteers"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = VolunteerFilter(
            self.request.GET or None,
            queryset=volunteer_list(tenant=self.tenant),
            tenant=self.tenant,
            request=self.request,
        )
        status = self.filterset.form.fields["status"]
        status.widget = forms.CheckboxSelectMultiple(choices=status.choices)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["filter"] = self.filterset
        ctx["filtering"] = any(v for k, v in self.request.GET.items() if k != "page")
        ctx["can_export"] = has_station_perm(user, self.tenant, "volunteer.export")
        ctx["can_import"] = has_station_perm(user, self.tenant, "volunteer.import")
        return ctx


# ---- one volunteer --------------------------------------------------------------------------------


# action slug → (form class, the statuses it applies to, label of its button)
ACTIONS = {
    "start-review": (None, {S.APPLIED}, gettext_lazy("Start review")),
    "review": (BackgroundReviewForm, {S.APPLIED, S.UNDER_REVIEW}, gettext_lazy("Record background review")),
    "approve": (ScreeningNoteForm, {S.UNDER_REVIEW}, gettext_lazy("Approve")),
    "activate": (ScreeningNoteForm, {S.APPROVED}, gettext_lazy("Activate")),
    "reject": (ScreeningReasonForm, {S.APPLIED, S.UNDER_REVIEW, S.APPROVED}, gettext_lazy("Reject")),
    "suspend": (ScreeningReasonForm, {S.ACTIVE}, gettext_lazy("Suspend")),
    "reinstate": (ScreeningNoteForm, {S.SUSPENDED}, gettext_lazy("Reinstate")),
    "retire": (ScreeningNoteForm, {S.ACTIVE, S.SUSPENDED}, gettext_lazy("Retire")),
    "classify": (
        ClassifyForm,
        {S.APPLIED, S.UNDER_REVIEW, S.APPROVED, S.ACTIVE, S.SUSPENDED},
        gettext_lazy("Save roles"),
    ),
    # the account's e-mail (shown with the record's facts, not with the screening steps)
    "email": (VolunteerEmailForm, set(S.values), gettext_lazy("Save e-mail")),
}


# action slug → (service, the success message); each service takes the form's service_kwargs()
ACTION_SERVICES = {
    "start-review": (screening.volunteer_start_review, gettext_lazy("The review of %(name)s has started.")),
    "review": (screening.background_review_record, None),
    "approve": (screening.volunteer_approve, gettext_lazy("%(name)s is approved.")),
    "activate": (screening.volunteer_activate, gettext_lazy("%(name)s is now an active volunteer.")),
    "reinstate": (screening.volunteer_reinstate, gettext_lazy("%(name)s is reinstated.")),
    "reject": (screening.volunteer_reject, gettext_lazy("The application of %(name)s is rejected.")),
    "suspend": (screening.volunteer_suspend, gettext_lazy("%(name)s is suspended.")),
    "retire": (screening.volunteer_retire, gettext_lazy("%(name)s is retired.")),
    "classify": (volunteer_classify, gettext_lazy("The roles of %(name)s are saved.")),
    "email": (volunteer_email_set, gettext_lazy("The e-mail of %(name)s is saved.")),
}


class VolunteerRecordMixin(StationViewMixin):
    """The volunteer's record, shared by the page and by its actions (which show it again, with
    the errors, when an action is refused)."""

    model = Volunteer
    template_name = "teams/volunteer_detail.html"

    def get_volunteer(self, pk):
        return get_object_or_404(volunteer_record(tenant=self.tenant), pk=pk)

    def detail_context(self, volunteer, bound=None):
        user = self.request.user
        can_screen = has_station_perm(user, self.tenant, "volunteer.screen")
        actions = []
        if can_screen:
            for slug, (form_class, statuses, label) in ACTIONS.items():
                if volunteer.status not in statuses or (slug == "email" and volunteer.user_id is None):
                    continue
                if bound is not None and bound[0] == slug:
                    form = bound[1]
                elif form_class is ClassifyForm:
                    form = ClassifyForm(initial={"roles": volunteer.roles}, prefix=slug)
                elif form_class is VolunteerEmailForm:
                    form = VolunteerEmailForm(initial={"email": volunteer.user.email}, prefix=slug)
                elif form_class is not None:
                    form = form_class(prefix=slug)
                else:
                    form = None
                actions.append({"slug": slug, "label": label, "form": form})
        slot_labels = dict(AVAILABILITY_CHOICES)
        return {
            "volunteer": volunteer,
            "availability": [slot_labels.get(slot, slot) for slot in volunteer.availability],
            "show_id_number": has_station_perm(user, self.tenant, "volunteer.view_id_number"),
            "can_screen": can_screen,
            "actions": {a["slug"]: a for a in actions if a["slug"] != "email"},
            "email_action": next((a for a in actions if a["slug"] == "email"), None),
            "history": list(screening_history(volunteer=volunteer)),
            "reviews": list(review_list(volunteer=volunteer)),
            "memberships": list(team_memberships(volunteer=volunteer)),
            **points_panel_context(request=self.request, volunteer=volunteer),
        }


class VolunteerDetailView(VolunteerRecordMixin, DetailView):
    permission_required = "volunteer.view"
    context_object_name = "volunteer"

    def get_object(self, queryset=None):
        return self.get_volunteer(self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(self.detail_context(self.object))
        return ctx


class VolunteerActionView(VolunteerRecordMixin, View):
    """POST /volunteers/<pk>/<action>/: one screening step. A refused step shows the record again
    with the reason (status 400) and changes nothing."""

    permission_required = "volunteer.screen"

    def post(self, request, station, pk, action):
        if action not in ACTIONS:
            raise Http404
        volunteer = self.get_volunteer(pk)
        form_class = ACTIONS[action][0]
        form = form_class(request.POST, prefix=action) if form_class is not None else None
        if form is not None and not form.is_valid():
            return self.refused(volunteer, action, form)
        service, message = ACTION_SERVICES[action]
        try:
            result = service(
                volunteer=volunteer, actor=request.user, **(form.service_kwargs() if form else {})
            )
        except DomainError as err:
            if form is None:
                return self.refused(volunteer, action, None, [err.message])
            add_domain_error(form, err)
            return self.refused(volunteer, action, form)
        if action == "review":
            message = (
                _("Background review recorded: %(name)s passed.")
                if result.result == BackgroundReview.Result.PASSED
                else _("Background review recorded: %(name)s did not pass.")
            )
        messages.success(request, message % {"name": volunteer.full_name})
        return redirect("teams:volunteer-detail", station=self.tenant.slug, pk=volunteer.pk)

    def refused(self, volunteer, action, form, errors=None):
        """Show the record again (status 400) with why the action was refused: above the record,
        and on the action's form when the status still offers it."""
        volunteer.refresh_from_db()
        ctx = self.detail_context(volunteer, bound=(action, form) if form is not None else None)
        if errors is None:
            errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        ctx["refused"] = {"label": ACTIONS[action][2], "errors": errors}
        return render(self.request, self.template_name, ctx, status=400)
