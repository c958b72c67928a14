"""CSV rosters of volunteers (django-import-export): reading and checking a file, the resource that
exports and imports rows, and the import itself (queued through the outbox, run by the worker task
``teams.import_volunteers``).

Export: the station's roster as the officers filter it, one volunteer a row, codes (not labels) so
that a file can be read back by programs. Import: volunteers an existing programme already knows,
each taken through the same services as an application made on the site (apply with consent, the
background review recorded by the importing officer, approve and activate), so the 100% review rule
and the audit trail hold for imported volunteers too. Every row is validated first (a dry run);
if any row has an error, nothing is imported.
"""

import csv
import datetime
import io
import logging
import re
from collections.abc import Iterable
from datetime import timedelta, tzinfo
from typing import Any

import tablib
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled
from import_export import fields, resources, widgets
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import Result
from import_export.tmp_storages import CacheStorage

from jointdefense.accounts.models import User
from jointdefense.core.errors import DomainError
from jointdefense.core.outbox import outbox_add
from jointdefense.core.services import audit, kept_counts_changed
from jointdefense.tenancy.models import Community, Tenant

from ..errors import ImportFileError, ScreeningError
from ..models import (
    AVAILABILITY_SLOTS,
    BackgroundGroup,
    BackgroundReview,
    ImportJob,
    Specialty,
    Volunteer,
    VolunteerRole,
)
from .screening import background_review_record, volunteer_activate, volunteer_approve
from .volunteers import volunteer_apply, volunteer_classify

logger = logging.getLogger(__name__)

StrOrPromise = str | Promise

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 5000

EXPORT_COLUMNS = [
    "full_name",
    "phone",
    "id_number",
    "status",
    "roles",
    "specialties",
    "availability",
    "home_community",
    "background_group",
    "teams",
    "applied_at",
    "activated_at",
]
IMPORT_COLUMNS = [
    "full_name",
    "phone",
    "id_number",
    "home_community",
    "background_group",
    "roles",
    "specialties",
    "availability",
    "emergency_contact_name",
    "emergency_contact_phone",
    "review_result",
    "review_date",
    "status",
]
MODEL_TEXT_COLUMNS = ["full_name", "phone", "id_number", "emergency_contact_name", "emergency_contact_phone"]
REQUIRED_IMPORT_COLUMNS = [
    "full_name",
    "phone",
    "id_number",
    "emergency_contact_name",
    "emergency_contact_phone",
]
IMPORT_STATUSES = (Volunteer.Status.APPLIED, Volunteer.Status.ACTIVE)
LIST_SEPARATOR = ";"

# a spreadsheet runs a cell starting with one of these as a formula (CSV injection)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    return "'" + value if value and value.startswith(_FORMULA_START) else value


def phone_digits(phone: str) -> str:
    return re.sub(r"\D", "", phone or "")


# ---- widgets ---------------------------------------------------------------------------------------


ACCOUNT_IN_USE = gettext_lazy(
    "Someone already has an account with this phone number and a password of their own: an import "
    "cannot take it over. The person applies online with their account instead."
)


def _account_in_use(digits: str) -> bool:
    """An account of this phone number that its owner uses (it has a password): an import must not
    attach a volunteer record, and so the station's roles, to a stranger's account."""
    user = get_user_model().objects.filter(username=digits).first()
    return user is not None and user.has_usable_password()


class TextWidget(widgets.CharWidget):
    """Trimmed text; exported safe from spreadsheet formulas."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        return "" if value is None else str(value).strip()

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return spreadsheet_safe("" if value is None else str(value))


class CodeListWidget(widgets.SimpleArrayWidget):
    """A list of codes separated by ";" (a "," is accepted too), each one of ``allowed``."""

    def __init__(self, allowed: Iterable[str], message: StrOrPromise) -> None:
        self.allowed = list(allowed)
        self.message = message
        super().__init__(separator=LIST_SEPARATOR)

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        items = [v.strip().lower() for v in re.split(r"[;,]", str(value or "")) if v.strip()]
        unknown = [v for v in items if v not in self.allowed]
        if unknown:
            raise ValueError(self.message % {"values": ", ".join(unknown)})
        return sorted(set(items))


class StationSlugWidget(widgets.Widget):
    """A station's community or background group by its short name, from a table the resource loads
    once per file (no query per row)."""

    def __init__(self, message: StrOrPromise) -> None:
        self.message = message
        self.lookup: dict[str, Any] = {}
        super().__init__()

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        slug = str(value or "").strip()
        if not slug:
            return None
        try:
            return self.lookup[slug.lower()]
        except KeyError:
            raise ValueError(self.message % {"slug": slug}) from None

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value.slug if value is not None else ""


class StationTimeWidget(widgets.Widget):
    """A moment in the station's time zone, to the minute."""

    def __init__(self, tz: tzinfo | None = None) -> None:
        self.tz = tz
        super().__init__()

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return timezone.localtime(value, self.tz).strftime("%Y-%m-%d %H:%M") if value else ""


