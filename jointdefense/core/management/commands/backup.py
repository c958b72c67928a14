"""``manage.py backup [--out DIR]``: one dated archive of the portal — the database in pg_dump's
custom format and every uploaded file (report and patrol photos) — that ``manage.py restore``
brings back. Safe while the portal runs: pg_dump reads one consistent snapshot; photos written
during the copy may or may not be in it (a photo's row and its file are both in, or the row
without its file if it came after the snapshot). ``make backup`` runs it into ``backups/``."""

import datetime
import os
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from jointdefense.core.backups import DUMP_NAME, MANIFEST_NAME, MEDIA_NAME, libpq_env, manifest, tool_path


class Command(BaseCommand):
    help = "Write the database and the uploaded files to one dated archive."

    def add_arguments(self, parser):
        parser.add_argument(
            "--out", default=str(Path(settings.BASE_DIR) / "backups"), help="folder of the archive"
        )

    def handle(self, *args, out, **options):
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
        archive = folder / f"jointdefense-{stamp}.tar"
        media = Path(settings.MEDIA_ROOT)
        with tempfile.TemporaryDirectory() as work:
            dump = Path(work) / DUMP_NAME
            env = {**os.environ, **libpq_env(connection.settings_dict)}
            result = subprocess.run(  # noqa: S603 (our own arguments, no shell)
                [tool_path("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}"],
                env=env,
                capture_output=True,
                text=True,
            )
            if result.returncode:
                raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
            (Path(work) / MANIFEST_NAME).write_text(manifest(connection, media))
            partial = archive.with_suffix(".tar.partial")
            with tarfile.open(partial, "w") as tar:
                tar.add(Path(work) / MANIFEST_NAME, arcname=MANIFEST_NAME)
                tar.add(dump, arcname=DUMP_NAME)
                if media.is_dir():
                    tar.add(media, arcname=MEDIA_NAME)
            partial.rename(archive)  # a reader never sees half an archive
        self.stdout.write(str(archive))
