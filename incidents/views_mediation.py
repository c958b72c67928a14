"""Dispute mediation pages: officers open and close mediations; a mediation volunteer sees the ones
they mediate and records their sessions."""

import django_filters
from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from jointdefense.core.forms import add_domain_error
from jointdefense.tenancy.models import Community
from jointdefense.tenancy.roles import has_station_perm
from jointdefense.tenancy.views import StationViewMixin

from . import mediation as svc
from .models import Mediation, MediationParty, Report


def mediator_choices(tenant):
    """One choice list for both kinds of mediator: "officer:<user id>" and "volunteer:<id>" (2 queries)."""
    officers = [(f"officer:{u.pk}", u.display_name) for u in svc.mediator_officers(tenant=tenant)]
    volunteers = [(f"volunteer:{v.pk}", v.full_name) for v in svc.mediator_volunteers(tenant=tenant)]
    return [(_("Officers"), officers), (_("Mediation volunteers"), volunteers)]


def split_mediator(value):
    kind, _sep, pk = (value or "").partition(":")
    return kind, int(pk) if pk.isdigit() else None


class MediationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=gettext_lazy("Status"), choices=Mediation.Status.choices)
    kind = django_filters.ChoiceFilter(label=gettext_lazy("Kind of dispute"), choices=Mediation.Kind.choices)
    community = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Community"), queryset=Community.objects.none()
    )
    mediator = django_filters.ChoiceFilter(label=gettext_lazy("Mediator"), method="filter_mediator")

    class Meta:
        model = Mediation
        fields = []

    def __init__(self, data=None, *args, tenant, with_mediator=True, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["community"].queryset = Community.objects.filter(tenant=tenant).order_by("name")
        if with_mediator:
            self.filters["mediator"].extra["choices"] = mediator_choices(tenant)
        else:
            del self.filters["mediator"]

    def filter_mediator(self, queryset, name, value: str):
        kind, pk = split_mediator(value)
        if kind == "officer":
            return queryset.filter(mediator_officer_id=pk)
        if kind == "volunteer":
            return queryset.filter(mediator_volunteer_id=pk)
        return queryset


class MediationListView(StationViewMixin, ListView):
    permission_required = "mediation.view"
    template_name = "incidents/mediation/list.html"
    context_object_name = "mediations"
    paginate_by = 50

    def get_queryset(self):
        self.manager = svc.can_see_all(self.request.user, self.tenant)
        qs = svc.mediation_list(tenant=self.tenant, user=self.request.user)
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


class OpenForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of dispute"), choices=Mediation.Kind.choices)
    summary = forms.CharField(
        label=gettext_lazy("What the dispute is about"),
        max_length=svc.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    community = forms.ModelChoiceField(
        label=gettext_lazy("Community"), queryset=Community.objects.none(), required=False
    )
    mediator = forms.ChoiceField(label=gettext_lazy("Mediator"))
    applicant_name = forms.CharField(label=gettext_lazy("Applicant"), max_length=100, required=False)
    applicant_phone = forms.CharField(label=gettext_lazy("Applicant's phone"), max_length=30, required=False)
    respondent_name = forms.CharField(label=gettext_lazy("Respondent"), max_length=100, required=False)
    respondent_phone = forms.CharField(
        label=gettext_lazy("Respondent's phone"), max_length=30, required=False
    )

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Community.objects.filter(tenant=tenant).order_by("name")
        self.fields["mediator"].choices = [("", "---------"), *mediator_choices(tenant)]


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
        return get_object_or_404(
            Report.objects.filter(tenant=self.tenant).select_related("category", "community"), pk=pk
        )

    def get(self, request, *args, **kwargs):
        report = self.get_report()
        initial = {}
        if report is not None:
            initial = {"summary": report.description, "community": report.community_id}
        return self.page(OpenForm(tenant=self.tenant, initial=initial), report)

    def post(self, request, *args, **kwargs):
        report = self.get_report()
        form = OpenForm(request.POST, tenant=self.tenant)
        if form.is_valid():
            data = form.cleaned_data
            kind, pk = split_mediator(data["mediator"])
            officer = volunteer = None
            if kind == "officer":
                officer = svc.mediator_officers(tenant=self.tenant).filter(pk=pk).first()
            elif kind == "volunteer":
                volunteer = svc.mediator_volunteers(tenant=self.tenant).filter(pk=pk).first()
            parties = [
                (data[f"{role}_name"], role, data[f"{role}_phone"])
                for role in ("applicant", "respondent")
                if data[f"{role}_name"].strip()
            ]
            try:
                mediation = svc.mediation_open(
                    tenant=self.tenant,
                    actor=request.user,
                    kind=data["kind"],
                    summary=data["summary"],
                    community=data["community"],
                    mediator_officer=officer,
                    mediator_volunteer=volunteer,
                    report=report,
                    parties=parties,
                )
            except svc.MediationError as err:
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
        return get_object_or_404(svc.mediation_list(tenant=self.tenant, user=self.request.user), pk=pk)


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
                "parties": list(mediation.parties.all()) if svc.can_see_parties(user, mediation) else None,
                "sessions": list(mediation.sessions.select_related("recorded_by")),
                "can_manage": has_station_perm(user, self.tenant, "mediation.manage"),
            },
        )


