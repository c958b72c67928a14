"""Filing a report (everything checked before anything is written) and the reporter adding to it."""

import math
import secrets
from collections.abc import Iterable
from typing import Any

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from jointdefense.core.phones import phone_normalised
from jointdefense.core.photos import PhotoError, photo_reencode
from jointdefense.core.services import audit
from jointdefense.tenancy import geo
from jointdefense.tenancy.models import Tenant

from ..errors import ReportError
from ..models import DEFAULT_CATEGORIES, Category, Report, ReportEvent, ReportPhoto
from ..selectors.reports import (
    MAX_DESCRIPTION,
    MAX_PHOTOS,
    community_at,
    grid_cell_at,
    station_covering,
    tracking_code_taken,
)
from . import rollups
from .duplicates import report_join, report_joinable
from .notifications import notify_receipt

# public locations are snapped to a grid of this many degrees of latitude (about 100 m)
BLUR_DEGREES = 0.001
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read out over the phone
TRACKING_LENGTH = 10  # 31^10 ≈ 8×10^14 codes


def station_defaults_ensure(*, tenant: Tenant) -> None:
    for position, (slug, name, kind, description) in enumerate(DEFAULT_CATEGORIES):
        with translation.override(tenant.default_language):
            Category.objects.get_or_create(
                tenant=tenant,
                slug=slug,
                defaults={
                    "name": str(name),
                    "kind": kind,
                    "description": str(description),
                    "position": position,
                },
            )


def parse_point(lat: Any, lng: Any) -> Point:
    """Coordinates are numbers, parsed as numbers (never handed to GDAL as text)."""
    try:
        float(lat), float(lng)
    except (TypeError, ValueError, OverflowError):
        raise ReportError(
            _("Place the pin on the map where it happened."), field="location", code="location"
        ) from None
    try:
        return geo.point(lng, lat)
    except ValueError:
        raise ReportError(
            _("The location is not a valid map position."), field="location", code="location"
        ) from None


def blur(point: Point) -> Point:
    """Snap to the centre of a ~100 m grid square: close enough to find, too coarse to find a door."""
    lat_step = BLUR_DEGREES
    lat = (math.floor(point.y / lat_step) + 0.5) * lat_step
    lng_step = BLUR_DEGREES / max(math.cos(math.radians(lat)), 0.1)  # the row's own width
    lng = (math.floor(point.x / lng_step) + 0.5) * lng_step
    return Point(round(lng, 6), round(lat, 6), srid=4326)


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


