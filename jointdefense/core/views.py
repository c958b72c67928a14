from django.conf import settings
from django.http import JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import health_report


class InvalidFormIs400Mixin:
    """A form page answers 400 when the form comes back with errors (the page still shows them):
    clients, tests and logs can tell a refused submission from a page view."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


def _may_see_health_details(request) -> bool:
    """Platform staff, or a monitor presenting ``Authorization: Bearer <HEALTH_TOKEN>``."""
    if getattr(request.user, "is_staff", False):
        return True
    token = settings.HEALTH_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(token) and constant_time_compare(given, token)


@never_cache
@require_GET
def healthz(request):
    """200 or 503 for everyone; what is up and down only for staff and the monitoring token."""
    healthy, report = health_report()
    body = {"status": "ok" if healthy else "unavailable"}
    if _may_see_health_details(request):
        body.update(report)
    return JsonResponse(body, status=200 if healthy else 503)
