"""API plumbing shared by every app, with no knowledge of stations or roles: the validated input
of an action and the exception handler mapping domain errors. The station base viewset, which
restricts querysets and checks roles, is ``jointdefense.tenancy.api.base.StationViewSet``."""

from typing import Any

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError


class Pagination(LimitOffsetPagination):
    """Every API list: ``?limit=`` is capped (a client cannot ask for the whole table), and an offset
    past any real table is an empty page, not a database overflow."""

    default_limit = 50
    max_limit = 500
    max_offset = 2**31

    def get_offset(self, request):
        return min(super().get_offset(request), self.max_offset)


def validated(serializer_class: Any, request: Request, **kwargs: Any) -> Any:
    """The validated input of an action, or a 400 with the serializer's messages."""
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        field = exc.field or "non_field_errors"
        return Response({field: [str(exc.message)], "code": exc.code}, status=400)
    return drf_exception_handler(exc, context)
