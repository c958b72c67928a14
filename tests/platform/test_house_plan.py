"""One house plan: every domain app has the same shape, and the rules that keep it (no form or
serializer in a view module, no queryset hook but the base class's, no test reaching into a view)."""

import ast
from pathlib import Path

import pytest
from django.urls import get_resolver

from jointdefense.tenancy.api.base import StationViewSet

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_APPS = ["teams", "patrols", "incidents", "training"]
SHAPE = [
    "apps.py",
    "errors.py",
    "services/__init__.py",
    "selectors/__init__.py",
    "forms/__init__.py",
    "views/__init__.py",
    "api/__init__.py",
    "api/urls.py",
    "urls.py",
    "tasks.py",
    "filters.py",
    "demo.py",
    "admin.py",
    "figures.py",  # the dashboard figures the app registers (core.registry.figures)
    "desk.py",  # the officer's desk sections the app registers (core.registry.desk_sections)
    "summary.py",  # the weekly summary's sections the app registers (core.registry.summary_sections)
]
# what else may sit at the top of an app (validators of model fields, the migrations)
ALSO_ALLOWED = {"__init__.py", "models.py", "models", "migrations", "validators.py", "__pycache__"}


def python_files(folder):
    return [p for p in folder.rglob("*.py") if "migrations" not in p.parts]


@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_every_domain_app_has_the_same_shape(app):
    base = ROOT / app
    missing = [name for name in SHAPE if not (base / name).exists()]
    assert not missing, f"{app} lacks {missing}"
    assert (base / "models.py").exists() or (base / "models/__init__.py").exists()
    allowed = {name.split("/")[0] for name in SHAPE} | ALSO_ALLOWED
    extra = sorted(p.name for p in base.iterdir() if p.name not in allowed)
    assert not extra, f"{app} has modules outside the house plan: {extra}"


def view_modules(app):
    """The app's page views and API views, whether modules or packages."""
    found = []
    for place in (ROOT / app / "views", ROOT / app / "api" / "views"):
        if place.is_dir():
            found += python_files(place)
        elif place.with_suffix(".py").exists():
            found.append(place.with_suffix(".py"))
    return found


@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_no_form_or_serializer_is_defined_in_a_view_module(app):
    offenders = [
        f"{path.relative_to(ROOT)}: {node.name}"
        for path in view_modules(app)
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ClassDef) and node.name.endswith(("Form", "FormSet", "Serializer"))
    ]
    assert not offenders


def test_no_viewset_overrides_the_restricted_queryset_hook():
    """Every station viewset fills ``station_queryset()``; ``get_queryset`` (with the schema guard)
    is written once, in the base class."""
    viewsets = set()
    for pattern in get_resolver().url_patterns:
        stack = [pattern]
        while stack:
            item = stack.pop()
            stack.extend(getattr(item, "url_patterns", []))
            cls = getattr(getattr(item, "callback", None), "cls", None)
            if cls is not None and issubclass(cls, StationViewSet):
                viewsets.add(cls)
    assert len(viewsets) >= 15
    overriding = sorted(c.__qualname__ for c in viewsets if c.get_queryset is not StationViewSet.get_queryset)
    assert not overriding
    guards = [
        str(p.relative_to(ROOT))
        for app in [*DOMAIN_APPS, "jointdefense"]
        for p in python_files(ROOT / app)
        if "swagger_fake_view" in p.read_text()
    ]
    assert guards == ["jointdefense/tenancy/api/base.py"]


def test_no_test_imports_a_view_module():
    offenders = []
    for path in (ROOT / "tests").rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.split(".")[0] in [*DOMAIN_APPS, "jointdefense"]
                and ".views" in f".{node.module}"
            ):
                offenders.append(f"{path.relative_to(ROOT)}: from {node.module} import …")
    assert not offenders


def test_tests_mirror_the_code():
    top = sorted(p.name for p in (ROOT / "tests").glob("test_*.py"))
    assert not top, f"tests belong in tests/<app>/, tests/platform/ or tests/browser/: {top}"
    for app in DOMAIN_APPS[:3]:
        assert list((ROOT / "tests" / app).glob("test_*.py")), app


def test_static_files_live_with_their_app():
    platform = {p.name for p in (ROOT / "static").iterdir() if p.name not in DOMAIN_APPS}
    assert platform <= {"css", "js", "vendor"}, platform
    # vendor/<library>/: third-party front-end libraries from npm, each with its licence
    for library in (ROOT / "static" / "vendor").iterdir():
        assert any(p.name.startswith("LICENSE") for p in library.iterdir()), library.name
    stray = [p.name for p in (ROOT / "static" / "css").iterdir() if not p.name.startswith("portal")] + [
        p.name for p in (ROOT / "static" / "js").iterdir() if not p.name.startswith("portal")
    ]
    assert not stray, f"app static files belong in static/<app>/: {stray}"
