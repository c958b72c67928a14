"""``manage.py restore ARCHIVE [--replace]``: bring back a ``manage.py backup`` archive into the
configured database and MEDIA_ROOT. The database must be empty (a fresh one) unless ``--replace``
is given, which drops every table first. Stop the web server, the workers and beat before it;
start them after (``make run`` migrates if the archive is older than the code)."""

import os
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from jointdefense.core.backups import DUMP_NAME, MANIFEST_NAME, MEDIA_NAME, libpq_env, safe_members, tool_path

# tables in the public schema that no extension owns (PostGIS brings spatial_ref_sys with it)
TABLES_OF_OUR_OWN = """
    SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
"""


class Command(BaseCommand):
    help = "Restore a backup archive (database and uploaded files) into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--replace", action="store_true", help="drop the database's tables first")

    def handle(self, *args, archive, replace, **options):
        path = Path(archive)
        if not path.is_file() or not tarfile.is_tarfile(path):
            raise CommandError(f"{archive} is not a backup archive.")
        with tempfile.TemporaryDirectory() as work, tarfile.open(path) as tar:
            try:
                members = safe_members(tar)
            except ValueError as error:
                raise CommandError(str(error)) from None
            names = {m.name for m in members}
            if DUMP_NAME not in names or MANIFEST_NAME not in names:
                raise CommandError(f"{archive} holds no database dump.")
            # the archive is sound: only now is the database touched
            with connection.cursor() as cursor:
                cursor.execute(TABLES_OF_OUR_OWN)
                tables = cursor.fetchone()[0]
                if tables and not replace:
                    raise CommandError(
                        f"The database {connection.settings_dict['NAME']} already has {tables} tables: "
                        "restore into a fresh database, or pass --replace to drop them."
                    )
                if tables:
                    cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            connection.close()
            tar.extractall(work, members=members, filter="data")
            env = {**os.environ, **libpq_env(connection.settings_dict)}
            result = subprocess.run(  # noqa: S603 (our own arguments, no shell)
                [
                    tool_path("pg_restore"),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--dbname",
                    env["PGDATABASE"],
                    str(Path(work) / DUMP_NAME),
                ],
                env=env,
                capture_output=True,
                text=True,
            )
            if result.returncode:
                raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
            media_in = Path(work) / MEDIA_NAME
            if media_in.is_dir():
                media = Path(settings.MEDIA_ROOT)
                media.mkdir(parents=True, exist_ok=True)
                for source in media_in.rglob("*"):
                    target = media / source.relative_to(media_in)
                    if source.is_dir():
                        target.mkdir(parents=True, exist_ok=True)
                    else:
                        target.parent.mkdir(parents=True, exist_ok=True)
                        os.replace(source, target)
            self.stdout.write((Path(work) / MANIFEST_NAME).read_text())
