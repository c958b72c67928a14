"""A resident's report, from a phone, with no account: checked input, clean photos, a tracking code."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from PIL import Image

from incidents import services
from incidents.models import Category, Report, ReportEvent


def inside(station, dx=0.005, dy=0.005):
    """A point in the south-west corner of the station (where community_a lies, see factories)."""
    x, y = station.boundary.extent[:2]
    return {"lat": f"{y + dy:.6f}", "lng": f"{x + dx:.6f}"}


def url(name, station, **kwargs):
    return reverse(f"incidents:{name}", kwargs={"station": station.slug, **kwargs})


def jpeg_with_gps(name="street.jpg", size=(640, 480)):
    """A JPEG carrying EXIF with a GPS position and a camera model, as phones write them."""
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x0110] = "Phone Model X"  # camera model
    exif[0x8825] = {1: "N", 2: (30.0, 0.0, 18.0), 3: "E", 4: (100.0, 0.0, 18.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def category(station, slug="hazard"):
    with scopes_disabled():
        return Category.objects.get(tenant=station, slug=slug)


def reports(station):
    with scopes_disabled():
        return list(Report.objects.filter(tenant=station))


@pytest.fixture
def form(station_a):
    def _form(**overrides):
        data = {
            "category": category(station_a).pk,
            "description": "The street light at the gate is out.",
            **inside(station_a),
            "contact_name": "Ms Li",
            "contact_phone": "13800001111",
        }
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}

    return _form


def test_a_new_station_offers_the_usual_categories(station_a):
    with scopes_disabled():
        slugs = set(Category.objects.filter(tenant=station_a).values_list("slug", flat=True))
    assert {"theft", "fraud", "hazard", "dispute", "suspicious", "fire", "other"} <= slugs


def test_resident_reports_with_a_photo_and_gets_a_tracking_page(anonymous, station_a, community_a, form):
    page = anonymous.get(url("report", station_a))
    assert page.status_code == 200 and "Safety hazard" in page.content.decode()
    response = anonymous.post(url("report", station_a), {**form(), "photos": [jpeg_with_gps()]})
    assert response.status_code == 302
    [report] = reports(station_a)
    assert response.url == url("track", station_a, code=report.tracking_code)
    assert len(report.tracking_code) == 10
    assert report.status == "new" and report.community == community_a
    assert report.contact_phone == "13800001111"
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
    assert inside(station_a)["lat"][:6] not in track  # nor the exact point


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
    response = anonymous.post(url("report", station_a), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert reports(station_a) == []


def test_another_stations_category_is_refused(anonymous, station_a, station_b, form):
    response = anonymous.post(url("report", station_a), form(category=category(station_b).pk))
    assert response.status_code == 400
    assert reports(station_a) == [] and reports(station_b) == []


def test_a_point_in_another_station_offers_that_station(anonymous, station_a, station_b, form):
    inside_b = {"lat": str(station_b.boundary.centroid.y), "lng": str(station_b.boundary.centroid.x)}
    response = anonymous.post(url("report", station_a), form(**inside_b))
    assert response.status_code == 400
    assert response.context["other_station"] == station_b
    assert url("report", station_b) in response.content.decode()


def test_staying_anonymous_keeps_no_contact(anonymous, station_a, form):
    anonymous.post(url("report", station_a), form(anonymous="on"))
    [report] = reports(station_a)
    assert report.anonymous and not report.has_contact


def test_a_logged_in_volunteer_report_is_linked_to_them(login, patroller_a, station_a, form):
    login(patroller_a.user).post(url("report", station_a), form())
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
    statuses = [Client().post(url("report", station_a), form()).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert len(reports(station_a)) == 2


def test_reporter_adds_information_and_sees_it(anonymous, station_a, form):
    anonymous.post(url("report", station_a), form())
    [report] = reports(station_a)
    track = url("track", station_a, code=report.tracking_code)
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
    anonymous.post(url("report", station_a), form())
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
    page = anonymous.get(url("track", station_a, code=report.tracking_code)).content.decode()
    assert "landlord" not in page


def test_tracking_codes_do_not_cross_stations_or_get_guessed(anonymous, station_a, station_b, form):
    anonymous.post(url("report", station_a), form())
    [report] = reports(station_a)
    assert anonymous.get(url("track", station_b, code=report.tracking_code)).status_code == 404
    assert anonymous.get(url("track", station_a, code="AAAAAAAAAA")).status_code == 404
    lookup = anonymous.get(url("track-lookup", station_a), {"code": report.tracking_code.lower()})
    assert lookup.status_code == 302 and lookup.url == url("track", station_a, code=report.tracking_code)


def test_closed_reports_take_no_more_information(anonymous, station_a, form):
    anonymous.post(url("report", station_a), form())
    [report] = reports(station_a)
    with scopes_disabled():
        Report.objects.filter(pk=report.pk).update(status="closed")
    response = anonymous.post(url("track", station_a, code=report.tracking_code), {"text": "One more thing"})
    assert response.status_code == 400
    assert "This report is closed" in response.content.decode()


def test_nearby_open_reports_of_the_same_kind_are_offered(anonymous, station_a, form):
    anonymous.post(url("report", station_a), form())
    anonymous.post(url("report", station_a), form(category=category(station_a, "theft").pk))
    near = anonymous.get(
        url("report-nearby", station_a),
        {"category": category(station_a).pk, **inside(station_a, 0.0049, 0.0052)},
    ).json()
    assert len(near["reports"]) == 1
    assert near["reports"][0]["description"].startswith("The street light")
    far = anonymous.get(
        url("report-nearby", station_a), {"category": category(station_a).pk, **inside(station_a, 0.09, 0.09)}
    ).json()
    assert far["reports"] == []
    assert anonymous.get(url("report-nearby", station_a), {"lat": "x"}).status_code == 400


def test_blur_is_stable_and_coarse():
    from django.contrib.gis.geos import Point

    a, b = (
        services.blur(Point(113.6700, 34.7800, srid=4326)),
        services.blur(Point(113.67004, 34.78003, srid=4326)),
    )
    assert (a.x, a.y) == (b.x, b.y)
