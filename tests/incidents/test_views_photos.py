"""A report's photos (incidents.views.photos): the reporter sees them from the tracking page by a
signed link that carries no tracking code, the station's officers on the case page; everyone else
gets 404, other stations' officers included. An officer marks a photo public, and only then does
it go out on Open311."""

import html
import json
import re

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from jointdefense.core.models import AuditEvent
from tests.factories import case_action, incidents_url, jpeg_with_gps, report_filed

IMG = re.compile(r'<img src="([^"]+)"')


@pytest.fixture
def photo_report(station_a):
    """A report filed with one photo."""
    return report_filed(station_a, photos=[jpeg_with_gps()])


def photo_of(report):
    with scopes_disabled():
        return report.photos.get()


def photo_url(photo):
    return reverse("incidents:photo", kwargs={"station": "station-a", "pk": photo.pk})


def stored_bytes(photo):
    with scopes_disabled(), photo.image.open("rb") as f:
        return f.read()


def tracking_photo_links(client, report):
    page = client.get(incidents_url("track", report.tenant, code=report.tracking_code)).content.decode()
    return [html.unescape(src) for src in IMG.findall(page)]


def test_reporter_sees_their_photo_from_the_tracking_page(anonymous, photo_report):
    photo = photo_of(photo_report)
    [link] = tracking_photo_links(anonymous, photo_report)
    assert link.startswith(photo_url(photo) + "?t=")
    assert photo_report.tracking_code not in link  # the link never carries the reporter's key
    response = anonymous.get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored_bytes(photo)
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"].startswith("private")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'inline; filename="report-photo-{photo.pk}.jpg"'


def test_without_the_link_a_photo_is_a_404_to_the_public(anonymous, photo_report, login, volunteer_a):
    url = photo_url(photo_of(photo_report))
    assert anonymous.get(url).status_code == 404
    assert anonymous.get(url, {"t": "forged"}).status_code == 404
    # a volunteer of the station is no officer: the same 404, not a 403 that confirms the photo
    assert login(volunteer_a).get(url).status_code == 404


def test_one_reporters_link_opens_no_other_photo(anonymous, station_a, photo_report):
    other = report_filed(station_a, photos=[jpeg_with_gps()], description="Broken fence at the park.")
    [mine] = tracking_photo_links(anonymous, photo_report)
    token = mine.split("?t=", 1)[1]
    assert anonymous.get(photo_url(photo_of(other)), {"t": token}).status_code == 404


def test_an_expired_link_no_longer_opens_the_photo(anonymous, photo_report, monkeypatch):
    [link] = tracking_photo_links(anonymous, photo_report)
    assert anonymous.get(link).status_code == 200
    monkeypatch.setattr("incidents.selectors.photos.PHOTO_LINK_SECONDS", -1)  # every link is too old
    assert anonymous.get(link).status_code == 404


def test_officers_of_the_station_see_photos_and_other_stations_get_404(
    login, officer_a, officer_b, bureau_viewer, photo_report
):
    photo = photo_of(photo_report)
    case_page = login(officer_a).get(incidents_url("case", photo_report.tenant, pk=photo_report.pk))
    [src] = IMG.findall(case_page.content.decode())
    assert src == photo_url(photo)
    response = login(officer_a).get(src)
    assert response.status_code == 200 and b"".join(response.streaming_content) == stored_bytes(photo)
    assert login(officer_b).get(src).status_code == 404
    # nor under their own station's address
    other_station = reverse("incidents:photo", kwargs={"station": "station-b", "pk": photo.pk})
    assert login(officer_b).get(other_station).status_code == 404
    assert login(bureau_viewer).get(src).status_code == 404  # roll-ups, not case files


def test_an_officer_marks_a_photo_public_for_open311_and_takes_it_back(
    login, officer_a, anonymous, photo_report
):
    photo = photo_of(photo_report)
    open311 = "/open311/v2/requests.json"
    [listed] = json.loads(anonymous.get(open311, {"jurisdiction_id": "station-a"}).content)
    assert listed["media_url"] == ""

    client = login(officer_a)
    response = case_action(client, photo_report, "photo_public", photo=photo.pk, public="1")
    assert response.status_code == 302
    assert anonymous.get(photo_url(photo)).status_code == 200
    [listed] = json.loads(anonymous.get(open311, {"jurisdiction_id": "station-a"}).content)
    assert listed["media_url"] == "http://testserver" + photo_url(photo)
    assert anonymous.get(listed["media_url"]).status_code == 200
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="report.photo_public", target_id=str(photo.pk)).count() == 1

    case_action(client, photo_report, "photo_public", photo=photo.pk, public="0")
    assert anonymous.get(photo_url(photo)).status_code == 404
    [listed] = json.loads(anonymous.get(open311, {"jurisdiction_id": "station-a"}).content)
    assert listed["media_url"] == ""


def test_marking_another_reports_photo_public_is_refused(login, officer_a, station_a, photo_report):
    other = report_filed(station_a, photos=[jpeg_with_gps()], description="Broken fence at the park.")
    other_photo = photo_of(other)
    client = login(officer_a)
    for value in (other_photo.pk, "not-a-number", ""):
        response = case_action(client, photo_report, "photo_public", photo=value, public="1")
        assert response.status_code == 400
        assert "That photo is not one of this report" in response.content.decode()
    with scopes_disabled():
        other_photo.refresh_from_db()
    assert not other_photo.public
