"""The base of every station API resource under /api/s/<station>/."""

from typing import Any

from django.db.models import QuerySet
from rest_framework import permissions, viewsets

from ..roles import require_station_perm


class StationPermission(permissions.BasePermission):
    """Outsiders get 404 (like a missing object), members without the role 403."""

    def has_permission(self, request, view):
        action = getattr(view, "action", None)  # a plain APIView (the desk) has no action: "*"
        perm = view.station_permissions.get(action, view.station_permissions.get("*"))
        if perm is None:
            return False
        require_station_perm(request.user, request.tenant, perm)
        return True


class StationViewSet(viewsets.GenericViewSet):
    """Subclasses set ``model`` and ``station_permissions`` ({action or "*": permission}) and fill
    :meth:`station_queryset` from a selector. ``get_queryset`` is written once, here: schema
    generation (no request station) gets no rows, every request gets only what the selector gives."""

    permission_classes = [permissions.IsAuthenticated, StationPermission]
    station_permissions: dict[str, str] = {}
    model: Any = None
    lookup_value_regex = r"\d+"

    @property
    def tenant(self):
        return self.request.tenant

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no station, no rows
            return self.model.objects.none()
        return self.station_queryset()

    def station_queryset(self) -> QuerySet:
        """The rows this request may see. Override with a call to the app's selector."""
        return self.model.objects.filter(tenant=self.request.tenant)
