"""Project-wide guards: migrations match the models, production settings pass the deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]  # the repository


def test_no_missing_migrations(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_deploy_checks_are_clean_with_production_settings():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "jointdefense.settings.production",
        "DJANGO_SECRET_KEY": "x7$kq2!vN9pLr4@zW8mB1&tY6^cH3*eJ5#uA0%sD2(fG7)hK9_oP",
        "DJANGO_ALLOWED_HOSTS": "portal.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env.update(
        {"DJANGO_SETTINGS_MODULE": "jointdefense.settings.production", "DJANGO_ALLOWED_HOSTS": "x.org"}
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_simplified_chinese_translation_is_complete():
    """Every message of the portal has a Simplified Chinese translation (none fuzzy)."""
    po = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def test_translation_catalogue_is_up_to_date(tmp_path):
    """Every translatable string in the code is in the catalogue (makemessages would add nothing)."""
    import shutil

    work = tmp_path / "src"
    shutil.copytree(ROOT, work, ignore=shutil.ignore_patterns(".venv", ".git", "node_modules", "staticfiles"))
    before = (work / "locale/zh_Hans/LC_MESSAGES/django.po").read_text()
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--ignore=tests/*",
            "--ignore=bench/*",
            "--ignore=.venv/*",
            "--no-obsolete",
            "--no-location",
        ],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    (tmp_path / "before.po").write_text(before)
    # msgcmp: every message of the fresh catalogue must be in the committed one, translated
    result = subprocess.run(
        ["msgcmp", str(tmp_path / "before.po"), str(work / "locale/zh_Hans/LC_MESSAGES/django.po")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, "run makemessages and translate:\n" + result.stderr[:2000]


def test_openapi_schema_generates_without_warnings():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jointdefense.settings.test"}
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", os.devnull],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_production_settings_refuse_a_published_secret_key():
    from django.conf import settings

    for key in sorted(settings.KNOWN_PUBLIC_SECRET_KEYS) + ["short-key"]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "jointdefense.settings.production",
            "DJANGO_ALLOWED_HOSTS": "x.org",
            "DJANGO_SECRET_KEY": key,
        }
        result = subprocess.run(
            [sys.executable, "manage.py", "check"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode != 0, key
        assert "DJANGO_SECRET_KEY is a published default or too short" in result.stderr, key
