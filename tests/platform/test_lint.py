"""The house rules as checks: `make lint` (ruff lint and format, the import contracts, mypy strict on
every app's services/ and selectors/, missing migrations, Django checks) passes, and the import
contracts really catch an import that points up."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # the repository
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow


def test_make_lint_passes():
    result = subprocess.run(
        ["make", "lint"],
        cwd=ROOT,
        env={**os.environ, "BIN": str(BIN)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]


def test_imports_that_point_up_break_the_contracts(tmp_path):
    """Three deliberately wrong imports in a copy of the code: the platform importing a domain app,
    teams (the bottom app) importing patrols, a selector importing a view. Each breaks its contract."""
    work = tmp_path / "src"
    shutil.copytree(
        ROOT,
        work,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "node_modules", "staticfiles", "test-results", "media"
        ),
    )

    def append(relative, line):
        path = work / relative
        path.write_text(path.read_text() + "\n" + line + "\n")

    append("jointdefense/core/errors.py", "import incidents.models  # noqa")
    append(
        "teams/models/__init__.py" if (work / "teams/models").is_dir() else "teams/models.py",
        "import patrols  # noqa",
    )
    selectors = work / "incidents/selectors"
    append(
        "incidents/selectors/__init__.py" if selectors.is_dir() else "incidents/selectors.py",
        "import incidents.views  # noqa",
    )
    result = subprocess.run(
        [str(BIN / "lint-imports"), "--no-cache"],
        cwd=work,
        env={**os.environ, "PYTHONPATH": str(work)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = " ".join(result.stdout.split())  # the report wraps long contract names
    assert result.returncode != 0, out
    assert "The platform (core, accounts, tenancy) imports no domain app BROKEN" in out
    assert "Domain apps depend one way" in out and "teams.models" in out and "patrols" in out
    assert "incidents.selectors" in out and "incidents.views" in out
    assert "Contracts: 1 kept, 3 broken." in out, out


def test_the_contracts_pass_on_the_code_as_it_is():
    result = subprocess.run(
        [str(BIN / "lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:]