class ChoiceWidget(widgets.Widget):
    def __init__(self, allowed: Iterable[str], message: StrOrPromise) -> None:
        self.allowed = list(allowed)
        self.message = message
        super().__init__()

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        code = str(value or "").strip().lower()
        if code and code not in self.allowed:
            raise ValueError(self.message % {"value": str(value).strip()})
        return code

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value or ""


class IsoDateWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        text = str(value or "").strip()
        if not text:
            return None
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            try:
                return datetime.date.fromisoformat(text)
            except ValueError:
                pass
        raise ValueError(_("Write the date as YYYY-MM-DD, for example 2026-03-01."))


# ---- the resource -----------------------------------------------------------------------------------


class ImportedVolunteer:
    """One row of an import, cleaned: the arguments of the services, not yet a volunteer. Columns
    missing from the file keep these defaults."""

    full_name = phone = id_number = emergency_contact_name = emergency_contact_phone = ""
    home_community: Community | None = None
    background_group: BackgroundGroup | None = None
    roles: Iterable[str] = ()
    specialties: Iterable[str] = ()
    availability: Iterable[str] = ()
    review_result = ""
    review_date: datetime.date | None = None
    status: str = Volunteer.Status.APPLIED
    volunteer: Volunteer | None = None


class NewRowsOnly(BaseInstanceLoader):
    """Every row is a new volunteer: an import never changes a registered one."""

    def get_instance(self, row: Any) -> None:
        return None


def _text(column: str, **kwargs: Any) -> fields.Field:
    return fields.Field(attribute=column, column_name=column, widget=TextWidget(), **kwargs)


