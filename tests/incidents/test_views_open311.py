"""Open311 GeoReport v2: civic-reporting apps list services, file reports and follow them; the
public output carries the blurred location and never the contact or the reporter."""

import json
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from incidents.models import Category, Report
from incidents.services.reports import report_submit
from incidents.services.triage import report_comment, report_public_note_set
from tests.factories import report_point_inside

BASE = "/open311/v2/"


def get(client, path, **params):
    return client.get(BASE + path, params)


def body(response):
    return json.loads(response.content)


def file_report(station, slug="hazard", status=None, days_ago=0, **fields):
    """A report filed on the web page, moved to ``status`` and back-dated ``days_ago`` days."""
    with scope(tenant=station):
        point = report_point_inside(station)
        report = report_submit(
            tenant=station,
            category=Category.objects.get(tenant=station, slug=slug),
            description=fields.pop("description", "The street light is out."),
            lat=point["lat"],
            lng=point["lng"],
            contact_name="Ms Li",
            contact_phone="13800001111",
            contact_email="li@example.org",
            **fields,
        )
        if status:
            Report.objects.filter(pk=report.pk).update(status=status)
        if days_ago:
            Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
        report.refresh_from_db()
    return report


def all_reports(station):
    with scopes_disabled():
        return list(Report.objects.filter(tenant=station))


def assert_error(response, status):
    assert response.status_code == status
    [error] = body(response)
    assert error["code"] == status and error["description"]
    return error["description"]


@pytest.fixture
def post_data(station_a):
    point = report_point_inside(station_a)
    return {
        "jurisdiction_id": "station-a",
        "service_code": "hazard",
        "lat": point["lat"],
        "long": point["lng"],
        "description": "An open manhole on Garden Road.",
        "email": "li@example.org",
        "first_name": "Mei",
        "last_name": "Li",
        "phone": "13800001111",
        "media_url": "http://169.254.169.254/latest/meta-data/",
    }


def codes(response):
    assert response.status_code == 200, response.content
    return {r["service_request_id"] for r in body(response)}


def test_service_list_json_has_every_offered_category(anonymous, station_a):
    with scopes_disabled():
        Category.objects.filter(tenant=station_a, slug="fraud").update(is_active=False)
    response = get(anonymous, "services.json", jurisdiction_id="station-a")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    services_ = body(response)
    codes = [s["service_code"] for s in services_]
    assert "hazard" in codes and "fraud" not in codes
    hazard = next(s for s in services_ if s["service_code"] == "hazard")
    assert hazard == {
        "service_code": "hazard",
        "service_name": "Safety hazard",
        "description": "Broken lights, open manholes, blocked fire exits, loose cables.",
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": "hazard",
    }


def test_service_list_xml(anonymous, station_a):
    response = get(anonymous, "services.xml", jurisdiction_id="station-a")
    assert response.status_code == 200 and "xml" in response["Content-Type"]
    root = ET.fromstring(response.content)
    assert root.tag == "services"
    hazard = next(s for s in root.findall("service") if s.findtext("service_code") == "hazard")
    assert hazard.findtext("service_name") == "Safety hazard"
    assert hazard.findtext("metadata") == "false" and hazard.findtext("type") == "realtime"
    assert hazard.findtext("group") == "hazard"


def test_service_definition(anonymous, station_a):
    response = get(anonymous, "services/hazard.json", jurisdiction_id="station-a")
    assert response.status_code == 200
    assert body(response) == {"service_code": "hazard", "attributes": []}
    root = ET.fromstring(get(anonymous, "services/hazard.xml", jurisdiction_id="station-a").content)
    assert root.tag == "service_definition" and root.findtext("service_code") == "hazard"
    assert root.find("attributes") is not None and list(root.find("attributes")) == []
    assert_error(get(anonymous, "services/nope.json", jurisdiction_id="station-a"), 404)


@pytest.mark.parametrize("jurisdiction", ["nowhere", "jinshui"])  # unknown, and the bureau
def test_unknown_jurisdiction_is_404(anonymous, station_a, jurisdiction):
    assert_error(get(anonymous, "services.json", jurisdiction_id=jurisdiction), 404)
    assert_error(get(anonymous, "requests.json", jurisdiction_id=jurisdiction), 404)
    response = get(anonymous, "services.xml", jurisdiction_id=jurisdiction)
    assert response.status_code == 404
    error = ET.fromstring(response.content).find("error")
    assert error.findtext("code") == "404" and error.findtext("description")


def test_missing_jurisdiction_is_400(anonymous, station_a):
    assert_error(get(anonymous, "services.json"), 400)


