"""Everything an anonymous visitor can read gives away no reporter: no tracking code (the reporter's
key to their report), no contact e-mail or phone, no point finer than the public blur
(``incidents.services.reports.blur``, a grid of ``BLUR_DEGREES``). Read against a station with several
reports that have all three: Open311 in JSON and XML, the report page and its answers, "nearby",
the tracking pages, every page of the URL resolver and every API path of the OpenAPI schema."""

import json
import re
from itertools import count

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_scopes import scope, scopes_disabled

from incidents.models import Report
from incidents.services.duplicates import report_merge
from incidents.services.reports import BLUR_DEGREES
from incidents.services.triage import report_assign, report_public_note_set, report_transition
from tests.factories import incidents_url, report_filed, report_form_data, report_point_inside

# exact points: odd offsets inside the station's south-west corner, far (in the third decimal) from
# the boundaries' corners (whole hundredths) so that nothing public sits close to them by chance
OFFSETS = [(0.01237, 0.01289), (0.01261, 0.01243), (0.03117, 0.02173), (0.05371, 0.04419), (0.07213, 0.06131)]
NUMBER = re.compile(r"-?\d+\.\d+")
TOLERANCE = BLUR_DEGREES * 0.45  # closer to an exact point than the blur: finer than public


@pytest.fixture
def reports(station_a, community_a, officer_a):
    """Five reports with a contact e-mail and phone each: open, joined from the report page, merged by
    an officer, resolved with a public note, rejected."""
    made = []
    for n, (dx, dy) in enumerate(OFFSETS):
        made.append(
            report_filed(
                station_a,
                dx=dx,
                dy=dy,
                description=f"Report number {n}.",
                contact_name=f"Resident {n}",
                contact_email=f"resident{n}@example.org",
                contact_phone=f"1390000{n:04d}",
                add_to=made[0] if n == 1 else None,  # "add to this report", as on the report page
            )
        )
    first, _joined, merged, resolved, rejected = made
    with scope(tenant=station_a):
        report_merge(duplicate=merged, into=first, actor=officer_a)
        report_assign(report=resolved, actor=officer_a, officer=officer_a)
        report_transition(report=resolved, actor=officer_a, to="resolved", public_text="Fixed.")
        report_public_note_set(report=resolved, actor=officer_a, text="The light works again.")
        report_transition(report=rejected, actor=officer_a, to="rejected", public_text="Not ours.")
    with scopes_disabled():
        return list(Report.objects.filter(tenant=station_a).order_by("pk"))


def leaks(body: str, reports, *, own: Report | None = None) -> list[str]:
    """What of ``reports`` a response body gives away (``own``: the tracking page of that report may
    show its own tracking code)."""
    found = []
    for r in reports:
        if r != own and r.tracking_code in body:
            found.append(f"tracking code of report {r.pk}")
        for contact in (r.contact_email, r.contact_phone):
            if contact and contact in body:
                found.append(f"contact {contact}")
    public = {round(v, 6) for r in reports for v in (r.public_location.x, r.public_location.y)}
    exact = [v for r in reports for v in (r.location.x, r.location.y)]
    for number in {float(m) for m in NUMBER.findall(body)}:
        if round(number, 6) not in public and any(abs(number - e) < TOLERANCE for e in exact):
            found.append(f"exact coordinate {number}")
    return found