class VolunteerResource(resources.Resource):
    """Export and import of a station's volunteers. ``tenant`` is the station; ``actor`` the officer
    importing (the services record them); ``show_id_numbers`` whether export shows full ID numbers."""

    full_name = _text("full_name")
    phone = _text("phone")
    id_number = _text("id_number")
    status = fields.Field(
        attribute="status",
        column_name="status",
        widget=ChoiceWidget(
            IMPORT_STATUSES, gettext_lazy("Unknown status “%(value)s”: use “applied” or “active”.")
        ),
    )
    roles = fields.Field(
        attribute="roles",
        column_name="roles",
        widget=CodeListWidget(VolunteerRole.values, gettext_lazy("Unknown role: %(values)s.")),
    )
    specialties = fields.Field(
        attribute="specialties",
        column_name="specialties",
        widget=CodeListWidget(Specialty.values, gettext_lazy("Unknown specialty: %(values)s.")),
    )
    availability = fields.Field(
        attribute="availability",
        column_name="availability",
        widget=CodeListWidget(
            AVAILABILITY_SLOTS,
            gettext_lazy("Unknown availability: %(values)s (write for example “sat_morning”)."),
        ),
    )
    home_community = fields.Field(
        attribute="home_community",
        column_name="home_community",
        widget=StationSlugWidget(
            gettext_lazy("This station has no community with the short name “%(slug)s”.")
        ),
    )
    background_group = fields.Field(
        attribute="background_group",
        column_name="background_group",
        widget=StationSlugWidget(gettext_lazy("This station has no background group “%(slug)s”.")),
    )
    teams = fields.Field(column_name="teams", readonly=True)
    applied_at = fields.Field(
        attribute="applied_at", column_name="applied_at", readonly=True, widget=StationTimeWidget()
    )
    activated_at = fields.Field(
        attribute="activated_at", column_name="activated_at", readonly=True, widget=StationTimeWidget()
    )
    # import only
    emergency_contact_name = _text("emergency_contact_name")
    emergency_contact_phone = _text("emergency_contact_phone")
    review_result = fields.Field(
        attribute="review_result",
        column_name="review_result",
        widget=ChoiceWidget(
            BackgroundReview.Result.values,
            gettext_lazy("Unknown review result “%(value)s”: use “passed”, “failed” or leave it empty."),
        ),
    )
    review_date = fields.Field(attribute="review_date", column_name="review_date", widget=IsoDateWidget())

    class Meta:
        use_transactions = True
        skip_diff = True
        force_init_instance = True  # every row is a new volunteer
        instance_loader_class = NewRowsOnly
        import_id_fields: list[str] = []

    def __init__(
        self, *, tenant: Tenant, actor: User | None = None, show_id_numbers: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.tenant = tenant
        self.actor = actor
        self.show_id_numbers = show_id_numbers
        for name in ("applied_at", "activated_at"):
            self.fields[name].widget.tz = tenant.zoneinfo
        self._phones_in_file: dict[str, int] = {}

    # ---- export --------------------------------------------------------------------------------

    def get_export_fields(self, selected_fields: Any = None) -> list[fields.Field]:
        return [self.fields[name] for name in EXPORT_COLUMNS]

    def dehydrate_id_number(self, volunteer: Volunteer) -> str:
        return volunteer.id_number if self.show_id_numbers else volunteer.masked_id_number

    def dehydrate_status(self, volunteer: Volunteer) -> str:
        return volunteer.status

    def dehydrate_roles(self, volunteer: Volunteer) -> str:
        return LIST_SEPARATOR.join(volunteer.roles)

    def dehydrate_specialties(self, volunteer: Volunteer) -> str:
        return LIST_SEPARATOR.join(volunteer.specialties)

    def dehydrate_availability(self, volunteer: Volunteer) -> str:
        return LIST_SEPARATOR.join(volunteer.availability)

    def dehydrate_teams(self, volunteer: Volunteer) -> str:
        # prefetched by selectors.volunteer_list
        return spreadsheet_safe(LIST_SEPARATOR.join(m.team.name for m in volunteer.team_memberships.all()))

    # ---- import --------------------------------------------------------------------------------

    def get_import_fields(self) -> list[fields.Field]:
        return [self.fields[name] for name in IMPORT_COLUMNS]

    def before_import(self, dataset: tablib.Dataset, **kwargs: Any) -> None:
        """Load the station's communities, background groups and registered phones once."""
        self.fields["home_community"].widget.lookup = {
            c.slug.lower(): c for c in Community.objects.filter(tenant=self.tenant)
        }
        self.fields["background_group"].widget.lookup = {
            g.slug.lower(): g for g in BackgroundGroup.objects.filter(tenant=self.tenant, is_active=True)
        }
        self._registered_phones = {
            phone_digits(p)
            for p in Volunteer.objects.filter(tenant=self.tenant).values_list("phone", flat=True)
        }
        self._volunteering_usernames = set(
            Volunteer.objects.filter(tenant=self.tenant).values_list("user__username", flat=True)
        )
        self._phones_in_file = {}

    def init_instance(self, row: Any = None) -> ImportedVolunteer:
        return ImportedVolunteer()

    def import_instance(self, instance: ImportedVolunteer, row: Any, **kwargs: Any) -> None:
        """Clean every column, then check what the columns say together; all errors of the row at
        once, keyed by column."""
        errors: dict[str, list[ValidationError]] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        row_number = int(kwargs.get("row_number") or 0)

        def add(column: str, message: str) -> None:
            errors.setdefault(column, []).append(ValidationError(message))

        for column in REQUIRED_IMPORT_COLUMNS:
            if column not in errors and not getattr(instance, column, ""):
                add(column, _("This column is required."))
        # the model's own validators (phone, ID number with its check character, lengths)
        candidate = Volunteer(**{c: getattr(instance, c) for c in MODEL_TEXT_COLUMNS})
        try:
            candidate.clean_fields(
                exclude=[
                    f.name
                    for f in Volunteer._meta.fields
                    if f.name not in MODEL_TEXT_COLUMNS or f.name in errors
                ]
            )
        except ValidationError as e:
            errors = e.update_error_dict(errors)

        digits = phone_digits(getattr(instance, "phone", ""))
        if digits and "phone" not in errors:
            if digits in self._registered_phones or digits in self._volunteering_usernames:
                add("phone", _("A volunteer with this phone number is already registered here."))
            elif _account_in_use(digits):
                add("phone", str(ACCOUNT_IN_USE))
            elif digits in self._phones_in_file:
                add(
                    "phone",
                    _("This phone number is also on row %(row)d of the file.")
                    % {"row": spreadsheet_row(self._phones_in_file[digits])},
                )
            else:
                self._phones_in_file[digits] = row_number

        result = getattr(instance, "review_result", "")
        reviewed_on = getattr(instance, "review_date", None)
        if "review_date" not in errors:
            if result and reviewed_on is None:
                add("review_date", _("Give the date of the background review."))
            elif reviewed_on is not None and not result:
                add("review_result", _("Give the result of the background review on that date."))
            elif reviewed_on is not None and reviewed_on > timezone.localdate():
                add("review_date", _("The date of the review cannot be in the future."))
        review_unreadable = "review_result" in errors or "review_date" in errors  # said once is enough
        if (
            getattr(instance, "status", "") == Volunteer.Status.ACTIVE
            and not review_unreadable
            and not (result == BackgroundReview.Result.PASSED and reviewed_on is not None)
        ):
            add(
                "status",
                _(
                    "No volunteer is active without a recorded background review: give a passed "
                    "review_result and its review_date, or import the volunteer as “applied”."
                ),
            )
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance: ImportedVolunteer, is_create: bool, row: Any, **kwargs: Any) -> None:
        """The check (dry run) stops at validation: running 5,000 rows through the services twice
        would take minutes. The import itself validates every row again before it writes."""
        if kwargs.get("dry_run"):
            return
        super().save_instance(instance, is_create, row, **kwargs)

    def do_instance_save(self, instance: ImportedVolunteer, is_create: bool) -> None:
        """The row through the services, all or nothing."""
        try:
            with transaction.atomic():
                instance.volunteer = self._import_volunteer(instance)
        except DomainError as e:
            column = SERVICE_FIELD_COLUMNS.get(e.field, NON_FIELD_ERRORS)
            raise ValidationError({column: [str(e.message)]}) from e

    def _import_volunteer(self, row: ImportedVolunteer) -> Volunteer:
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=phone_digits(row.phone), defaults={"full_name": row.full_name, "phone": row.phone}
        )
        if not created and user.has_usable_password():  # it came after the check: the same refusal
            raise ScreeningError(ACCOUNT_IN_USE, field="phone", code="account_in_use")
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        volunteer = volunteer_apply(
            tenant=self.tenant,
            user=user,
            full_name=row.full_name,
            phone=row.phone,
            id_number=row.id_number,
            home_community=row.home_community,
            background_group=row.background_group,
            specialties=row.specialties,
            availability=row.availability,
            emergency_contact_name=row.emergency_contact_name,
            emergency_contact_phone=row.emergency_contact_phone,
            consent=True,
        )
        if row.roles:
            volunteer = volunteer_classify(volunteer=volunteer, actor=self.actor, roles=row.roles)
        if row.review_result and row.review_date is not None:  # both or neither (import_instance)
            if self.actor is None:
                raise TypeError("a review is recorded by the importing officer: give the resource an actor")
            background_review_record(
                volunteer=volunteer,
                actor=self.actor,
                result=row.review_result,
                reviewed_on=row.review_date,
                notes=_("Imported from CSV"),
            )
        if row.status == Volunteer.Status.ACTIVE:  # checked in import_instance: a passed review is recorded
            volunteer_approve(volunteer=volunteer, actor=self.actor, note=_("Imported from CSV"))
            volunteer_activate(volunteer=volunteer, actor=self.actor, note=_("Imported from CSV"))
        return volunteer

    def after_import(self, dataset: tablib.Dataset, result: Result, **kwargs: Any) -> None:
        """Nothing to do: rows never carry ids, so there is no sequence to reset."""


