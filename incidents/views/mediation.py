"""Dispute mediation pages: officers open and close mediations; a mediation volunteer sees the ones
they mediate and records their sessions."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from jointdefense.core.forms import add_domain_error
from jointdefense.tenancy.roles import has_station_perm
from jointdefense.tenancy.views import StationViewMixin

from ..errors import MediationError
from ..filters import MediationFilter
from ..forms.mediation import (
    MediationOpenForm,
    MediationOutcomeForm,
    MediationPartyForm,
    MediationSessionForm,
)
from ..selectors.mediation import (
    can_see_all,
    can_see_parties,
    mediation_list,
    mediation_parties,
    mediation_party,
    mediation_report_list,
    mediation_sessions,
)
from ..services.mediation import (
    mediation_open,
    mediation_party_add,
    mediation_party_edit,
    mediation_record_outcome,
    mediation_session_add,
)


class MediationListView(StationViewMixin, ListView):
    permission_required = "mediation.view"
    template_name = "incidents/mediation/list.html"
    context_object_name = "mediations"
    paginate_by = 50

    def get_queryset(self):
        self.manager = can_see_all(self.request.user, self.tenant)
        qs = mediation_list(tenant=self.tenant, user=self.request.user)
        self.filterset = MediationFilter(
            self.request.GET, queryset=qs, tenant=self.tenant, with_mediator=self.manager
        )
        return self.filterset.qs.order_by("-opened_at", "-pk")

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "filter": self.filterset,
            "tenant": self.tenant,
            "can_manage": self.manager,
        }


class MediationOpenView(StationViewMixin, View):
    """Open a mediation; from a dispute report with ?report=<id> (its community comes along)."""

    permission_required = "mediation.manage"
    template_name = "incidents/mediation/open.html"

    def get_report(self):
        pk = self.request.GET.get("report") or self.request.POST.get("report")
        if not pk:
            return None
        if not str(pk).isdigit():
            raise Http404
        return get_object_or_404(mediation_report_list(tenant=self.tenant), pk=pk)

    def get(self, request, *args, **kwargs):
        report = self.get_report()
        initial = {}
        if report is not None:
            initial = {"summary": report.description, "community": report.community_id}
        return self.page(MediationOpenForm(tenant=self.tenant, initial=initial), report)

    def post(self, request, *args, **kwargs):
        report = self.get_report()
        form = MediationOpenForm(request.POST, tenant=self.tenant)
        if form.is_valid():
            try:
                mediation = mediation_open(
                    tenant=self.tenant, actor=request.user, report=report, **form.service_kwargs()
                )
            except MediationError as err:
                add_domain_error(form, err)
            else:
                messages.success(request, _("The mediation is open."))
                return redirect("incidents:mediation-detail", station=self.tenant.slug, pk=mediation.pk)
        return self.page(form, report, status=400)

    def page(self, form, report, status=200):
        return render(
            self.request,
            self.template_name,
            {"tenant": self.tenant, "form": form, "report": report},
            status=status,
        )


class MediationMixin(StationViewMixin):
    """Loads the mediation through the selector, so a volunteer reaches only their own (404)."""

    def get_mediation(self, pk):
        return get_object_or_404(mediation_list(tenant=self.tenant, user=self.request.user), pk=pk)


class MediationDetailView(MediationMixin, View):
    permission_required = "mediation.view"
    template_name = "incidents/mediation/detail.html"

    def get(self, request, *args, pk, **kwargs):
        mediation = self.get_mediation(pk)
        user = request.user
        return render(
            request,
            self.template_name,
            {
                "tenant": self.tenant,
                "mediation": mediation,
                "parties": list(mediation_parties(mediation)) if can_see_parties(user, mediation) else None,
                "sessions": list(mediation_sessions(mediation)),
                "can_manage": has_station_perm(user, self.tenant, "mediation.manage"),
            },
        )


class MediationFormView(MediationMixin, View):
    """A form about one mediation: GET shows it, POST calls the service and returns to the detail."""

    template_name = "incidents/mediation/form.html"
    form_class = None
    title = ""
    done_message = gettext_lazy("Saved.")

    def initial(self, mediation):
        return {}

    def get(self, request, *args, pk, **kwargs):
        mediation = self.get_mediation(pk)
        self.check(mediation)
        return self.page(mediation, self.form_class(initial=self.initial(mediation)))

    def post(self, request, *args, pk, **kwargs):
        mediation = self.get_mediation(pk)
        self.check(mediation)
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                self.perform(mediation, form.service_kwargs())
            except MediationError as err:
                add_domain_error(form, err)
            else:
                messages.success(request, self.done_message)
                return redirect("incidents:mediation-detail", station=self.tenant.slug, pk=mediation.pk)
        return self.page(mediation, form, status=400)

    def check(self, mediation):
        if not mediation.is_open:
            messages.info(self.request, _("This mediation is closed; its outcome is final."))

    def page(self, mediation, form, status=200):
        return render(
            self.request,
            self.template_name,
            {"tenant": self.tenant, "mediation": mediation, "form": form, "title": self.title},
            status=status,
        )


class SessionAddView(MediationFormView):
    permission_required = "mediation.record_session"
    form_class = MediationSessionForm
    title = gettext_lazy("Record a session")

    def initial(self, mediation):
        return {"held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}

    def perform(self, mediation, data):
        mediation_session_add(mediation=mediation, actor=self.request.user, **data)


class OutcomeView(MediationFormView):
    permission_required = "mediation.manage"
    form_class = MediationOutcomeForm
    title = gettext_lazy("Record the outcome")
    done_message = gettext_lazy("The outcome is recorded and the mediation is closed.")

    def perform(self, mediation, data):
        _m, entry = mediation_record_outcome(mediation=mediation, actor=self.request.user, **data)
        if entry is not None:
            messages.info(
                self.request,
                _("%(name)s earns %(points)d points.")
                % {"name": entry.volunteer.full_name, "points": entry.points},
            )


class PartyAddView(MediationFormView):
    permission_required = "mediation.manage"
    form_class = MediationPartyForm
    title = gettext_lazy("Add a party")

    def perform(self, mediation, data):
        mediation_party_add(mediation=mediation, actor=self.request.user, **data)


class PartyEditView(MediationFormView):
    permission_required = "mediation.manage"
    form_class = MediationPartyForm
    title = gettext_lazy("Edit the party")

    def get_mediation(self, pk):
        mediation = super().get_mediation(pk)
        self.party = get_object_or_404(
            mediation_party(tenant=self.tenant, mediation=mediation, pk=self.kwargs["party"])
        )
        return mediation

    def initial(self, mediation):
        return {"name": self.party.name, "role": self.party.role, "phone": self.party.phone}

    def perform(self, mediation, data):
        mediation_party_edit(party=self.party, actor=self.request.user, **data)
