"""Who may see a report's photo (``incidents:photo``, views.photos).

* the reporter, on their tracking page: each photo's address there carries a signed token that
  names the photo and expires (``PHOTO_LINK_SECONDS``), never the tracking code itself;
* the station's officers (``report.triage``, the case page's permission);
* everyone, once an officer has marked the photo public (Open311's ``media_url``).

Anyone else, other stations' officers included, gets the same 404 as for a photo that does not exist.
"""

from typing import Any

from django.core import signing

from jointdefense.tenancy.models import Tenant
from jointdefense.tenancy.roles import has_station_perm

from ..models import Report, ReportPhoto

PHOTO_LINK_SECONDS = 60 * 60  # a tracking page's photo links work this long; reloading renews them
_SALT = "incidents.report-photo"


def report_photo_token(*, photo: ReportPhoto) -> str:
    """The token of the reporter's link to ``photo`` (tracking page)."""
    return signing.dumps([photo.tenant_id, photo.pk], salt=_SALT, compress=False)


def _token_names(token: str, photo: ReportPhoto) -> bool:
    try:
        value = signing.loads(token, salt=_SALT, max_age=PHOTO_LINK_SECONDS)
    except signing.BadSignature:  # also an expired one (SignatureExpired)
        return False
    return bool(value == [photo.tenant_id, photo.pk])


def report_photo_for_viewer(*, tenant: Tenant, pk: Any, user: Any, token: str = "") -> ReportPhoto | None:
    """The station's photo ``pk`` if this viewer may see it, else None (a 404 for the caller)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    photo = ReportPhoto.objects.filter(tenant=tenant, pk=pk).first()
    if photo is None:
        return None
    if photo.public or has_station_perm(user, tenant, "report.triage"):
        return photo
    if token and _token_names(token, photo):
        return photo
    return None


def report_photos_for_reporter(*, report: Report) -> list[ReportPhoto]:
    """The photos of the reporter's own report, each with ``.token`` for its tracking-page link."""
    photos = list(ReportPhoto.objects.filter(tenant=report.tenant_id, report=report))
    for photo in photos:
        photo.token = report_photo_token(photo=photo)  # type: ignore[attr-defined]
    return photos
