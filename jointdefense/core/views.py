from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from jointdefense.accounts.roles import require_station_perm
from jointdefense.tenancy.selectors import membership_list_for_user

from .health import health_report


class StationViewMixin:
    """Base of every station page: the user must be logged in (else the login page), a member of
    the station (else 404, exactly like a missing station) and hold ``permission_required``
    (else 403). Querysets are restricted to the station by ``get_queryset``."""

    permission_required: str = "station.view"
    model = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        require_station_perm(request.user, request.tenant, self.permission_required)
        self.tenant = request.tenant
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return self.model.objects.filter(tenant=self.tenant)


class InvalidFormIs400Mixin:
    """A form page answers 400 when the form comes back with errors (the page still shows them):
    clients, tests and logs can tell a refused submission from a page view."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


@never_cache
@require_GET
def healthz(request):
    healthy, report = health_report()
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **report}, status=200 if healthy else 503
    )


def home(request):
    """Where "/" leads: the login page, the user's only station, or the station switcher."""
    if not request.user.is_authenticated:
        return redirect_to_login("/")
    last = request.session.get("last_station")
    memberships = membership_list_for_user(user=request.user)
    slugs = [m.tenant.slug for m in memberships]
    if last in slugs:
        return redirect("tenancy:home", station=last)
    if len(slugs) == 1:
        return redirect("tenancy:home", station=slugs[0])
    return redirect("accounts:stations")
