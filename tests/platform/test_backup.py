"""Backup and restore (``manage.py backup`` / ``restore``, ``make backup`` / ``make restore``): an
archive of a station with reports and photos, restored into a fresh database and media folder,
brings back every row of every table and every photo byte for byte; a database that already has
tables is refused unless told to replace it; an archive whose paths leave the folder is refused."""

import io
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_scopes import scopes_disabled

from incidents.models import ReportPhoto
from tests.factories import jpeg_with_gps, report_filed

ROOT = Path(__file__).resolve().parents[2]


def server(dbname="postgres"):
    params = connection.settings_dict
    return psycopg2.connect(
        dbname=dbname, host=params["HOST"], port=params["PORT"] or 5432, user=params["USER"] or "postgres"
    )


def table_counts(dbname):
    """Every table of the public schema with its number of rows."""
    with server(dbname) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 (names from the catalogue)
            counts[table] = cursor.fetchone()[0]
    conn.close()
    return counts


@pytest.fixture
def fresh_database():
    name = f"restore_{uuid.uuid4().hex[:10]}"
    conn = server()
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


@pytest.fixture
def on_disk(settings, tmp_path):
    """Photos on a real disk, as in production (the suite keeps them in memory)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return Path(settings.MEDIA_ROOT)


def restore(archive, dbname, media, *extra):
    params = connection.settings_dict
    user, host, port = params["USER"] or "postgres", params["HOST"], params["PORT"] or 5432
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jointdefense.settings.test",
        "DATABASE_URL": f"postgis://{user}@{host}:{port}/{dbname}",
        "DJANGO_MEDIA_ROOT": str(media),
    }
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive), *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_restore_brings_back_every_row_and_every_photo(
    transactional_db, station_a, on_disk, tmp_path, fresh_database
):
    report_filed(station_a, photos=[jpeg_with_gps()])
    report_filed(station_a, photos=[jpeg_with_gps("second.jpg")], description="Streetlight out on Elm Lane.")
    with scopes_disabled():
        photos = {p.image.name: p.image.read() for p in ReportPhoto.objects.all()}
    assert len(photos) == 2
    out = io.StringIO()
    call_command("backup", out=str(tmp_path / "backups"), stdout=out)
    archive = Path(out.getvalue().strip())
    assert archive.is_file() and archive.name.startswith("jointdefense-") and archive.suffix == ".tar"

    restored_media = tmp_path / "restored-media"
    result = restore(archive, fresh_database, restored_media)
    assert result.returncode == 0, result.stderr

    expected = table_counts(connection.settings_dict["NAME"])
    assert table_counts(fresh_database) == expected
    assert expected["incidents_report"] == 2 and expected["incidents_reportphoto"] == 2
    for name, content in photos.items():
        assert (restored_media / name).read_bytes() == content

    # a second restore into the now full database is refused, and changes nothing
    again = restore(archive, fresh_database, restored_media)
    assert again.returncode != 0 and "already has" in again.stderr
    assert table_counts(fresh_database) == expected


def test_an_archive_leaving_its_folder_is_refused(db, tmp_path):
    archive = tmp_path / "hostile.tar"
    with tarfile.open(archive, "w") as tar:
        for name in ("manifest.json", "database.dump", "../../etc/cron.d/evil"):
            info = tarfile.TarInfo(name)
            info.size = 2
            tar.addfile(info, io.BytesIO(b"{}"))
    with pytest.raises((CommandError, ValueError), match="unsafe"):
        call_command("restore", str(archive), replace=True)
    assert not (tmp_path.parent.parent / "etc" / "cron.d" / "evil").exists()


def test_a_file_that_is_no_archive_is_refused(db, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a backup")
    with pytest.raises(CommandError, match="not a backup archive"):
        call_command("restore", str(path))
