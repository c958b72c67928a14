"""Oversize bodies are refused before they are read; photos are decoded only by the photo plugins."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from jointdefense.core.errors import DomainError
from jointdefense.core.photos import photo_reencode


def test_a_body_declared_larger_than_the_limit_is_refused_before_it_is_read(client, station_a, settings):
    settings.MAX_REQUEST_BODY_BYTES = 1024
    url = reverse("incidents:report", kwargs={"station": station_a.slug})
    # the declared length is all the portal looks at: the body itself is never parsed
    response = client.generic(
        "POST", url, b"x" * 10, CONTENT_TYPE="multipart/form-data; boundary=x", CONTENT_LENGTH="5000000"
    )
    assert response.status_code == 413
    assert "too large" in response.content.decode()


def test_the_api_gets_a_json_413(client, station_a, settings):
    settings.MAX_REQUEST_BODY_BYTES = 1024
    response = client.generic(
        "POST", "/open311/v2/requests.json", b"{}", CONTENT_TYPE="application/json", CONTENT_LENGTH="2048"
    )
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


def test_a_body_within_the_limit_goes_through(client, station_a):
    response = client.get(reverse("incidents:report", kwargs={"station": station_a.slug}))
    assert response.status_code == 200


def test_more_files_than_a_request_may_carry_are_refused(client, station_a, community_a):
    url = reverse("incidents:report", kwargs={"station": station_a.slug})
    files = [SimpleUploadedFile(f"p{i}.jpg", b"x", "image/jpeg") for i in range(11)]
    response = client.post(url, {"photos": files, "description": "many"})
    assert response.status_code == 400


@pytest.mark.parametrize("fmt", ["TIFF", "BMP", "ICO"])
def test_photo_formats_outside_the_list_are_never_parsed(fmt, monkeypatch):
    """A TIFF/BMP/ICO header is never handed to its Pillow plugin: it is refused as 'not a photo'."""
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 20, 30)).save(out, format=fmt)
    Image.init()
    parsed = []
    factory, accept = Image.OPEN[fmt]
    monkeypatch.setitem(Image.OPEN, fmt, (lambda *a, **k: parsed.append(fmt) or factory(*a, **k), accept))
    upload = SimpleUploadedFile(f"x.{fmt.lower()}", out.getvalue(), "image/jpeg")
    with pytest.raises(DomainError, match="is not a photo"):
        photo_reencode(upload)
    assert parsed == []
