from django.http import Http404
from django.urls import Resolver404, resolve
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from .selectors import tenant_by_slug


class TenantMiddleware:
    """Resolves the station of ``/s/<station>/...`` (pages and API alike), then runs the request
    inside that tenant's scope and time zone. Requests outside a station run with no tenant scope,
    so a tenant-owned query there raises (fail closed) unless the code opts out explicitly; the
    admin, which belongs to platform operators, opts out here.

    Access (membership, roles) is checked by the views: the API authenticates tokens only there.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
        if match is not None and match.namespaces[:1] == ["admin"]:
            with scopes_disabled():
                return self.get_response(request)
        slug = match.kwargs.get("station") if match is not None else None
        if slug is None:
            return self.get_response(request)
        tenant = tenant_by_slug(slug)
        if tenant is None:
            raise Http404
        request.tenant = tenant
        with scope(tenant=tenant.scope_tenants()), timezone.override(tenant.zoneinfo):
            return self.get_response(request)