def test_post_creates_a_report_and_the_contact_never_shows(station_a, community_a, post_data):
    client = Client(enforce_csrf_checks=True)  # API clients have no CSRF token
    response = client.post(BASE + "requests.json", post_data)
    assert response.status_code == 201
    [answer] = body(response)
    [report] = all_reports(station_a)
    # the public id, not the tracking code: that reaches the reporter in their receipt
    assert answer == {"service_request_id": report.public_id, "service_notice": "", "account_id": None}
    assert report.public_id != report.tracking_code
    assert report.source == "open311" and report.reporter is None and report.community == community_a
    assert (report.contact_name, report.contact_email, report.contact_phone) == (
        "Mei Li",
        "li@example.org",
        "+8613800001111",
    )
    assert report.description == "An open manhole on Garden Road."

    for path in ("requests.json", "requests.xml", f"requests/{report.public_id}.json"):
        output = get(client, path, jurisdiction_id="station-a").content.decode()
        assert report.public_id in output
        for secret in ("Mei", "li@example.org", "13800001111", "169.254", report.tracking_code):
            assert secret not in output


def test_post_xml_answers_in_xml(anonymous, station_a, post_data):
    response = anonymous.post(BASE + "requests.xml", post_data)
    assert response.status_code == 201
    request = ET.fromstring(response.content).find("request")
    [report] = all_reports(station_a)
    assert request.findtext("service_request_id") == report.public_id
    assert request.find("account_id") is not None and not request.findtext("account_id")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"service_code": "nope"}, "Unknown service_code"),
        ({"service_code": ""}, "service_code is required"),
        ({"lat": "abc"}, "Place the pin on the map"),
        ({"lat": "95"}, "not a valid map position"),
        ({"lat": "-45.5", "long": "-100.05"}, "outside the area of Station A"),
        ({"description": ""}, "what happened"),
        ({"description": None}, "what happened"),
        ({"description": "x" * 2001}, "under 2000 characters"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "12345"}, "phone is not a valid phone number"),
        ({"phone": "+86 999 9999 9999"}, "phone is not a valid phone number"),
    ],
)
def test_bad_input_is_400_in_the_spec_format_and_nothing_saved(
    anonymous, station_a, post_data, overrides, message
):
    data = {k: v for k, v in {**post_data, **overrides}.items() if v is not None}
    description = assert_error(anonymous.post(BASE + "requests.json", data), 400)
    assert message in description
    response = anonymous.post(BASE + "requests.xml", data)
    assert response.status_code == 400
    assert message in ET.fromstring(response.content).find("error").findtext("description")
    assert all_reports(station_a) == []


def test_post_is_rate_limited(anonymous, station_a, post_data, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "report_submit": "2/hour",
        },
    }
    assert anonymous.post(BASE + "requests.json", post_data).status_code == 201
    assert anonymous.post(BASE + "requests.json", post_data).status_code == 201
    assert_error(anonymous.post(BASE + "requests.json", post_data), 429)
    assert len(all_reports(station_a)) == 2


def test_services_are_read_only(anonymous, station_a):
    response = anonymous.post(BASE + "services.json", {"jurisdiction_id": "station-a"})
    assert response.status_code == 405


def test_request_fields_and_blurred_location(anonymous, station_a):
    report = file_report(station_a)
    with scope(tenant=station_a):
        report_comment(report=report, actor=None, text="Internal: ring Ms Li", public=False)
        report_comment(report=report, actor=None, text="A crew is on the way, Ms Li.", public=True)
        report_public_note_set(report=report, actor=None, text="A crew is on the way.")
        report.refresh_from_db()
    [item] = body(get(anonymous, "requests.json", jurisdiction_id="station-a"))
    assert item["service_request_id"] == report.public_id
    # the note officers wrote as public; their message to the reporter stays on the tracking page
    assert item["status"] == "open" and item["status_notes"] == "A crew is on the way."
    assert item["service_code"] == "hazard" and item["service_name"] == "Safety hazard"
    assert item["agency_responsible"] == "Station A" and item["address"] == "" and item["media_url"] == ""
    assert item["description"] == "The street light is out."
    assert item["requested_datetime"].endswith("+08:00")  # the station's time, with its offset
    assert item["updated_datetime"] == timezone.localtime(report.updated_at, station_a.zoneinfo).isoformat(
        timespec="seconds"
    )
    assert (item["long"], item["lat"]) == (report.public_location.x, report.public_location.y)
    assert (item["long"], item["lat"]) != (report.location.x, report.location.y)
    output = json.dumps(item)
    assert "Internal" not in output and "Ms Li" not in output and "13800001111" not in output
    assert report.tracking_code not in output


