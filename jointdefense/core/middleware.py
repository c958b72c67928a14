from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

SUPPORTED = {code for code, _ in settings.LANGUAGES}


class PreferredLanguageMiddleware:
    """Chooses the language of a request: the user's saved choice, else the language cookie set by
    the switcher, else the station's default language, else what the browser asks for.
    Replaces django.middleware.locale.LocaleMiddleware (URLs carry no language prefix)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = self.choose(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response

    def choose(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language in SUPPORTED:
            return user.language
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if cookie in SUPPORTED:
            return cookie
        tenant = getattr(request, "tenant", None)
        if tenant is not None and tenant.default_language in SUPPORTED:
            return tenant.default_language
        return translation.get_language_from_request(request)


def _refusal(request, status: int, message) -> HttpResponse:
    """A refused request: JSON for the API and Open311 clients, the ``<status>.html`` page for people."""
    if request.path.startswith(("/api/", "/open311/")):
        return JsonResponse({"detail": message}, status=status)
    body = render_to_string(f"{status}.html", {"message": message}, request=request)
    return HttpResponse(body, status=status)


class RejectNulMiddleware:
    """A NUL character can be no part of a path, a query, a form field or a JSON body the portal
    takes (PostgreSQL text cannot hold one): such a request is refused with 400 and a message, before
    a view hands the character to the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._carries_nul(request):
            return _refusal(request, 400, _("The request contains a character that is not allowed."))
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request) -> bool:
        # the query's NULs can only arrive percent-encoded: the raw string tells, nothing is parsed
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        if request.method in ("POST", "PUT", "PATCH"):
            content_type = request.content_type or ""
            if content_type == "application/json":
                return b"\x00" in request.body or b"\\u0000" in request.body
            if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                return any("\x00" in value for _key, values in request.POST.lists() for value in values)
        return False


class RequestBodyLimitMiddleware:
    """Refuses a request whose declared body is larger than ``MAX_REQUEST_BODY_BYTES`` with 413,
    before a byte of it is read (Django's own limits apply only while it parses, and exclude files).
    A body that declares no length is left to the web server in front."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.MAX_REQUEST_BODY_BYTES
        if length > limit:
            message = _("What you sent is too large (at most %(mb)d MB at once).") % {"mb": limit // 2**20}
            return _refusal(request, 413, message)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Sends ``Permissions-Policy`` (settings.PERMISSIONS_POLICY: a feature and the origins that may
    use it, ``"self"`` for the portal; none: nobody) on every response, so that no page, or anything
    a page might embed, turns on a camera, a microphone or a payment sheet it has no use for."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(_allowlist_entry(origin) for origin in origins)})"
            for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


def _allowlist_entry(origin: str) -> str:
    return origin if origin in ("self", "*") else f'"{origin}"'