# errors the services raise on a field, and the column that field comes from
SERVICE_FIELD_COLUMNS = {
    "reviewed_on": "review_date",
    "result": "review_result",
    "availability": "availability",
    "roles": "roles",
    "reason": NON_FIELD_ERRORS,
}


def spreadsheet_row(row_number: int) -> int:
    """import-export numbers data rows from 1; a spreadsheet shows the header as row 1."""
    return row_number + 1


# ---- reading and checking a file ------------------------------------------------------------------


def read_csv_upload(upload: "UploadedFile[Any]") -> tablib.Dataset:
    """The uploaded file as a dataset with the import columns, or ImportFileError."""
    if (upload.size or 0) > MAX_IMPORT_BYTES:
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


def error_report(result: Result) -> list[dict[str, Any]]:
    """Row-level errors of an import-export result: row number (as a spreadsheet counts them),
    column and message."""
    report: list[dict[str, Any]] = []
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


def volunteers_csv(*, tenant: Tenant, volunteers: Iterable[Volunteer], show_id_numbers: bool) -> str:
    """The CSV text of ``volunteers`` (from selectors.volunteers.volunteer_list, which prefetches
    their teams): full ID numbers only with ``show_id_numbers``."""
    resource = VolunteerResource(tenant=tenant, show_id_numbers=show_id_numbers)
    # a list, not the queryset: import-export would page through a prefetching queryset
    text: str = resource.export(queryset=list(volunteers)).csv
    return text


