"""Public pages of the incidents app: the report page (no account) and the tracking page."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from jointdefense.core.forms import add_domain_error
from jointdefense.core.throttling import anonymous_submission_allowed

from ..errors import ReportError
from ..forms.reports import AddInformationForm, ReportForm, TrackForm
from ..selectors.photos import report_photos_for_reporter
from ..selectors.reports import category_by_pk, nearby_open_reports, public_timeline, report_by_code
from ..selectors.return_visits import visit_to_rate
from ..services.reports import parse_point, report_add_information, report_submit
from ..services.return_visits import return_visit_rate


def _station(request):
    if request.tenant is None or request.tenant.is_bureau:
        raise Http404
    return request.tenant


class ReportCreateView(View):
    """Anyone files a report from a phone: category, what happened, a pin, photos, a contact."""

    template_name = "incidents/report_form.html"

    def get(self, request, *args, **kwargs):
        tenant = _station(request)
        return self.page(ReportForm(tenant=tenant))

    def post(self, request, *args, **kwargs):
        tenant = _station(request)
        form = ReportForm(request.POST, request.FILES, tenant=tenant)
        if not form.is_valid():
            return self.page(form, status=400)
        if not request.user.is_authenticated and not anonymous_submission_allowed(request, "report_submit"):
            form.add_error(
                None, _("Too many reports from this connection. Try again later, or call the police.")
            )
            return self.page(form, status=429)
        try:
            report = report_submit(
                tenant=tenant,
                reporter=request.user,
                source="volunteer" if request.user.is_authenticated else "web",
                **form.service_kwargs(),
            )
        except ReportError as err:
            add_domain_error(form, err)
            return self.page(form, status=400, other_station=err.other_station)
        request.session.setdefault("my_reports", [])
        request.session["my_reports"] = [report.tracking_code, *request.session["my_reports"]][:20]
        if report.duplicate_of_id:
            messages.success(
                request, _("Thank you. Your report is added to the one already with the police.")
            )
        else:
            messages.success(request, _("Thank you. Your report is with the community police."))
        return redirect("incidents:track", station=tenant.slug, code=report.tracking_code)

    def page(self, form, status=200, other_station=None):
        tenant = self.request.tenant
        return render(
            self.request,
            self.template_name,
            {
                "tenant": tenant,
                "form": form,
                "other_station": other_station,
                "boundary": tenant.boundary.geojson if tenant.boundary else "null",
            },
            status=status,
        )


class NearbyReportsView(View):
    """JSON for the report page: open reports of a category near the pin, with only what a resident
    needs to decide to add to one: its public id, category, status, day and blurred location (never
    its tracking code, contact, description or exact point: those are other residents')."""

    def get(self, request, *args, **kwargs):
        tenant = _station(request)
        category = category_by_pk(tenant=tenant, pk=request.GET.get("category"))
        try:
            point = parse_point(request.GET.get("lat"), request.GET.get("lng"))
        except ReportError as err:
            return JsonResponse({"error": str(err.message)}, status=400)
        if category is None:
            return JsonResponse({"reports": []})
        reports = nearby_open_reports(tenant=tenant, category=category, point=point)
        return JsonResponse(
            {
                "reports": [
                    {
                        "id": r.public_id,
                        "category": category.name,
                        "reported": timezone.localdate(r.created_at).isoformat(),
                        "status": r.get_status_display(),
                        "lat": r.public_location.y,
                        "lng": r.public_location.x,
                    }
                    for r in reports
                ]
            }
        )


class TrackView(View):
    """The reporter's page: where the report stands and its public timeline; add information."""

    template_name = "incidents/track.html"

    def get_report(self, request, code):
        report = report_by_code(tenant=_station(request), code=code)
        if report is None:
            raise Http404
        return report

    def get(self, request, *args, code, **kwargs):
        return self.page(self.get_report(request, code), AddInformationForm())

    def post(self, request, *args, code, **kwargs):
        report = self.get_report(request, code)
        if not anonymous_submission_allowed(request, "track_update"):
            messages.error(
                request, _("Too many additions from this connection. Try again later, or call the police.")
            )
            return self.page(report, AddInformationForm(), status=429)
        if "rating" in request.POST:
            try:
                return_visit_rate(report=report, rating=request.POST["rating"])
            except ReportError as err:
                messages.error(request, err.message)
            else:
                messages.success(request, _("Thank you for telling us."))
            return redirect("incidents:track", station=report.tenant.slug, code=report.tracking_code)
        form = AddInformationForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                report_add_information(report=report, **form.service_kwargs())
            except ReportError as err:
                add_domain_error(form, err)
            else:
                messages.success(request, _("Added to your report."))
                return redirect("incidents:track", station=report.tenant.slug, code=report.tracking_code)
        return self.page(report, form, status=400)

    def page(self, report, form, status=200):
        case = report.duplicate_of or report  # a joined report follows the one the police handle
        return render(
            self.request,
            self.template_name,
            {
                "tenant": self.request.tenant,
                "report": report,
                "case": case,
                "form": form,
                "timeline": list(public_timeline(report=report)),
                "photos": report_photos_for_reporter(report=report),
                "visit_to_rate": visit_to_rate(report=report),
            },
            status=status,
        )


class TrackLookupView(View):
    """Type a tracking code, get to its page."""

    def get(self, request, *args, **kwargs):
        tenant = _station(request)
        form = TrackForm(request.GET or None)
        if form.is_valid():
            report = report_by_code(tenant=tenant, code=form.cleaned_data["code"])
            if report is not None:
                return redirect("incidents:track", station=tenant.slug, code=report.tracking_code)
            form.add_error("code", _("No report of this station has this tracking code."))
        mine = request.session.get("my_reports", [])
        return render(
            request,
            "incidents/track_lookup.html",
            {"tenant": tenant, "form": form, "mine": mine},
            status=400 if form.is_bound else 200,
        )
