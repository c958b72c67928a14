"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) under /open311/v2/, so existing
civic-reporting apps file and follow reports without changes.

``jurisdiction_id`` is the station's short name. Every endpoint answers in JSON or XML after the
path's suffix. Privacy as on the public pages: only the blurred ``public_location`` and the police's
public status texts go out; never the exact point, the contact or who reported.
"""

import functools
import re
import xml.etree.ElementTree as ET
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_scopes import scope

from jointdefense.core.filters import representable
from jointdefense.core.phones import phone_normalised
from jointdefense.core.throttling import anonymous_submission_allowed
from jointdefense.tenancy.selectors import tenant_by_slug

from ..errors import ReportError
from ..models import Category, Report
from ..selectors.open311 import service_category, service_request_list
from ..selectors.reports import OPEN, category_list
from ..services.reports import report_submit

MAX_REQUESTS = 1000  # the most one GET requests answers, per the spec
DEFAULT_DAYS = 90  # the default range, and the widest one a client may ask for
CLOSED = [Report.Status.RESOLVED, Report.Status.CLOSED, Report.Status.REJECTED]
# characters XML 1.0 cannot carry at all, even escaped
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Open311Error(Exception):
    def __init__(self, status: int, description):
        super().__init__(description)
        self.status = status
        self.description = str(description)


# ---- rendering -----------------------------------------------------------------------------------------


def _xml_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _XML_INVALID.sub("", str(value))


def _xml(root_tag: str, item_tag: str, items: list[dict]) -> bytes:
    """<root><item><field>…</field>…</item>…</root>; None is an empty element."""
    root = ET.Element(root_tag)
    for item in items:
        node = ET.SubElement(root, item_tag)
        for key, value in item.items():
            ET.SubElement(node, key).text = _xml_text(value)
    return _xml_bytes(root)


def _xml_bytes(root) -> bytes:
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
        root, encoding="utf-8", xml_declaration=False
    )


def _render(fmt: str, data, *, root_tag: str, item_tag: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        items = data if isinstance(data, list) else [data]
        return HttpResponse(
            _xml(root_tag, item_tag, items), status=status, content_type="application/xml; charset=utf-8"
        )
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _error(fmt: str, status: int, description) -> HttpResponse:
    return _render(
        fmt,
        [{"code": status, "description": str(description)}],
        root_tag="errors",
        item_tag="error",
        status=status,
    )


def _endpoint(methods):
    """Plain Django views for API clients: no CSRF (no cookies are used), errors in the spec's format,
    the station resolved from ``jurisdiction_id`` and its tenant scope and time zone opened."""

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, fmt, **kwargs):
            if request.method not in methods:
                response = _error(fmt, 405, _("Method not allowed."))
                response["Allow"] = ", ".join(methods)
                return response
            try:
                tenant = _jurisdiction(request)
                with scope(tenant=tenant.scope_tenants()), timezone.override(tenant.zoneinfo):
                    return view(request, fmt, tenant, **kwargs)
            except Open311Error as err:
                return _error(fmt, err.status, err.description)

        return wrapper

    return decorate


def _jurisdiction(request):
    slug = (request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id") or "").strip()
    if not slug:
        raise Open311Error(400, _("jurisdiction_id is required."))
    tenant = tenant_by_slug(slug)
    if tenant is None or tenant.is_bureau:
        raise Open311Error(404, _("Unknown jurisdiction_id."))
    request.tenant = tenant
    return tenant


# ---- services ------------------------------------------------------------------------------------------


def _service(category: Category) -> dict:
    return {
        "service_code": category.slug,
        "service_name": category.name,
        "description": category.description,
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": category.kind,
    }


@_endpoint(["GET"])
def service_list(request, fmt, tenant):
    """GET services: what residents can report to this station."""
    categories = category_list(tenant=tenant)
    return _render(fmt, [_service(c) for c in categories], root_tag="services", item_tag="service")


@_endpoint(["GET"])
def service_definition(request, fmt, tenant, service_code):
    """GET services/{service_code}: no extra attributes are asked for."""
    if service_category(tenant=tenant, service_code=service_code) is None:
        raise Open311Error(404, _("Unknown service_code."))
    data = {"service_code": service_code, "attributes": []}
    if fmt == "xml":
        root = ET.Element("service_definition")
        ET.SubElement(root, "service_code").text = _xml_text(service_code)
        ET.SubElement(root, "attributes")
        return HttpResponse(_xml_bytes(root), content_type="application/xml; charset=utf-8")
    return JsonResponse(data)


# ---- service requests ----------------------------------------------------------------------------------


def _iso(dt) -> str:
    return timezone.localtime(dt).isoformat(timespec="seconds")


def _request(report: Report, tenant, request) -> dict:
    return {
        # the public id, never the tracking code (the reporter's key to the tracking page)
        "service_request_id": report.public_id,
        "status": "open" if report.status in OPEN else "closed",
        # what officers wrote as public; messages to the reporter stay on the tracking page
        "status_notes": report.public_note,
        "service_name": report.category.name,
        "service_code": report.category.slug,
        "description": report.description,
        "agency_responsible": tenant.name,
        "service_notice": "",
        "requested_datetime": _iso(report.created_at),
        "updated_datetime": _iso(report.updated_at),
        "expected_datetime": None,
        "address": "",
        "lat": report.public_location.y,  # blurred to about 100 m: never the exact point
        "long": report.public_location.x,
        # a photo an officer marked public (the others stay with the reporter and the station)
        "media_url": _media_url(report, tenant, request),
    }


def _media_url(report: Report, tenant, request) -> str:
    photos = getattr(report, "public_photos", [])
    if not photos:
        return ""
    return request.build_absolute_uri(
        reverse("incidents:photo", kwargs={"station": tenant.slug, "pk": photos[0].pk})
    )


def _parse_when(name: str, value: str):
    value = value.strip()
    # an unencoded "+" of the offset arrives as a space
    value = re.sub(r" (\d{2}(:?\d{2})?)$", r"+\1", value)
    try:
        when = parse_datetime(value)
        if when is None:
            day = parse_date(value)
            when = datetime.combine(day, time.min) if day else None
    except ValueError:
        when = None
    if when is None:
        raise Open311Error(400, _("%(name)s is not an ISO 8601 date and time.") % {"name": name})
    when = timezone.make_aware(when) if timezone.is_naive(when) else when
    try:
        return representable(when)
    except ValidationError:
        raise Open311Error(400, _("%(name)s is outside the years 1 to 9999.") % {"name": name}) from None


def _comma_list(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


@_endpoint(["GET", "POST"])
def request_list(request, fmt, tenant):
    """GET requests: the station's reports, newest first; POST requests: file one."""
    if request.method == "POST":
        return _request_create(request, fmt, tenant)
    reports = service_request_list(tenant=tenant)
    codes = _comma_list(request.GET.get("service_request_id"))
    if codes:  # the spec: other parameters are ignored when ids are given
        reports = reports.filter(public_id__in=[c.lower() for c in codes[:MAX_REQUESTS]])
    else:
        service_codes = _comma_list(request.GET.get("service_code"))
        if service_codes:
            reports = reports.filter(category__slug__in=service_codes)
        statuses = set(_comma_list((request.GET.get("status") or "").lower()))
        if statuses - {"open", "closed"}:
            raise Open311Error(400, _("status is open or closed."))
        if statuses == {"open"}:
            reports = reports.filter(status__in=OPEN)
        elif statuses == {"closed"}:
            reports = reports.filter(status__in=CLOSED)
        start = request.GET.get("start_date")
        end = request.GET.get("end_date")
        start = _parse_when("start_date", start) if start else None
        end = _parse_when("end_date", end) if end else None
        span = timedelta(days=DEFAULT_DAYS)
        if start is None and end is None:
            end = timezone.now()
        if start is None:
            start = end - span
        elif end is None:
            end = start + span
        if end < start:
            raise Open311Error(400, _("end_date is before start_date."))
        if end - start > span:
            raise Open311Error(
                400, _("The range may not span more than %(days)d days.") % {"days": DEFAULT_DAYS}
            )
        reports = reports.filter(created_at__gte=start, created_at__lte=end)
    data = [_request(r, tenant, request) for r in reports[:MAX_REQUESTS]]
    return _render(fmt, data, root_tag="service_requests", item_tag="request")


