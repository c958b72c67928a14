"""CSV export and import of the volunteer roster (officers). Reading and checking a file, the
columns and the per-row rules live in teams.services.imports; these views handle the upload, the
two steps of an import (check every row, then import all of them in one transaction, by the
workers) and the messages."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from jointdefense.tenancy.roles import has_station_perm
from jointdefense.tenancy.views import StationViewMixin

from ..errors import ImportFileError
from ..filters import VolunteerFilter
from ..forms.imports import ImportUploadForm
from ..models import ImportJob, mask_id_number
from ..selectors.volunteers import volunteer_list
from ..services.imports import (
    IMPORT_COLUMNS,
    MAX_IMPORT_ROWS,
    REQUIRED_IMPORT_COLUMNS,
    ImportStorage,
    parse_csv_text,
    read_csv_upload,
    volunteer_import_check,
    volunteer_import_queue,
    volunteers_csv,
)

BOM = "\ufeff"


def csv_response(text: str, filename: str) -> HttpResponse:
    """UTF-8 with a byte-order mark, so that Excel shows Chinese names correctly."""
    response = HttpResponse((BOM + text).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class VolunteerExportView(StationViewMixin, View):
    """The roster as a CSV file, filtered like the roster page (same query parameters)."""

    permission_required = "volunteer.export"

    def get(self, request, *args, **kwargs):
        volunteers = VolunteerFilter(
            request.GET or None, queryset=volunteer_list(tenant=self.tenant), tenant=self.tenant
        ).qs
        text = volunteers_csv(
            tenant=self.tenant,
            volunteers=volunteers,
            show_id_numbers=has_station_perm(request.user, self.tenant, "volunteer.view_id_number"),
        )
        stamp = timezone.localtime(timezone.now(), self.tenant.zoneinfo).strftime("%Y%m%d-%H%M")
        return csv_response(text, f"volunteers-{self.tenant.slug}-{stamp}.csv")


class VolunteerImportView(StationViewMixin, View):
    """Step 1 (upload): every row is checked (a dry run of the resource); any error → the report,
    nothing imported. Step 2 (confirm): the checked file is imported through the services, all rows
    in one transaction; a row the services refuse after all rolls the whole import back and shows
    the report again."""

    permission_required = "volunteer.import"
    template_name = "teams/csv_import.html"

    @property
    def session_key(self):
        return f"volunteer-import:{self.tenant.pk}"

    def get(self, request, *args, **kwargs):
        if request.GET.get("template") == "csv":
            return csv_response(",".join(IMPORT_COLUMNS) + "\r\n", "volunteers-import-template.csv")
        return self.page(ImportUploadForm())

    def post(self, request, *args, **kwargs):
        if "confirm" in request.POST:
            return self.confirm(request)
        form = ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(form)
        try:
            dataset = read_csv_upload(form.cleaned_data["file"])
        except ImportFileError as e:
            form.add_error("file", str(e))
            return self.page(form)
        errors = volunteer_import_check(tenant=self.tenant, actor=request.user, dataset=dataset)
        if errors:
            return self.page(ImportUploadForm(), errors=errors, total=len(dataset))
        storage = ImportStorage()
        storage.save(dataset.csv)
        request.session[self.session_key] = storage.name
        return self.page(None, preview=self.preview(dataset), total=len(dataset), token=storage.name)

    def confirm(self, request):
        name = request.session.get(self.session_key)
        text = ImportStorage(name=name).read() if name and request.POST.get("token") == name else None
        if text is None:
            messages.error(request, _("The checked file is no longer available; please upload it again."))
            return redirect("teams:volunteer-import", station=self.tenant.slug)
        dataset = parse_csv_text(text)
        job = volunteer_import_queue(
            tenant=self.tenant, actor=request.user, csv_text=text, total=len(dataset)
        )
        ImportStorage(name=name).remove()
        del request.session[self.session_key]
        return redirect("teams:volunteer-import-job", station=self.tenant.slug, pk=job.pk)

    def preview(self, dataset):
        rows = []
        for row in dataset.dict[:100]:  # the page shows the first 100
            rows.append(
                {
                    "full_name": row.get("full_name", ""),
                    "phone": row.get("phone", ""),
                    "id_number": mask_id_number(row.get("id_number", "").strip()),
                    "home_community": row.get("home_community", ""),
                    "status": (row.get("status") or "applied").strip().lower(),
                    "review_result": row.get("review_result", ""),
                }
            )
        return rows

    def page(self, form, **context):
        return render(
            self.request,
            self.template_name,
            {
                "tenant": self.tenant,
                "form": form,
                "columns": IMPORT_COLUMNS,
                "required_columns": REQUIRED_IMPORT_COLUMNS,
                "max_rows": MAX_IMPORT_ROWS,
                **context,
            },
        )


class VolunteerImportJobView(StationViewMixin, View):
    """Where an import stands: importing (the page refreshes itself), imported, or the report of
    why nothing was imported."""

    permission_required = "volunteer.import"

    def get(self, request, *args, pk, **kwargs):
        job = get_object_or_404(ImportJob.objects.filter(tenant=self.tenant), pk=pk)
        return render(
            request,
            "teams/csv_import_job.html",
            {
                "tenant": self.tenant,
                "job": job,
                "errors": job.errors,
                "refresh": job.status == job.Status.QUEUED,
            },
        )