class Reader:
    """An anonymous visitor reading public surfaces; each request from another address, so the
    anonymous rate limits never answer instead of the surface."""

    def __init__(self, client, reports):
        self.client, self.reports, self.read, self.addresses = client, reports, [], count(1)

    def get(self, url, params=None, *, own=None, **extra):
        n = next(self.addresses)
        response = self.client.get(url, params or {}, REMOTE_ADDR=f"10.1.{n // 250}.{n % 250 + 1}", **extra)
        return self.check(f"GET {url} {params or ''}", response, own=own)

    def post(self, url, data, **extra):
        n = next(self.addresses)
        response = self.client.post(url, data, REMOTE_ADDR=f"10.2.{n // 250}.{n % 250 + 1}", **extra)
        return self.check(f"POST {url}", response)

    def check(self, what, response, *, own=None):
        # never a server error (/healthz answers 503 while no worker's heartbeat is there)
        assert response.status_code < 500 or response.status_code == 503, (what, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        assert not leaks(text, self.reports, own=own), (what, leaks(text, self.reports, own=own))
        self.read.append(what)
        return response, text


def test_the_checks_see_a_tracking_code_a_contact_and_an_exact_point(reports):
    r = reports[0]
    assert leaks(f"<id>{r.tracking_code}</id>", reports)
    assert leaks(f'{{"email": "{r.contact_email}"}}', reports) and leaks(r.contact_phone, reports)
    assert leaks(f'"lat": {r.location.y:.5f}', reports) and leaks(f"{r.location.x:.4f}", reports)
    assert not leaks(f'"lat": {r.public_location.y}, "lng": {r.public_location.x}', reports)


def test_open311_in_json_and_xml_gives_away_no_reporter(anonymous, station_a, reports):
    reader = Reader(anonymous, reports)
    j = {"jurisdiction_id": station_a.slug}
    for fmt in ("json", "xml"):
        reader.get(reverse("open311:services", kwargs={"fmt": fmt}), j)
        reader.get(reverse("open311:service", kwargs={"fmt": fmt, "service_code": "hazard"}), j)
        _, listed = reader.get(reverse("open311:requests", kwargs={"fmt": fmt}), j)
        assert all(r.public_id in listed for r in reports)  # every report is there, by its public id
        assert str(reports[0].public_location.y) in listed
        reader.get(reverse("open311:requests", kwargs={"fmt": fmt}), {**j, "status": "closed"})
        ids = ",".join(r.public_id for r in reports)
        reader.get(reverse("open311:requests", kwargs={"fmt": fmt}), {**j, "service_request_id": ids})
        for r in reports:
            kwargs = {"fmt": fmt, "request_id": r.public_id}
            _, one = reader.get(reverse("open311:request", kwargs=kwargs), j)
            assert r.public_id in one
        # asking by a tracking code finds nothing
        response, _ = reader.get(
            reverse("open311:request", kwargs={**kwargs, "request_id": r.tracking_code}), j
        )
        assert response.status_code == 404


def test_the_report_page_nearby_and_the_tracking_pages_give_away_no_other_reporter(
    anonymous, station_a, reports
):
    reader = Reader(anonymous, reports)
    reader.get(incidents_url("report", station_a))
    for r in reports:  # "already reported nearby", with the pin on each report
        params = {"category": r.category_id, "lat": r.location.y, "lng": r.location.x}
        _, near = reader.get(incidents_url("report-nearby", station_a), params)
        if r in reports[:2]:  # the open report, and the one added to it next door
            assert reports[0].public_id in near
    # a resident far from them adds to the open one (the page's answers: refused, then accepted)
    pin = report_point_inside(station_a, 0.0903, 0.0907)
    form = {**report_form_data(station_a, contact_phone=""), **pin}
    response, _ = reader.post(incidents_url("report", station_a), {**form, "description": ""})
    assert response.status_code == 400
    near = {**report_point_inside(station_a, *OFFSETS[0]), "add_to": reports[0].public_id}
    response, _ = reader.post(incidents_url("report", station_a), {**form, **near}, follow=True)
    assert response.status_code == 200 and response.redirect_chain
    reader.get(incidents_url("track-lookup", station_a))
    reader.get(incidents_url("track-lookup", station_a), {"code": "NOSUCHCODE"})
    # each reporter's own page: their own code, nobody else's (and no contact, no exact point)
    for r in reports:
        response, page = reader.get(incidents_url("track", station_a, code=r.tracking_code), own=r)
        assert response.status_code == 200 and r.tracking_code in page


def _route_urls(station, community):
    """Every page route of the resolver (not the API's, which the schema lists, nor Open311's, read
    above), its parameters filled with objects of station A."""
    values = {"station": station.slug, "community": community.slug}

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    for route in walk(get_resolver().url_patterns):
        if route.startswith(("admin/", "api/s/", "open311/")) or "<str:code>" in route or "^" in route:
            continue
        yield "/" + re.sub(
            r"<(?:(\w+):)?(\w+)>",
            lambda m: str(values.get(m.group(2), 1 if m.group(1) == "int" else "x")),
            route,
        )


def test_every_page_an_anonymous_visitor_may_get_gives_away_no_reporter(
    anonymous, station_a, community_a, reports
):
    reader = Reader(anonymous, reports)
    urls = list(_route_urls(station_a, community_a))
    assert incidents_url("triage-map", station_a) in urls and "/healthz" in urls
    for url in urls:
        reader.get(url)
    for r in reports:  # officers' pages of each report: the log-in page for the anonymous
        reader.get(incidents_url("case", station_a, pk=r.pk))
    assert len(reader.read) == len(urls) + len(reports)


def test_every_api_path_an_anonymous_visitor_may_get_gives_away_no_reporter(anonymous, station_a, reports):
    reader = Reader(anonymous, reports)
    _, schema_text = reader.get(reverse("api-schema"), {"format": "json"})
    paths = json.loads(schema_text)["paths"]
    gets = [path for path, operations in paths.items() if "get" in operations]
    assert "/api/s/{station}/reports/" in gets and "/api/s/{station}/reports/{id}/" in gets
    for path in gets:
        ids = [r.pk for r in reports] if "/reports/" in path else [reports[0].pk]
        for pk in ids:
            url = re.sub(r"\{(\w+)\}", lambda m: station_a.slug if m.group(1) == "station" else str(pk), path)
            response, _ = reader.get(url, HTTP_ACCEPT="application/json")
            assert response.status_code in (200, 401, 403, 404), (url, response.status_code)
    for page in ("api-docs", "api-redoc"):
        reader.get(reverse(page))
    with scopes_disabled():
        assert Report.objects.filter(tenant=station_a).count() == len(reports)