@_endpoint(["GET"])
def request_detail(request, fmt, tenant, request_id):
    """GET requests/{service_request_id}: a list holding the one report, per the spec."""
    report = service_request_list(tenant=tenant).filter(public_id=request_id.lower()).first()
    if report is None:
        raise Open311Error(404, _("Unknown service_request_id."))
    return _render(fmt, [_request(report, tenant, request)], root_tag="service_requests", item_tag="request")


def _request_create(request, fmt, tenant):
    """POST requests (form-encoded). Location by lat/long only; media_url is not fetched."""
    if not anonymous_submission_allowed(request, "report_submit"):
        raise Open311Error(
            429, _("Too many reports from this connection. Try again later, or call the police.")
        )
    data = request.POST
    service_code = (data.get("service_code") or "").strip()
    if not service_code:
        raise Open311Error(400, _("service_code is required."))
    category = service_category(tenant=tenant, service_code=service_code)
    if category is None:
        raise Open311Error(400, _("Unknown service_code."))
    email = (data.get("email") or "").strip()
    if email:
        try:
            if len(email) > 254:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            raise Open311Error(400, _("email is not a valid email address.")) from None
    phone = (data.get("phone") or "").strip()
    if phone:
        try:
            phone = phone_normalised(phone, region=tenant.phone_region)
        except ValidationError:
            raise Open311Error(
                400, _("phone is not a valid phone number (give it with its country code, such as +86).")
            ) from None
    name = " ".join(
        part for part in (data.get("first_name", "").strip(), data.get("last_name", "").strip()) if part
    )
    try:
        report = report_submit(
            tenant=tenant,
            category=category,
            description=data.get("description", ""),
            lat=data.get("lat"),
            lng=data.get("long"),
            contact_name=name,
            contact_phone=phone,
            contact_email=email,
            reporter=None,
            source=Report.Source.OPEN311,
        )
    except ReportError as err:
        raise Open311Error(400, err.message) from None
    except ValidationError as err:  # a model check the service leaves to full_clean
        raise Open311Error(400, " ".join(err.messages)) from None
    # the reporter's tracking code reaches them in the receipt to their own contact, not here
    body = [{"service_request_id": report.public_id, "service_notice": "", "account_id": None}]
    return _render(fmt, body, root_tag="service_requests", item_tag="request", status=201)