class SessionForm(forms.Form):
    held_at = forms.DateTimeField(
        label=gettext_lazy("Held"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200)
    attendees = forms.CharField(label=gettext_lazy("Who attended"), max_length=500, required=False)
    notes = forms.CharField(
        label=gettext_lazy("Notes"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class OutcomeForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        choices=[c for c in Mediation.Status.choices if c[0] != Mediation.Status.OPEN],
    )
    outcome = forms.CharField(
        label=gettext_lazy("How it ended"),
        max_length=svc.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("For a referral: to which court or agency."),
    )
    agreement = forms.CharField(
        label=gettext_lazy("Agreement"),
        max_length=svc.MAX_AGREEMENT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Required when the dispute is settled or partly settled."),
    )


class PartyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    role = forms.ChoiceField(label=gettext_lazy("Role in the dispute"), choices=MediationParty.Role.choices)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=30, required=False)


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
                self.perform(mediation, form.cleaned_data)
            except svc.MediationError as err:
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
    form_class = SessionForm
    title = gettext_lazy("Record a session")

    def initial(self, mediation):
        return {"held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}

    def perform(self, mediation, data):
        svc.mediation_session_add(mediation=mediation, actor=self.request.user, **data)


class OutcomeView(MediationFormView):
    permission_required = "mediation.manage"
    form_class = OutcomeForm
    title = gettext_lazy("Record the outcome")
    done_message = gettext_lazy("The outcome is recorded and the mediation is closed.")

    def perform(self, mediation, data):
        _m, entry = svc.mediation_record_outcome(mediation=mediation, actor=self.request.user, **data)
        if entry is not None:
            messages.info(
                self.request,
                _("%(name)s earns %(points)d points.")
                % {"name": entry.volunteer.full_name, "points": entry.points},
            )


class PartyAddView(MediationFormView):
    permission_required = "mediation.manage"
    form_class = PartyForm
    title = gettext_lazy("Add a party")

    def perform(self, mediation, data):
        svc.mediation_party_add(mediation=mediation, actor=self.request.user, **data)


class PartyEditView(MediationFormView):
    permission_required = "mediation.manage"
    form_class = PartyForm
    title = gettext_lazy("Edit the party")

    def get_mediation(self, pk):
        mediation = super().get_mediation(pk)
        self.party = get_object_or_404(
            MediationParty.objects.filter(tenant=self.tenant, mediation=mediation), pk=self.kwargs["party"]
        )
        return mediation

    def initial(self, mediation):
        return {"name": self.party.name, "role": self.party.role, "phone": self.party.phone}

    def perform(self, mediation, data):
        svc.mediation_party_edit(party=self.party, actor=self.request.user, **data)
