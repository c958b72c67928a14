"""Officers' pages: the triage queue and a report's case page."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from jointdefense.core.forms import add_domain_error
from jointdefense.tenancy.models import Membership, Role
from jointdefense.tenancy.roles import has_station_perm
from jointdefense.tenancy.views import StationViewMixin
from teams.models import Team

from . import selectors, services
from .errors import ReportError
from .filters import ReportFilter
from .models import Report


class TriageListView(StationViewMixin, ListView):
    permission_required = "report.triage"
    template_name = "incidents/triage_list.html"
    context_object_name = "reports"
    paginate_by = 50

    def get_queryset(self):
        data = self.request.GET.copy()
        if "status" not in data:
            data.setlist("status", selectors.OPEN)
        self.filterset = ReportFilter(
            data, queryset=selectors.triage_queue(tenant=self.tenant), tenant=self.tenant
        )
        return self.filterset.qs.order_by("-created_at")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "filter": self.filterset}


class TriageMapView(TriageListView):
    """The queue on a map: the same filters, the newest matching reports as exact points."""

    template_name = "incidents/triage_map.html"
    paginate_by = None
    MAX_POINTS = 1000

    def get_context_data(self, **kwargs):
        from django.db.models import F, FloatField, Func

        from jointdefense.tenancy.geo import feature_collection

        def coordinate(name):
            return Func(F("location"), function=name, output_field=FloatField())

        # only what a dot needs, coordinates straight from PostGIS: a thousand points stay cheap
        rows = list(
            self.object_list.values_list("pk", "category__name", "status", "priority").annotate(
                lng=coordinate("ST_X"), lat=coordinate("ST_Y")
            )[: self.MAX_POINTS]
        )
        statuses = dict(Report.Status.choices)
        case_url = reverse("incidents:case", kwargs={"station": self.tenant.slug, "pk": 0})[:-2]  # …/0/
        data = feature_collection(station=self.tenant)
        data["features"] += [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lng, lat]},
                "properties": {
                    "layer": "report",
                    "name": f"{category} · {statuses[status]}",
                    "priority": priority,
                    "url": f"{case_url}{pk}/",
                },
            }
            for pk, category, status, priority, lng, lat in rows
        ]
        return {
            "tenant": self.tenant,
            "filter": self.filterset,
            "map_data": data,
            "shown": len(rows),
            "capped": len(rows) == self.MAX_POINTS,
        }


def _members_with(tenant, *roles):
    memberships = Membership.objects.filter(tenant=tenant, is_active=True, roles__overlap=list(roles))
    return memberships.select_related("user").order_by("user__full_name")


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=gettext_lazy("New status"), choices=Report.Status.choices)
    public_text = forms.CharField(
        label=gettext_lazy("Message to the reporter"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    priority = forms.ChoiceField(
        label=gettext_lazy("Priority"), choices=Report.Priority.choices, required=False
    )


class AssignForm(forms.Form):
    officer = forms.ModelChoiceField(label=gettext_lazy("Officer"), queryset=None, required=False)
    team = forms.ModelChoiceField(label=gettext_lazy("Team"), queryset=Team.objects.none(), required=False)
    grid_worker = forms.ModelChoiceField(label=gettext_lazy("Grid worker"), queryset=None, required=False)

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        users = get_user_model().objects
        officers = _members_with(tenant, Role.OFFICER, Role.CHIEF).values_list("user_id", flat=True)
        workers = _members_with(tenant, Role.GRID_WORKER).values_list("user_id", flat=True)
        self.fields["officer"].queryset = users.filter(pk__in=list(officers)).order_by("full_name")
        self.fields["grid_worker"].queryset = users.filter(pk__in=list(workers)).order_by("full_name")
        self.fields["team"].queryset = Team.objects.filter(tenant=tenant, is_active=True).order_by("name")
        for name in ("officer", "grid_worker"):
            self.fields[name].label_from_instance = lambda u: u.display_name


class CommentForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Update"), widget=forms.Textarea(attrs={"rows": 3}))
    public = forms.BooleanField(label=gettext_lazy("Show to the reporter"), required=False)


class VisitForm(forms.Form):
    notes = forms.CharField(
        label=gettext_lazy("What was said at the visit"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ClueForm(forms.Form):
    value = forms.ChoiceField(
        label=gettext_lazy("How the report helped"), choices=Report._meta.get_field("clue_value").choices
    )


class MergeForm(forms.Form):
    other = forms.IntegerField(widget=forms.HiddenInput)
    direction = forms.ChoiceField(
        choices=[
            ("into_this", gettext_lazy("Merge it into this report")),
            ("into_other", gettext_lazy("Merge this report into it")),
        ]
    )


class ReportCaseView(StationViewMixin, View):
    """One report for the officers: exact location, photos, full timeline, and the actions."""

    permission_required = "report.triage"
    template_name = "incidents/report_case.html"
    actions = {
        "transition": TransitionForm,
        "assign": AssignForm,
        "comment": CommentForm,
        "visit": VisitForm,
        "clue": ClueForm,
        "merge": MergeForm,
    }

    def get_report(self, pk):
        return get_object_or_404(selectors.triage_queue(tenant=self.tenant), pk=pk)

    def get(self, request, *args, pk, **kwargs):
        report = self.get_report(pk)
        contact = None
        if request.GET.get("show_contact") and has_station_perm(
            request.user, self.tenant, "report.view_contact"
        ):
            contact = services.report_contact_for(report=report, viewer=request.user)
        return self.page(report, contact=contact)

    def post(self, request, *args, pk, **kwargs):
        report = self.get_report(pk)
        action = request.POST.get("action")
        form_class = self.actions.get(action)
        if form_class is None:
            return self.page(report, status=400)
        extra = {"tenant": self.tenant} if form_class is AssignForm else {}
        form = form_class(request.POST, prefix=action, **extra)
        if form.is_valid():
            try:
                if action == "transition":
                    services.report_transition(
                        report=report,
                        actor=request.user,
                        to=form.cleaned_data["to"],
                        public_text=form.cleaned_data["public_text"],
                        priority=form.cleaned_data["priority"] or None,
                    )
                elif action == "visit":
                    visit = (
                        report.return_visits.filter(visited_at__isnull=True).order_by("-created_at").first()
                    )
                    if visit is None:
                        raise ReportError(_("There is no return visit to record."), code="no_visit")
                    services.return_visit_record(
                        visit=visit, actor=request.user, notes=form.cleaned_data["notes"]
                    )
                elif action == "clue":
                    entry = services.report_mark_clue(
                        report=report, actor=request.user, value=form.cleaned_data["value"]
                    )
                    if entry is not None:
                        messages.info(
                            request,
                            _("%(name)s earns %(points)d points.")
                            % {"name": entry.volunteer.full_name, "points": entry.points},
                        )
                elif action == "merge":
                    other = (
                        selectors.triage_queue(tenant=self.tenant)
                        .filter(pk=form.cleaned_data["other"])
                        .first()
                    )
                    if other is None:
                        raise ReportError(
                            _("Choose another report of this station to merge with."), code="merge"
                        )
                    if form.cleaned_data["direction"] == "into_this":
                        services.report_merge(duplicate=other, into=report, actor=request.user)
                    else:
                        report = services.report_merge(duplicate=report, into=other, actor=request.user)
                elif action == "assign":
                    services.report_assign(report=report, actor=request.user, **form.cleaned_data)
                else:
                    services.report_comment(report=report, actor=request.user, **form.cleaned_data)
            except ReportError as err:
                add_domain_error(form, err)
            else:
                messages.success(request, _("Saved."))
                return redirect("incidents:case", station=self.tenant.slug, pk=report.pk)
        return self.page(report, bound={action: form}, status=400)

    def mediation_context(self, report):
        """A dispute report offers "open a mediation", or links to the one opened from it."""
        from .mediation import DISPUTE_CATEGORY, mediation_for_report

        if report.category.slug != DISPUTE_CATEGORY:
            return {}
        return {
            "is_dispute": True,
            "mediation": mediation_for_report(report=report),
            "can_mediate": has_station_perm(self.request.user, self.tenant, "mediation.manage"),
        }

    def page(self, report, contact=None, bound=None, status=200):
        bound = bound or {}
        forms_ = {
            "transition": bound.get("transition")
            or TransitionForm(prefix="transition", initial={"priority": report.priority}),
            "assign": bound.get("assign")
            or AssignForm(
                prefix="assign",
                tenant=self.tenant,
                initial={
                    "officer": report.assigned_officer_id,
                    "team": report.assigned_team_id,
                    "grid_worker": report.assigned_grid_worker_id,
                },
            ),
            "comment": bound.get("comment") or CommentForm(prefix="comment"),
            "visit": bound.get("visit") or VisitForm(prefix="visit"),
            "clue": bound.get("clue")
            or ClueForm(prefix="clue", initial={"value": report.clue_value or "valuable"}),
        }
        merge_error = bound["merge"].non_field_errors() if "merge" in bound else None
        allowed = services.TRANSITIONS[report.status]
        forms_["transition"].fields["to"].choices = [c for c in Report.Status.choices if c[0] in allowed]
        return render(
            self.request,
            self.template_name,
            {
                "tenant": self.tenant,
                "report": report,
                "contact": contact,
                "forms": forms_,
                "can_move": bool(allowed),
                "timeline": list(selectors.report_timeline(report=report)),
                "photos": list(report.photos.all()),
                "visits": list(report.return_visits.select_related("assignee").order_by("created_at")),
                "suggestions": selectors.duplicate_suggestions(report=report),
                "joined": list(selectors.joined_reports(report=report)),
                "merge_error": merge_error,
                "can_view_contact": has_station_perm(self.request.user, self.tenant, "report.view_contact"),
                **self.mediation_context(report),
            },
            status=status,
        )
