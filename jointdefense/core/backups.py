"""What ``manage.py backup`` and ``manage.py restore`` share: the archive's layout (a manifest, the
pg_dump custom-format dump, the media folder), the libpq environment for the configured database,
and the check that an archive's members stay inside the folder they are extracted to."""

import datetime
import json
import shutil
import tarfile
from pathlib import Path
from typing import Any

DUMP_NAME = "database.dump"
MEDIA_NAME = "media"
MANIFEST_NAME = "manifest.json"


def libpq_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """PG* variables for pg_dump and pg_restore naming the database Django uses."""
    values = {
        "PGDATABASE": settings_dict.get("NAME"),
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
    }
    return {key: str(value) for key, value in values.items() if value}


def manifest(connection: Any, media: Path) -> str:
    """When the archive was made, of which migrations, with how many files."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app")
        migrations = dict(cursor.fetchall())
    files = sum(1 for p in media.rglob("*") if p.is_file()) if media.is_dir() else 0
    return json.dumps(
        {
            "made_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "database": connection.settings_dict.get("NAME"),
            "migrations": migrations,
            "media_files": files,
        },
        indent=2,
    )


def safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """The archive's files and folders, refusing links and paths that leave the extraction folder."""
    members = []
    for member in tar.getmembers():
        name = Path(member.name)
        if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
            raise ValueError(f"unsafe member in archive: {member.name}")
        members.append(member)
    return members


def tool_path(name: str) -> str:
    """The full path of a PostgreSQL client program (Debian's postgresql-client)."""
    found = shutil.which(name)
    if not found:
        from django.core.management.base import CommandError

        raise CommandError(f"{name} is not installed: apt-get install postgresql-client")
    return found
