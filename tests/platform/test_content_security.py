"""Every page is sent with a strict Content-Security-Policy and a Permissions-Policy, and no page
carries what that policy refuses: an inline <script> (JSON data for scripts excepted), an inline
event handler (onclick=…), a style attribute or <style> element, or a javascript: link. The pages are
those of tests/platform/test_isolation.py's STATION_URLS, each asked as the member who may open it,
and every link of each role's menu."""

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse

from jointdefense.settings.base import map_tile_source
from jointdefense.tenancy.models import Role
from tests.factories import member
from tests.platform.test_isolation import STATION_URLS, member_of_a, objects, url_for  # noqa: F401
from tests.platform.test_navigation import links, nav_html

# the pages (not the API, not JSON or the service worker's script)
PAGES = sorted(
    name
    for name, spec in STATION_URLS.items()
    if not name.startswith("api:")
    and spec["method"] == "get"
    and spec["ok"] == 200
    and name not in {"patrols:service-worker", "patrols:board-data", "teams:volunteer-export"}
)
# photos are "public" routes that answer a resident only with a signed link or once marked public
# (tests/incidents/test_views_photos.py); an anonymous visitor here gets their 404
PUBLIC_PAGES = sorted(name for name in PAGES if STATION_URLS[name]["public"] and not name.endswith(":photo"))


class _InlineCode(HTMLParser):
    """Collects what a strict policy would refuse to run or apply."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name == "style":
                self.problems.append(f"<{tag} style={value!r}>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "script" and "src" not in attributes and attributes.get("type") != "application/json":
            self.problems.append(f"inline <script {attributes}>")
        if tag == "style":
            self.problems.append("<style> element")


def inline_code(html):
    parser = _InlineCode()
    parser.feed(html)
    return parser.problems


def policy(response):
    header = response.headers.get("Content-Security-Policy")
    assert header, "no Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict_page(response, where):
    assert response.status_code == 200, where
    directives = policy(response)
    if not response["Content-Type"].startswith("text/html"):  # a photo: the header, and no sniffing
        assert response["X-Content-Type-Options"] == "nosniff", where
        return
    assert directives["default-src"] == ["'self'"], where
    assert directives["script-src"] == ["'self'"], where
    assert directives["style-src"] == ["'self'"], where
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"], where
    assert directives["base-uri"] == ["'self'"] and directives["form-action"] == ["'self'"], where
    assert "Permissions-Policy" in response.headers, where
    assert inline_code(response.content.decode()) == [], where


def test_the_checker_finds_inline_code():
    html = (
        '<script>alert(1)</script><script type="application/json">{}</script><script src="/a.js"></script>'
        '<button onclick="print()">x</button><span style="color:red"></span><a href="javascript:x()">y</a>'
    )
    assert len(inline_code(html)) == 4


@pytest.mark.parametrize("name", PAGES)
def test_each_page_has_the_strict_policy_and_no_inline_code(name, login, member_of_a, station_a, objects):  # noqa: F811
    client = login(member_of_a[STATION_URLS[name]["member"]])
    assert_strict_page(client.get(url_for(name, station_a, objects)), name)


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_each_public_page_has_the_strict_policy_for_residents(name, client, station_a, objects):  # noqa: F811
    if name == "teams:my-volunteering":
        return  # asks an anonymous visitor to log in (test_isolation)
    assert_strict_page(client.get(url_for(name, station_a, objects)), name)


def test_every_page_in_every_roles_menu_has_no_inline_code(
    login, station_a, chief_a, officer_a, patroller_a, bureau_viewer, bureau
):
    leader = member(station_a, Role.TEAM_LEADER, username="leader_csp")
    home = dict.fromkeys((chief_a, officer_a, patroller_a.user, leader), station_a)
    home[bureau_viewer] = bureau
    for user, station in home.items():
        client = login(user)
        start = reverse("tenancy:home", kwargs={"station": station.slug})
        pages = [start] + [url for url, _label in links(nav_html(client.get(start))) if url.startswith("/s/")]
        for url in pages:
            assert_strict_page(client.get(url), (user.username, url))


def test_pages_outside_a_station_have_the_strict_policy(client, login, officer_a, station_a):
    for url in (reverse("accounts:login"), reverse("accounts:password_reset")):
        assert_strict_page(client.get(url), url)
    officer = login(officer_a)
    for url in (reverse("accounts:password_change"), reverse("stations")):
        assert_strict_page(officer.get(url), url)
    not_found = client.get("/no-such-page/")
    assert not_found.status_code == 404 and inline_code(not_found.content.decode()) == []
    assert policy(not_found)["script-src"] == ["'self'"]


def test_map_tiles_are_allowed_from_the_configured_tile_server_only():
    img = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]
    assert map_tile_source(settings.MAP_TILES_URL) in img
    assert (
        map_tile_source("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://tile.openstreetmap.org"
    )
    assert (
        map_tile_source("https://{s}.tiles.example.org:8443/{z}/{x}/{y}.png")
        == "https://*.tiles.example.org:8443"
    )
    assert map_tile_source("/tiles/{z}/{x}/{y}.png") is None  # the portal's own: 'self'


def test_permissions_policy_allows_location_to_the_portal_only(client, station_a):
    response = client.get(reverse("incidents:report", kwargs={"station": station_a.slug}))
    features = dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))
    assert features["geolocation"] == "(self)"  # check-ins and the report's "use my location"
    for feature in ("camera", "microphone", "payment", "usb", "browsing-topics"):
        assert features[feature] == "()", feature
    api = client.get("/api/schema/")
    assert "Permissions-Policy" in api.headers


def test_api_docs_browsable_api_and_admin_keep_scripts_to_the_portal(
    client, login, officer_a, station_a, django_user_model
):
    swagger = client.get(reverse("api-docs"))
    assert policy(swagger)["script-src"] == ["'self'"] and policy(swagger)["style-src"] == ["'self'"]
    assert inline_code(swagger.content.decode()) == []
    script = client.get(reverse("api-docs") + "?script=")  # Swagger UI's start-up, from a URL of its own
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()

    redoc = client.get(reverse("api-redoc"))
    directives = policy(redoc)
    # ReDoc's bundle injects <style> elements and searches in a blob: worker: its page alone allows that
    assert "'unsafe-inline'" in directives["style-src"] and "blob:" in directives["worker-src"]
    assert directives["script-src"] == ["'self'"]
    assert [p for p in inline_code(redoc.content.decode()) if "script" in p] == []
    assert "fonts.googleapis.com" not in redoc.content.decode()

    browsable = login(officer_a).get(
        reverse("api:community-list", kwargs={"station": station_a.slug}), HTTP_ACCEPT="text/html"
    )
    assert browsable.status_code == 200 and browsable["Content-Type"].startswith("text/html")
    directives = policy(browsable)
    assert directives["script-src"] == ["'self'"] and "'unsafe-inline'" in directives["style-src"]
    assert [p for p in inline_code(browsable.content.decode()) if "style" not in p] == []
    as_json = login(officer_a).get(reverse("api:community-list", kwargs={"station": station_a.slug}))
    assert policy(as_json)["style-src"] == ["'self'"]

    root = django_user_model.objects.create_superuser("root", "root@example.org", "x-long-password-1")
    staff = login(root)
    for url in (reverse("admin:index"), reverse("admin:tenancy_tenant_add")):
        page = staff.get(url)
        assert page.status_code == 200, url
        assert policy(page)["script-src"] == ["'self'"], url
        assert inline_code(page.content.decode()) == [], url
