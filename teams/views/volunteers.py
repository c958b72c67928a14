"""Volunteer pages: the public application (phone first), the screening queue, the roster, a
volunteer's record with the screening actions its status allows."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.db import IntegrityError, transaction
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
from jointdefense.tenancy.views import StationViewMixin

from .. import selectors, services
from ..filters import VolunteerFilter
from ..forms import (
    AVAILABILITY_CHOICES,
    ApplyForm,
    BackgroundReviewForm,
    ClassifyForm,
    NoteForm,
    ReasonForm,
    phone_username,
)
from ..models import BackgroundReview, Volunteer
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
        if selectors.volunteer_for_user(tenant=self.tenant, user=request.user) is not None:
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
            with transaction.atomic():
                user = self.request.user
                if form.creates_account:
                    user = get_user_model().objects.create_user(
                        username=phone_username(form.cleaned_data["phone"]),
                        password=form.cleaned_data["password1"],
                        full_name=form.cleaned_data["full_name"].strip(),
                        phone=form.cleaned_data["phone"],
                    )
                services.volunteer_apply(tenant=self.tenant, user=user, **form.service_kwargs())
        except DomainError as err:
            add_domain_error(form, err)
            return self.form_invalid(form)
        except IntegrityError:
            # a concurrent application or registration with the same phone number won the race
            form.add_error(
                None, _("This phone number was registered a moment ago. Log in, or use another number.")
            )
            return self.form_invalid(form)
        if form.creates_account:
            login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
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
        return selectors.application_list(tenant=self.tenant)


class VolunteerListView(StationViewMixin, ListView):
    permission_required = "volunteer.view"
    template_name = "teams/volunteer_list.html"
    context_object_name = "volunteers"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = VolunteerFilter(
            self.request.GET or None,
            queryset=selectors.volunteer_list(tenant=self.tenant),
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
    "approve": (NoteForm, {S.UNDER_REVIEW}, gettext_lazy("Approve")),
    "activate": (NoteForm, {S.APPROVED}, gettext_lazy("Activate")),
    "reject": (ReasonForm, {S.APPLIED, S.UNDER_REVIEW, S.APPROVED}, gettext_lazy("Reject")),
    "suspend": (ReasonForm, {S.ACTIVE}, gettext_lazy("Suspend")),
    "reinstate": (NoteForm, {S.SUSPENDED}, gettext_lazy("Reinstate")),
    "retire": (NoteForm, {S.ACTIVE, S.SUSPENDED}, gettext_lazy("Retire")),
    "classify": (
        ClassifyForm,
        {S.APPLIED, S.UNDER_REVIEW, S.APPROVED, S.ACTIVE, S.SUSPENDED},
        gettext_lazy("Save roles"),
    ),
}


def _run_action(action, volunteer, actor, data):
    """Call the service of ``action`` with the form's cleaned ``data``; returns the success message."""
    if action == "start-review":
        services.volunteer_start_review(volunteer=volunteer, actor=actor)
        return _("The review of %(name)s has started.")
    if action == "review":
        review = services.background_review_record(
            volunteer=volunteer,
            actor=actor,
            result=data["result"],
            reviewed_on=data["reviewed_on"],
            notes=data["notes"],
        )
        if review.result == BackgroundReview.Result.PASSED:
            return _("Background review recorded: %(name)s passed.")
        return _("Background review recorded: %(name)s did not pass.")
    if action == "approve":
        services.volunteer_approve(volunteer=volunteer, actor=actor, note=data["note"])
        return _("%(name)s is approved.")
    if action == "activate":
        services.volunteer_activate(volunteer=volunteer, actor=actor, note=data["note"])
        return _("%(name)s is now an active volunteer.")
    if action == "reinstate":
        if volunteer.status != S.SUSPENDED:
            raise DomainError(_("Only a suspended volunteer can be reinstated."), code="transition")
        services.volunteer_activate(volunteer=volunteer, actor=actor, note=data["note"])
        return _("%(name)s is reinstated.")
    if action == "reject":
        services.volunteer_reject(volunteer=volunteer, actor=actor, reason=data["reason"])
        return _("The application of %(name)s is rejected.")
    if action == "suspend":
        services.volunteer_suspend(volunteer=volunteer, actor=actor, reason=data["reason"])
        return _("%(name)s is suspended.")
    if action == "retire":
        services.volunteer_retire(volunteer=volunteer, actor=actor, note=data["note"])
        return _("%(name)s is retired.")
    if action == "classify":
        services.volunteer_classify(volunteer=volunteer, actor=actor, roles=data["roles"])
        return _("The roles of %(name)s are saved.")
    raise Http404


class VolunteerPageMixin(StationViewMixin):
    """The volunteer's record, shared by the page and by its actions (which show it again, with
    the errors, when an action is refused)."""

    model = Volunteer
    template_name = "teams/volunteer_detail.html"

    def get_volunteer(self, pk):
        return get_object_or_404(
            Volunteer.objects.filter(tenant=self.tenant).select_related(
                "user", "home_community", "background_group"
            ),
            pk=pk,
        )

    def detail_context(self, volunteer, bound=None):
        user = self.request.user
        can_screen = has_station_perm(user, self.tenant, "volunteer.screen")
        actions = []
        if can_screen:
            for slug, (form_class, statuses, label) in ACTIONS.items():
                if volunteer.status not in statuses:
                    continue
                if bound is not None and bound[0] == slug:
                    form = bound[1]
                elif form_class is ClassifyForm:
                    form = ClassifyForm(initial={"roles": volunteer.roles}, prefix=slug)
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
            "actions": {a["slug"]: a for a in actions},
            "history": list(selectors.screening_history(volunteer=volunteer)),
            "reviews": list(
                BackgroundReview.objects.filter(tenant=self.tenant, volunteer=volunteer).select_related(
                    "officer"
                )
            ),
            "memberships": list(
                volunteer.team_memberships.filter(tenant=self.tenant)
                .select_related("team")
                .order_by("team__name")
            ),
            **points_panel_context(request=self.request, volunteer=volunteer),
        }


class VolunteerDetailView(VolunteerPageMixin, DetailView):
    permission_required = "volunteer.view"
    context_object_name = "volunteer"

    def get_object(self, queryset=None):
        return self.get_volunteer(self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(self.detail_context(self.object))
        return ctx


class VolunteerActionView(VolunteerPageMixin, View):
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
        try:
            message = _run_action(action, volunteer, request.user, form.cleaned_data if form else {})
        except DomainError as err:
            if form is None:
                return self.refused(volunteer, action, None, [err.message])
            add_domain_error(form, err)
            return self.refused(volunteer, action, form)
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