def volunteer_import_check(
    *, tenant: Tenant, actor: User | None, dataset: tablib.Dataset
) -> list[dict[str, Any]]:
    """Check every row of ``dataset`` (a dry run of the resource, nothing written): the errors, by
    row and column; an empty list when every row can be imported."""
    result = VolunteerResource(tenant=tenant, actor=actor).import_data(
        dataset, dry_run=True, use_transactions=True
    )
    if result.has_errors() or result.has_validation_errors():
        return error_report(result)
    return []


# ---- the import ------------------------------------------------------------------------------------


@transaction.atomic
def volunteer_import_queue(*, tenant: Tenant, actor: User, csv_text: str, total: int) -> ImportJob:
    """Hand a checked roster to the workers (task "teams.import_volunteers"), after commit."""
    job = ImportJob.objects.create(tenant=tenant, created_by=actor, csv_text=csv_text, total=total)
    audit(tenant=tenant, actor=actor, action="volunteer.import_queued", target=job, rows=total)
    outbox_add("teams.import_volunteers", {"tenant_id": tenant.pk, "job_id": job.pk})
    return job


def volunteer_import_run(*, tenant_id: int, job_id: int) -> None:
    """Import a checked roster (ImportJob), all rows or none, once.

    The job row stays locked for the whole import, in the import's own transaction: a second
    delivery of the task (a retry, a second worker) skips it; a worker that dies mid-run rolls the
    whole import back and leaves the job queued, so the redelivered task (acks_late) starts again."""
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("tenant", "created_by")
            .filter(pk=job_id, tenant=tenant_id, status=ImportJob.Status.QUEUED)
            .first()
        )
        if job is None:
            return
        dataset = parse_csv_text(job.csv_text)
        result = VolunteerResource(tenant=job.tenant, actor=job.created_by).import_data(
            dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True
        )
        if result.has_errors() or result.has_validation_errors():
            # the station changed since the check (a phone registered meanwhile…): nothing imported
            job.status, job.failure = ImportJob.Status.FAILED, ImportJob.Failure.ROWS
            job.errors = [{**e, "message": str(e["message"])} for e in error_report(result)]
        else:
            job.status = ImportJob.Status.DONE
            job.imported = len(dataset)
            kept_counts_changed(job.tenant)  # volunteers imported as active count for training compliance
        job.csv_text = ""  # the file holds ID numbers: keep it no longer than needed
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "failure", "errors", "imported", "csv_text", "finished_at"])


def volunteer_import_fail(*, tenant_id: int, job_id: int, failure: str) -> bool:
    """Mark a job that is still queued as failed (nothing was imported: the import is one
    transaction) and erase its file, which holds ID numbers. Whether it marked it: a job done or
    failed already is left as it is, so calling it again changes nothing."""
    with transaction.atomic():
        marked = ImportJob.objects.filter(pk=job_id, tenant=tenant_id, status=ImportJob.Status.QUEUED).update(
            status=ImportJob.Status.FAILED, failure=failure, csv_text="", finished_at=timezone.now()
        )
    if marked:
        logger.warning("volunteer import %s failed: %s", job_id, failure)
    return bool(marked)


def volunteer_imports_fail_stuck(*, older_than: timedelta) -> int:
    """Beat's sweep across every station: a job still queued ``older_than`` after it was queued
    (longer than the task may run: its worker was killed at the time limit or died and nothing
    delivers it again) is marked failed, timed out, and its file erased. A job being imported right
    now holds its row lock and is skipped. Returns how many it marked; a second run marks none."""
    with scopes_disabled(), transaction.atomic():
        stuck = list(
            ImportJob.objects.select_for_update(skip_locked=True)
            .filter(status=ImportJob.Status.QUEUED, created_at__lt=timezone.now() - older_than)
            .values_list("pk", flat=True)
        )
        marked = ImportJob.objects.filter(pk__in=stuck, status=ImportJob.Status.QUEUED).update(
            status=ImportJob.Status.FAILED,
            failure=ImportJob.Failure.TIMED_OUT,
            csv_text="",
            finished_at=timezone.now(),
        )
    if marked:
        logger.warning("volunteer imports marked failed after the time limit: %s", stuck)
    return marked
