"""How a checked photo leaves the portal (jointdefense.core.photos.photo_response): nginx sends it on
X-Accel-Redirect in production, Django reads it from disk in development, a storage without files
on disk is streamed; and no route serves MEDIA_URL, in development either."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import Resolver404, clear_url_caches, resolve, reverse
from django_scopes import scopes_disabled
from django_sendfile.utils import _get_sendfile

from tests.factories import jpeg_with_gps, report_filed

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def on_disk(tmp_path):
    """Photos stored on the file system under a media root of the test's own (as in production)."""

    def _on_disk(backend):
        _get_sendfile.cache_clear()  # django-sendfile2 caches the backend it loaded
        return override_settings(
            MEDIA_ROOT=str(tmp_path),
            SENDFILE_ROOT=str(tmp_path),
            SENDFILE_BACKEND=backend,
            STORAGES={
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            },
        )

    yield _on_disk
    _get_sendfile.cache_clear()


def filed_photo(station):
    report = report_filed(station, photos=[jpeg_with_gps()])
    with scopes_disabled():
        return report.photos.get()


def photo_url(photo):
    return reverse("incidents:photo", kwargs={"station": "station-a", "pk": photo.pk})


def test_with_the_nginx_backend_the_web_server_sends_the_file(login, officer_a, station_a, on_disk, tmp_path):
    with on_disk("django_sendfile.backends.nginx"):
        photo = filed_photo(station_a)
        assert (tmp_path / photo.image.name).is_file()
        response = login(officer_a).get(photo_url(photo))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{photo.image.name}"
    assert response.content == b""  # nginx reads the file from its internal location
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"].startswith("private")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'inline; filename="report-photo-{photo.pk}.jpg"'


def test_with_the_simple_backend_django_sends_the_file_from_disk(
    login, officer_a, station_a, on_disk, tmp_path
):
    with on_disk("django_sendfile.backends.simple"):
        photo = filed_photo(station_a)
        response = login(officer_a).get(photo_url(photo))
    assert response.status_code == 200 and "X-Accel-Redirect" not in response
    assert response.content == (tmp_path / photo.image.name).read_bytes()
    assert response["Content-Disposition"] == f'inline; filename="report-photo-{photo.pk}.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_photo_whose_file_is_gone_is_a_404(login, officer_a, station_a):
    photo = filed_photo(station_a)
    photo.image.storage.delete(photo.image.name)
    assert login(officer_a).get(photo_url(photo)).status_code == 404


def test_no_route_serves_media_even_with_debug_on(settings):
    """Django's DEBUG route for MEDIA_URL would hand any photo to anyone who has its address."""
    import jointdefense.urls

    settings.DEBUG = True
    try:
        urls = importlib.reload(jointdefense.urls)
        clear_url_caches()
        with pytest.raises(Resolver404):
            resolve(f"{settings.MEDIA_URL}reports/2026/01/0123456789abcdef.jpg", urlconf=urls)
    finally:
        settings.DEBUG = False
        importlib.reload(jointdefense.urls)
        clear_url_caches()


def test_production_settings_hand_photos_to_nginx():
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "SENDFILE_BACKEND")},
        "DJANGO_SETTINGS_MODULE": "jointdefense.settings.production",
        "DJANGO_SECRET_KEY": "x7$kq2!vN9pLr4@zW8mB1&tY6^cH3*eJ5#uA0%sD2(fG7)hK9_oP",
        "DJANGO_ALLOWED_HOSTS": "portal.example.org",
    }
    code = (
        "from django.conf import settings as s; "
        "print(s.SENDFILE_BACKEND, s.SENDFILE_URL, s.SENDFILE_ROOT == s.MEDIA_ROOT)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django_sendfile.backends.nginx", "/protected-media", "True"]


def test_the_compose_web_server_serves_what_production_settings_expect():
    """nginx: the internal location sendfile redirects to, on the media volume, and the body limit."""
    from django.conf import settings

    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "location /protected-media/ {\n        internal;\n        alias /app/media/;" in conf
    assert f"client_max_body_size {settings.MAX_REQUEST_BODY_BYTES // 2**20}m;" in conf
    assert "location /media/" not in conf
