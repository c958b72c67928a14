"""Officers' pages: the triage queue and a report's case page."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from jointdefense.core.forms import add_domain_error
from jointdefense.tenancy.geo import feature_collection
from jointdefense.tenancy.roles import has_station_perm
from jointdefense.tenancy.views import StationViewMixin

from ..errors import ReportError
from ..filters import ReportFilter, ReturnVisitFilter
from ..forms.triage import (
    ReportAssignForm,
    ReportClueForm,
    ReportCommentForm,
    ReportMergeForm,
    ReportPhotoPublicForm,
    ReportPublicNoteForm,
    ReportTransitionForm,
    ReturnVisitForm,
)
from ..models import Report
from ..selectors.duplicates import duplicate_suggestions, joined_reports
from ..selectors.mediation import DISPUTE_CATEGORY, mediation_for_report
from ..selectors.reports import OPEN
from ..selectors.return_visits import report_visit_list, station_visit_list
from ..selectors.triage import report_timeline, triage_map_points, triage_queue
from ..services.clues import report_mark_clue
from ..services.duplicates import report_merge_with
from ..services.photos import report_photo_set_public
from ..services.privacy import report_contact_for
from ..services.return_visits import report_visit_record
from ..services.triage import (
    TRANSITIONS,
    report_assign,
    report_comment,
    report_public_note_set,
    report_transition,
)


class TriageListView(StationViewMixin, ListView):
    permission_required = "report.triage"
    template_name = "incidents/triage_list.html"
    context_object_name = "reports"
    paginate_by = 50

    def get_queryset(self):
        data = self.request.GET.copy()
        if "status" not in data:
            data.setlist("status", OPEN)
        self.filterset = ReportFilter(data, queryset=triage_queue(tenant=self.tenant), tenant=self.tenant)
        return self.filterset.qs.order_by("-created_at")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "filter": self.filterset}


class ReturnVisitListView(StationViewMixin, ListView):
    """The station's return visits, filtered as the dashboard's figures count them."""

    permission_required = "report.triage"
    template_name = "incidents/return_visit_list.html"
    context_object_name = "visits"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = ReturnVisitFilter(self.request.GET, queryset=station_visit_list(tenant=self.tenant))
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "filter": self.filterset}


class TriageMapView(TriageListView):
    """The queue on a map: the same filters, the newest matching reports as exact points."""

    template_name = "incidents/triage_map.html"
    paginate_by = None
    MAX_POINTS = 1000

    def get_context_data(self, **kwargs):
        rows = triage_map_points(self.object_list, limit=self.MAX_POINTS)
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


class ReportCaseView(StationViewMixin, View):
    """One report for the officers: exact location, photos, full timeline, and the actions."""

    permission_required = "report.triage"
    template_name = "incidents/report_case.html"
    actions = {
        "transition": ReportTransitionForm,
        "assign": ReportAssignForm,
        "comment": ReportCommentForm,
        "public_note": ReportPublicNoteForm,
        "visit": ReturnVisitForm,
        "clue": ReportClueForm,
        "merge": ReportMergeForm,
        "photo_public": ReportPhotoPublicForm,
    }

    def get_report(self, pk):
        return get_object_or_404(triage_queue(tenant=self.tenant), pk=pk)

    def get(self, request, *args, pk, **kwargs):
        report = self.get_report(pk)
        contact = None
        if request.GET.get("show_contact") and has_station_perm(
            request.user, self.tenant, "report.view_contact"
        ):
            contact = report_contact_for(report=report, viewer=request.user)
        return self.page(report, contact=contact)

    def post(self, request, *args, pk, **kwargs):
        report = self.get_report(pk)
        action = request.POST.get("action")
        form_class = self.actions.get(action)
        if form_class is None:
            return self.page(report, status=400)
        extra = {"tenant": self.tenant} if form_class is ReportAssignForm else {}
        form = form_class(request.POST, prefix=action, **extra)
        if form.is_valid():
            try:
                report = self.perform(report, action, form)
            except ReportError as err:
                add_domain_error(form, err)
            else:
                messages.success(request, _("Saved."))
                return redirect("incidents:case", station=self.tenant.slug, pk=report.pk)
        return self.page(report, bound={action: form}, status=400)

    def perform(self, report, action, form):
        """Call the action's service; returns the report the page goes back to."""
        user, kwargs = self.request.user, form.service_kwargs()
        if action == "transition":
            report_transition(report=report, actor=user, **kwargs)
        elif action == "visit":
            report_visit_record(report=report, actor=user, **kwargs)
        elif action == "clue":
            entry = report_mark_clue(report=report, actor=user, **kwargs)
            if entry is not None:
                messages.info(
                    self.request,
                    _("%(name)s earns %(points)d points.")
                    % {"name": entry.volunteer.full_name, "points": entry.points},
                )
        elif action == "merge":
            return report_merge_with(report=report, actor=user, **kwargs)
        elif action == "assign":
            report_assign(report=report, actor=user, **kwargs)
        elif action == "public_note":
            report_public_note_set(report=report, actor=user, **kwargs)
        elif action == "photo_public":
            report_photo_set_public(report=report, actor=user, **kwargs)
        else:
            report_comment(report=report, actor=user, **kwargs)
        return report

    def mediation_context(self, report):
        """A dispute report offers "open a mediation", or links to the one opened from it."""
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
            or ReportTransitionForm(prefix="transition", initial={"priority": report.priority}),
            "assign": bound.get("assign")
            or ReportAssignForm(
                prefix="assign",
                tenant=self.tenant,
                initial={
                    "officer": report.assigned_officer_id,
                    "team": report.assigned_team_id,
                    "grid_worker": report.assigned_grid_worker_id,
                },
            ),
            "comment": bound.get("comment") or ReportCommentForm(prefix="comment"),
            "public_note": bound.get("public_note")
            or ReportPublicNoteForm(prefix="public_note", initial={"text": report.public_note}),
            "visit": bound.get("visit") or ReturnVisitForm(prefix="visit"),
            "clue": bound.get("clue")
            or ReportClueForm(prefix="clue", initial={"value": report.clue_value or "valuable"}),
        }
        merge_error = bound["merge"].non_field_errors() if "merge" in bound else None
        photo_form = bound.get("photo_public")
        photo_errors = [e for errors in photo_form.errors.values() for e in errors] if photo_form else []
        allowed = TRANSITIONS[report.status]
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
                "timeline": list(report_timeline(report=report)),
                "photos": list(report.photos.all()),
                "visits": list(report_visit_list(report=report)),
                "suggestions": duplicate_suggestions(report=report),
                "joined": list(joined_reports(report=report)),
                "merge_error": merge_error,
                "photo_errors": photo_errors,
                "can_view_contact": has_station_perm(self.request.user, self.tenant, "report.view_contact"),
                **self.mediation_context(report),
            },
            status=status,
        )
