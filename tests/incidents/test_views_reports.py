"""A resident's report, from a phone, with no account: checked input, clean photos, a tracking code."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope, scopes_disabled
from PIL import Image

from incidents.models import Report, ReportEvent
from tests.factories import (
    incidents_url,
    jpeg_with_gps,
    report_category,
    report_point_inside,
)


def reports(station):
    with scopes_disabled():
        return list(Report.objects.filter(tenant=station))


def test_resident_reports_with_a_photo_and_gets_a_tracking_page(anonymous, station_a, community_a, form):
    page = anonymous.get(incidents_url("report", station_a))
    assert page.status_code == 200 and "Safety hazard" in page.content.decode()
    response = anonymous.post(incidents_url("report", station_a), {**form(), "photos": [jpeg_with_gps()]})
    assert response.status_code == 302
    [report] = reports(station_a)
    assert response.url == incidents_url("track", station_a, code=report.tracking_code)
    assert len(report.tracking_code) == 10
    assert report.status == "new" and report.community == community_a
    assert report.contact_phone == "+8613800001111"  # stored in E.164
    assert report.public_location.distance(report.location) < 0.001  # blurred to ~100 m, not moved away
    assert (report.public_location.x, report.public_location.y) != (report.location.x, report.location.y)
    with scopes_disabled():
        [photo] = report.photos.all()
        stored = Image.open(photo.image.open("rb"))
    assert stored.format == "JPEG"
    assert not stored.getexif()  # no GPS, no camera model: nothing that identifies the reporter
    assert "exif" not in stored.info and "icc_profile" not in stored.info

    track = anonymous.get(response.url).content.decode()
    assert report.tracking_code in track and "New" in track
    assert "13800001111" not in track and "Ms Li" not in track  # the contact never shows publicly
    assert report_point_inside(station_a)["lat"][:6] not in track  # nor the exact point


@pytest.mark.parametrize(
    ("overrides", "files", "message"),
    [
        ({"category": ""}, None, "Choose what you are reporting"),
        ({"description": ""}, None, "This field is required"),
        ({"description": "x" * 2001}, None, "at most 2000 characters"),
        ({"lat": "abc"}, None, "Place the pin on the map"),
        ({"lat": "", "lng": ""}, None, "Place the pin on the map"),
        ({"lat": "95", "lng": "100"}, None, "not a valid map position"),
        ({"lat": "-45.5", "lng": "-100.05"}, None, "outside the area of Station A"),
        ({"contact_phone": "12345"}, None, "Enter a valid phone number"),
        ({"contact_phone": "call me"}, None, "Enter a valid phone number"),
        ({"contact_phone": "+44 7700 900123"}, None, "Enter a valid phone number"),  # a fictional range
        ({}, "not-an-image", "is not a photo"),
        ({}, "huge-file", "larger than 10 MB"),
        ({}, "bomb", "too many pixels"),
        ({}, "six", "at most 5 photos"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    anonymous, station_a, form, overrides, files, message
):
    data = form(**overrides)
    if files == "not-an-image":
        data["photos"] = [SimpleUploadedFile("notes.jpg", b"%PDF-1.4 not really", content_type="image/jpeg")]
    elif files == "huge-file":
        data["photos"] = [SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (10 * 1024 * 1024 + 1))]
    elif files == "bomb":
        out = io.BytesIO()
        Image.new("1", (12000, 12000)).save(out, format="PNG")  # a few KB that decode to 144 megapixels
        data["photos"] = [SimpleUploadedFile("bomb.png", out.getvalue(), content_type="image/png")]
    elif files == "six":
        data["photos"] = [jpeg_with_gps(f"p{n}.jpg", (40, 30)) for n in range(6)]
    response = anonymous.post(incidents_url("report", station_a), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert reports(station_a) == []


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("138 0013 8000", "+8613800138000"),
        ("+86 138-0013-8000", "+8613800138000"),
        ("010 6552 9988", "+861065529988"),  # a landline: officers can call it back
        ("+1 202 555 0123", "+12025550123"),
    ],
)
def test_a_valid_phone_is_stored_in_international_form(anonymous, station_a, form, typed, stored):
    response = anonymous.post(incidents_url("report", station_a), form(contact_phone=typed))
    assert response.status_code == 302
    [report] = reports(station_a)
    assert report.contact_phone == stored


def test_a_number_without_country_code_is_read_in_the_stations_region(anonymous, station_a, form):
    station_a.phone_region = "HK"
    station_a.save(update_fields=["phone_region"])
    assert (
        anonymous.post(incidents_url("report", station_a), form(contact_phone="9123 4567")).status_code == 302
    )
    [report] = reports(station_a)
    assert report.contact_phone == "+85291234567"


def test_another_stations_category_is_refused(anonymous, station_a, station_b, form):
    response = anonymous.post(
        incidents_url("report", station_a), form(category=report_category(station_b).pk)
    )
    assert response.status_code == 400
    assert reports(station_a) == [] and reports(station_b) == []


def test_a_point_in_another_station_offers_that_station(anonymous, station_a, station_b, form):
    inside_b = {"lat": str(station_b.boundary.centroid.y), "lng": str(station_b.boundary.centroid.x)}
    response = anonymous.post(incidents_url("report", station_a), form(**inside_b))
    assert response.status_code == 400
    assert response.context["other_station"] == station_b
    assert incidents_url("report", station_b) in response.content.decode()


def test_staying_anonymous_keeps_no_contact(anonymous, station_a, form):
    anonymous.post(incidents_url("report", station_a), form(anonymous="on"))
    [report] = reports(station_a)
    assert report.anonymous and not report.has_contact


def test_a_logged_in_volunteer_report_is_linked_to_them(login, patroller_a, station_a, form):
    login(patroller_a.user).post(incidents_url("report", station_a), form())
    [report] = reports(station_a)
    assert report.reporter == patroller_a.user and report.source == "volunteer"


def test_anonymous_reports_are_rate_limited(station_a, form, settings):
    from django.test import Client

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "report_submit": "2/hour",
        },
    }
    statuses = [Client().post(incidents_url("report", station_a), form()).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert len(reports(station_a)) == 2


def test_additions_on_a_tracking_page_are_rate_limited(anonymous, station_a, settings):
    from incidents.models import ReportEvent
    from tests.factories import report_filed

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "track_update": "2/hour",
        },
    }
    report = report_filed(station_a)
    url = incidents_url("track", station_a, code=report.tracking_code)
    statuses = [anonymous.post(url, {"text": f"More {n}"}).status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    with scopes_disabled():
        added = ReportEvent.objects.filter(report=report, text__startswith="More").count()
    assert added == 2


def test_reporter_adds_information_and_sees_it(anonymous, station_a, form):
    anonymous.post(incidents_url("report", station_a), form())
    [report] = reports(station_a)
    track = incidents_url("track", station_a, code=report.tracking_code)
    response = anonymous.post(
        track, {"text": "It is the light by the north gate.", "photos": [jpeg_with_gps()]}
    )
    assert response.status_code == 302
    page = anonymous.get(track).content.decode()
    assert "It is the light by the north gate." in page
    with scopes_disabled():
        assert report.photos.count() == 1
    assert anonymous.post(track, {"text": ""}).status_code == 400


def test_internal_notes_never_reach_the_tracking_page(anonymous, station_a, form, officer_a):
    anonymous.post(incidents_url("report", station_a), form())
    [report] = reports(station_a)
    with scope(tenant=station_a):
        ReportEvent.objects.create(
            tenant=station_a,
            report=report,
            kind="internal_note",
            public=False,
            text="Reporter is the landlord's brother.",
            actor=officer_a,
        )
    page = anonymous.get(incidents_url("track", station_a, code=report.tracking_code)).content.decode()
    assert "landlord" not in page


def test_tracking_codes_do_not_cross_stations_or_get_guessed(anonymous, station_a, station_b, form):
    anonymous.post(incidents_url("report", station_a), form())
    [report] = reports(station_a)
    assert anonymous.get(incidents_url("track", station_b, code=report.tracking_code)).status_code == 404
    assert anonymous.get(incidents_url("track", station_a, code="AAAAAAAAAA")).status_code == 404
    lookup = anonymous.get(incidents_url("track-lookup", station_a), {"code": report.tracking_code.lower()})
    assert lookup.status_code == 302 and lookup.url == incidents_url(
        "track", station_a, code=report.tracking_code
    )


def test_closed_reports_take_no_more_information(anonymous, station_a, form):
    anonymous.post(incidents_url("report", station_a), form())
    [report] = reports(station_a)
    with scopes_disabled():
        Report.objects.filter(pk=report.pk).update(status="closed")
    response = anonymous.post(
        incidents_url("track", station_a, code=report.tracking_code), {"text": "One more thing"}
    )
    assert response.status_code == 400
    assert "This report is closed" in response.content.decode()


def test_nearby_open_reports_of_the_same_kind_are_offered(anonymous, station_a, form):
    anonymous.post(incidents_url("report", station_a), form())
    anonymous.post(incidents_url("report", station_a), form(category=report_category(station_a, "theft").pk))
    near = anonymous.get(
        incidents_url("report-nearby", station_a),
        {"category": report_category(station_a).pk, **report_point_inside(station_a, 0.0049, 0.0052)},
    ).json()
    assert len(near["reports"]) == 1
    assert near["reports"][0]["category"] == report_category(station_a).name
    far = anonymous.get(
        incidents_url("report-nearby", station_a),
        {"category": report_category(station_a).pk, **report_point_inside(station_a, 0.09, 0.09)},
    ).json()
    assert far["reports"] == []
    assert anonymous.get(incidents_url("report-nearby", station_a), {"lat": "x"}).status_code == 400