@transaction.atomic
def report_submit(
    *,
    tenant: Tenant,
    category: Category | None,
    description: str,
    lat: Any,
    lng: Any,
    photos: Iterable[Any] = (),
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    anonymous: bool = False,
    reporter: Any = None,
    source: str = Report.Source.WEB,
    add_to: Report | None = None,
) -> Report:
    """File a report. Everything is checked before anything is written; photos are re-encoded.

    ``add_to``: the resident saw an open report of the same incident near their pin and adds to it
    instead of filing a duplicate. Their report is kept (with its own tracking code, photos and
    contact) joined to that one, and follows its public timeline."""
    if category is None or category.tenant_id != tenant.pk or not category.is_active:
        raise ReportError(_("Choose what you are reporting."), field="category", code="category")
    description = (description or "").strip()
    if not description:
        raise ReportError(_("Say in a few words what happened."), field="description", code="description")
    if len(description) > MAX_DESCRIPTION:
        raise ReportError(
            _("Keep the description under %(max)d characters.") % {"max": MAX_DESCRIPTION},
            field="description",
            code="description",
        )
    point = parse_point(lat, lng)
    if not tenant.boundary or not tenant.boundary.intersects(point):
        other = station_covering(point)
        raise ReportError(
            _("This place is outside the area of %(station)s.") % {"station": tenant.name},
            field="location",
            code="outside",
            other_station=other,
        )
    if anonymous:
        contact_name = contact_phone = contact_email = ""
    try:
        contact_phone = phone_normalised(contact_phone, region=tenant.phone_region)
    except ValidationError as err:
        raise ReportError(err.messages[0], field="contact_phone", code="phone") from None
    photo_list = list(photos)
    if len(photo_list) > MAX_PHOTOS:
        raise ReportError(
            _("Send at most %(max)d photos.") % {"max": MAX_PHOTOS}, field="photos", code="photos"
        )
    if add_to is not None:
        add_to = report_joinable(add_to, tenant=tenant, category=category, point=point)
    clean_photos = photos_reencoded(photo_list)  # all checked before the report is written
    report = Report(
        tenant=tenant,
        tracking_code=_unique_code(tenant),
        category=category,
        description=description,
        location=point,
        public_location=blur(point),
        community=community_at(tenant=tenant, point=point),
        grid_cell=grid_cell_at(tenant=tenant, point=point),
        reporter=reporter if getattr(reporter, "is_authenticated", False) else None,
        anonymous=anonymous,
        contact_name=contact_name.strip()[:100],
        contact_phone=contact_phone,
        contact_email=contact_email.strip(),
        source=source,
    )
    report.full_clean(exclude=["public_location", "location"])
    report.save()
    for content, width, height in clean_photos:
        ReportPhoto.objects.create(tenant=tenant, report=report, image=content, width=width, height=height)
    ReportEvent.objects.create(
        tenant=tenant,
        report=report,
        kind=ReportEvent.Kind.SUBMITTED,
        public=True,
        to_status=Report.Status.NEW,
        actor=report.reporter,
    )
    audit(tenant=tenant, actor=reporter, action="report.submitted", target=report, source=source)
    if add_to is not None:
        report_join(report, add_to, actor=None, counted=False)
    rollups.apply(tenant, rollups.received(report))  # one statement, under the status it ends with
    notify_receipt(report)
    return report


def _unique_code(tenant: Tenant) -> str:
    while True:
        code = new_tracking_code()
        if not tracking_code_taken(tenant=tenant, code=code):
            return code


@transaction.atomic
def report_add_information(*, report: Report, text: str, photos: Iterable[Any] = ()) -> ReportEvent:
    """The reporter (holding the tracking code) adds information or photos, or answers a question.

    The addition stays on the reporter's own report, also when it is joined to another one: the
    officers see it on the case they work on (selectors.triage.report_timeline), the reporters of
    the other reports of the case never do."""
    text = (text or "").strip()
    photo_list = list(photos)
    if not text and not photo_list:
        raise ReportError(_("Write something or add a photo."), field="text", code="empty")
    if len(text) > MAX_DESCRIPTION:
        raise ReportError(
            _("Keep the text under %(max)d characters.") % {"max": MAX_DESCRIPTION}, field="text", code="text"
        )
    case = report.duplicate_of if report.duplicate_of_id and report.duplicate_of else report
    if case.status in (Report.Status.CLOSED, Report.Status.REJECTED):
        raise ReportError(
            _("This report is closed. File a new report if something happened again."), code="closed"
        )
    if report.photos.count() + len(photo_list) > MAX_PHOTOS * 2:
        raise ReportError(_("This report has all the photos it can take."), field="photos", code="photos")
    clean_photos = photos_reencoded(photo_list)
    for content, width, height in clean_photos:
        ReportPhoto.objects.create(
            tenant_id=report.tenant_id, report=report, image=content, width=width, height=height
        )
    event = ReportEvent.objects.create(
        tenant_id=report.tenant_id,
        report=report,
        kind=ReportEvent.Kind.REPORTER_INFO,
        public=True,
        text=text or _("Added %(n)d photo(s).") % {"n": len(photo_list)},
    )
    Report.objects.filter(pk__in={report.pk, case.pk}).update(updated_at=event.created_at)
    return event


def photos_reencoded(photos: Iterable[Any]) -> list[Any]:
    """Every photo checked and re-encoded before anything is written (core.photos)."""
    try:
        return [photo_reencode(p) for p in photos]
    except PhotoError as err:
        raise ReportError(err.message, field="photos", code=err.code) from None