def test_request_list_filters(anonymous, station_a):
    new = file_report(station_a, slug="hazard")
    assigned = file_report(station_a, slug="theft", status="assigned")
    resolved = file_report(station_a, slug="hazard", status="resolved")
    rejected = file_report(station_a, slug="fraud", status="rejected")
    old = file_report(station_a, slug="hazard", days_ago=120)
    j = {"jurisdiction_id": "station-a"}

    recent = {new.public_id, assigned.public_id, resolved.public_id, rejected.public_id}
    assert codes(get(anonymous, "requests.json", **j)) == recent  # the last 90 days by default
    assert codes(get(anonymous, "requests.json", status="open", **j)) == {
        new.public_id,
        assigned.public_id,
    }
    assert codes(get(anonymous, "requests.json", status="closed", **j)) == {
        resolved.public_id,
        rejected.public_id,
    }
    assert codes(get(anonymous, "requests.json", status="open,closed", **j)) == recent
    assert codes(get(anonymous, "requests.json", service_code="hazard", **j)) == {
        new.public_id,
        resolved.public_id,
    }
    assert codes(get(anonymous, "requests.json", service_code="theft,fraud", **j)) == {
        assigned.public_id,
        rejected.public_id,
    }
    ids = f"{old.public_id},{new.public_id.upper()}"  # ids ignore the date range
    assert codes(get(anonymous, "requests.json", service_request_id=ids, **j)) == {
        old.public_id,
        new.public_id,
    }

    start = (timezone.now() - timedelta(days=150)).isoformat()
    end = (timezone.now() - timedelta(days=100)).isoformat()
    assert codes(get(anonymous, "requests.json", start_date=start, end_date=end, **j)) == {old.public_id}
    assert codes(get(anonymous, "requests.json", start_date=start, **j)) == {old.public_id}
    assert codes(get(anonymous, "requests.json", end_date=end, **j)) == {old.public_id}
    day = (timezone.now() - timedelta(days=1)).date().isoformat()
    assert codes(get(anonymous, "requests.json", start_date=day, **j)) == recent
    # a "+" left unencoded in the offset arrives as a space
    plus = (timezone.localtime(timezone.now() - timedelta(days=1), station_a.zoneinfo)).isoformat()
    assert "+08:00" in plus
    response = anonymous.get(BASE + f"requests.json?jurisdiction_id=station-a&start_date={plus}")
    assert codes(response) == recent

    assert_error(get(anonymous, "requests.json", start_date="yesterday", **j), 400)
    assert_error(get(anonymous, "requests.json", status="pending", **j), 400)
    wide = (timezone.now() - timedelta(days=200)).isoformat()
    assert_error(get(anonymous, "requests.json", start_date=wide, end_date=end, **j), 400)
    assert_error(get(anonymous, "requests.json", start_date=end, end_date=start, **j), 400)


def test_request_list_xml_parses(anonymous, station_a):
    report = file_report(station_a, description='Sparks <near> the "gate" & a bell\x07 ringing')
    response = get(anonymous, "requests.xml", jurisdiction_id="station-a")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests"
    [request] = root.findall("request")
    assert request.findtext("service_request_id") == report.public_id
    assert request.findtext("description") == 'Sparks <near> the "gate" & a bell ringing'
    assert request.findtext("status") == "open"
    assert float(request.findtext("lat")) == report.public_location.y


def test_request_list_runs_a_constant_number_of_queries(anonymous, station_a, django_assert_num_queries):
    for slug in ("hazard", "theft", "fire"):
        report = file_report(station_a, slug=slug)
        with scope(tenant=station_a):
            report_comment(report=report, actor=None, text="On it.", public=True)
    # the station, the reports with their notes, their public photos
    with django_assert_num_queries(3):
        assert len(body(get(anonymous, "requests.json", jurisdiction_id="station-a"))) == 3
    for slug in ("dispute", "other"):
        file_report(station_a, slug=slug)
    with django_assert_num_queries(3):
        assert len(body(get(anonymous, "requests.json", jurisdiction_id="station-a"))) == 5


def test_one_request(anonymous, station_a):
    report = file_report(station_a, status="closed", days_ago=300)  # found whatever its age
    response = get(anonymous, f"requests/{report.public_id}.json", jurisdiction_id="station-a")
    assert response.status_code == 200
    [item] = body(response)
    assert item["service_request_id"] == report.public_id and item["status"] == "closed"
    root = ET.fromstring(
        get(anonymous, f"requests/{report.public_id}.xml", jurisdiction_id="station-a").content
    )
    assert root.tag == "service_requests" and len(root.findall("request")) == 1
    assert_error(get(anonymous, "requests/ZZZZZZZZZZ.json", jurisdiction_id="station-a"), 404)
    # the tracking code opens the tracking page only: Open311 does not know it
    assert_error(get(anonymous, f"requests/{report.tracking_code}.json", jurisdiction_id="station-a"), 404)


def test_another_stations_request_is_not_visible(anonymous, station_a, station_b):
    theirs = file_report(station_b)
    assert_error(get(anonymous, f"requests/{theirs.public_id}.json", jurisdiction_id="station-a"), 404)
    assert codes(get(anonymous, "requests.json", jurisdiction_id="station-a")) == set()
    ids = get(anonymous, "requests.json", jurisdiction_id="station-a", service_request_id=theirs.public_id)
    assert codes(ids) == set()
    assert codes(get(anonymous, "requests.json", jurisdiction_id="station-b")) == {theirs.public_id}
