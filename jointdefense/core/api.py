"""API plumbing shared by every app: the base viewset that restricts querysets to the station
and checks roles from accounts.roles, and the exception handler mapping domain errors."""

from rest_framework import permissions, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from jointdefense.accounts.roles import require_station_perm

from .errors import DomainError


class StationPermission(permissions.BasePermission):
    """Outsiders get 404 (like a missing object), members without the role 403."""

    def has_permission(self, request, view):
        perm = view.station_permissions.get(view.action, view.station_permissions.get("*"))
        if perm is None:
            return False
        require_station_perm(request.user, request.tenant, perm)
        return True


class StationViewSet(viewsets.GenericViewSet):
    """Base of every station API resource under /api/s/<station>/. Subclasses set ``model`` and
    ``station_permissions`` ({action or "*": permission}); the queryset is restricted here once."""

    permission_classes = [permissions.IsAuthenticated, StationPermission]
    station_permissions: dict[str, str] = {}
    model = None
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no station, no rows
            return self.model.objects.none()
        return self.model.objects.filter(tenant=self.request.tenant)


def validated(serializer_class, request, **kwargs):
    """The validated input of an action, or a 400 with the serializer's messages."""
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        field = exc.field or "non_field_errors"
        return Response({field: [str(exc.message)], "code": exc.code}, status=400)
    return drf_exception_handler(exc, context)
