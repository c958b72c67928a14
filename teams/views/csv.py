"""CSV export and import of the volunteer roster (officers). The columns and the per-row rules live
in teams.resources.VolunteerResource; these views handle the file, the two steps of an import (check
every row, then import all of them in one transaction) and the messages."""

import csv
import io
import logging

import tablib
from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from import_export.tmp_storages import CacheStorage

from jointdefense.tenancy.roles import has_station_perm
from jointdefense.tenancy.views import StationViewMixin

from .. import selectors, services
from ..filters import VolunteerFilter
from ..models import ImportJob, mask_id_number
from ..resources import IMPORT_COLUMNS, REQUIRED_IMPORT_COLUMNS, VolunteerResource, spreadsheet_row

logger = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 5000
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
            request.GET or None, queryset=selectors.volunteer_list(tenant=self.tenant), tenant=self.tenant
        ).qs
        resource = VolunteerResource(
            tenant=self.tenant,
            show_id_numbers=has_station_perm(request.user, self.tenant, "volunteer.view_id_number"),
        )
        # a list, not the queryset: import-export would page through a prefetching queryset
        dataset = resource.export(queryset=list(volunteers))
        stamp = timezone.localtime(timezone.now(), self.tenant.zoneinfo).strftime("%Y%m%d-%H%M")
        return csv_response(dataset.csv, f"volunteers-{self.tenant.slug}-{stamp}.csv")


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "UTF-8 CSV, at most 2 MB and 5,000 volunteers. Excel: “Save as” → “CSV UTF-8”."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why."""


def read_csv_upload(upload) -> tablib.Dataset:
    """The uploaded file as a dataset with the import columns, or ImportFileError."""
    if upload.size > MAX_IMPORT_BYTES:
        raise ImportFileError(_("The file is larger than 2 MB; split it into smaller files."))
    raw = upload.read()
    if b"\x00" in raw:
        raise ImportFileError(
            _("This is not a CSV file. Save the roster as “CSV UTF-8” and upload that file.")
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file is not UTF-8 text. Save the roster as “CSV UTF-8” (not plain “CSV”) and try again.")
        ) from None
    return parse_csv_text(text)


def parse_csv_text(text: str) -> tablib.Dataset:
    try:
        rows = [
            row
            for row in csv.reader(io.StringIO(text, newline=""), strict=True)
            if any(c.strip() for c in row)
        ]
    except csv.Error:
        raise ImportFileError(_("The file is not a readable CSV file (check the quotes).")) from None
    if not rows:
        raise ImportFileError(_("The file is empty."))
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in REQUIRED_IMPORT_COLUMNS if c not in header]
    unknown = [h for h in header if h not in IMPORT_COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
        if unknown:
            parts.append(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
        parts.append(
            _("The first row must name the columns: %(columns)s.") % {"columns": ", ".join(IMPORT_COLUMNS)}
        )
        raise ImportFileError(" ".join(parts))
    if len(set(header)) != len(header):
        raise ImportFileError(_("A column appears twice in the first row."))
    data = rows[1:]
    if not data:
        raise ImportFileError(_("The file has no volunteers below the first row."))
    if len(data) > MAX_IMPORT_ROWS:
        raise ImportFileError(
            _("The file has %(count)d volunteers; import at most %(max)d at a time.")
            % {"count": len(data), "max": MAX_IMPORT_ROWS}
        )
    for number, row in enumerate(data, start=2):
        if len(row) != len(header):
            raise ImportFileError(
                _("Row %(row)d has %(found)d values but the first row names %(expected)d columns.")
                % {"row": number, "found": len(row), "expected": len(header)}
            )
    return tablib.Dataset(*data, headers=header)


class ImportStorage(CacheStorage):
    """The checked file, kept in the cache (shared by every web server) until it is confirmed."""

    CACHE_LIFETIME = 60 * 60
    CACHE_PREFIX = "volunteer-import-"


def error_report(result) -> list[dict]:
    """Row-level errors of an import-export result: row number (as a spreadsheet counts them),
    column and message."""
    report = []
    for error in result.base_errors:
        logger.warning("volunteer import: the file could not be checked: %r", error.error)
        report.append({"row": None, "column": "", "message": _("The file could not be checked.")})
    for invalid in result.invalid_rows:
        for column, messages_ in invalid.field_specific_errors.items():
            report += [
                {"row": spreadsheet_row(invalid.number), "column": column, "message": m} for m in messages_
            ]
        report += [
            {"row": spreadsheet_row(invalid.number), "column": "", "message": m}
            for m in invalid.non_field_specific_errors
        ]
    for number, errors in result.row_errors():
        for error in errors:
            logger.warning("volunteer import: unexpected error on row %s: %r", number, error.error)
            report.append(
                {
                    "row": spreadsheet_row(number),
                    "column": "",
                    "message": _("This row could not be imported."),
                }
            )
    return sorted(
        report,
        key=lambda e: (
            e["row"] or 0,
            IMPORT_COLUMNS.index(e["column"]) if e["column"] in IMPORT_COLUMNS else len(IMPORT_COLUMNS),
        ),
    )


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
        result = self.resource().import_data(dataset, dry_run=True, use_transactions=True)
        if result.has_errors() or result.has_validation_errors():
            return self.page(ImportUploadForm(), errors=error_report(result), total=len(dataset))
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
        job = services.volunteer_import_queue(
            tenant=self.tenant, actor=request.user, csv_text=text, total=len(dataset)
        )
        ImportStorage(name=name).remove()
        del request.session[self.session_key]
        return redirect("teams:volunteer-import-job", station=self.tenant.slug, pk=job.pk)

    def resource(self):
        return VolunteerResource(tenant=self.tenant, actor=self.request.user)

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
