import datetime

import django_filters
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework_gis.pagination import GeoJsonPagination

from jointdefense.core.periods import Period, period_from_query
from jointdefense.core.registry import FIGURE_GROUPS
from jointdefense.tenancy.api.base import StationPermission, StationViewSet

from .. import selectors, summaries
from ..models import Community, GridCell, StationSummary
from ..rankings import rankings_from_query
from .serializers import (
    CommunitySerializer,
    DeskSerializer,
    FiguresSerializer,
    GridCellSerializer,
    PeriodRefusalSerializer,
    RankingsSerializer,
    SummaryListSerializer,
    SummarySerializer,
)


class GeoPagination(GeoJsonPagination):
    page_size = 100
    max_page_size = 500
    page_size_query_param = "page_size"

    def get_paginated_response_schema(self, schema):
        """What the list answers: the serializer's FeatureCollection (``schema``) with the page's
        ``count``, ``next`` and ``previous`` beside ``type`` and ``features``. (rest_framework_gis
        declares a required ``results`` and nests the whole collection in ``features``.)"""
        page = PageNumberPagination.get_paginated_response_schema(self, schema)
        page["properties"].pop("results")
        return {
            "allOf": [
                schema,
                {
                    "type": "object",
                    "required": ["type", "count", "features"],
                    "properties": page["properties"],
                },
            ]
        }


# Filters are declared, not derived from model fields: deriving them queries the default manager,
# which refuses to run outside a tenant scope.
class CommunityFilter(django_filters.FilterSet):
    slug = django_filters.CharFilter(label="community short name")

    class Meta:
        model = Community
        fields = []


class GridCellFilter(django_filters.FilterSet):
    community = django_filters.CharFilter(field_name="community__slug", label="community short name")
    code = django_filters.CharFilter(label="grid cell code")

    class Meta:
        model = GridCell
        fields = []


@extend_schema_view(
    list=extend_schema(summary="Communities of the station, as a GeoJSON FeatureCollection"),
    retrieve=extend_schema(summary="One community, as a GeoJSON Feature"),
)
class CommunityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StationViewSet):
    model = Community
    serializer_class = CommunitySerializer
    pagination_class = GeoPagination
    station_permissions = {"*": "community.view"}
    filterset_class = CommunityFilter

    def station_queryset(self):
        return selectors.community_list(tenant=self.tenant)


@extend_schema_view(
    list=extend_schema(summary="Grid cells of the station, as a GeoJSON FeatureCollection"),
    retrieve=extend_schema(summary="One grid cell, as a GeoJSON Feature"),
)
class GridCellViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StationViewSet):
    model = GridCell
    serializer_class = GridCellSerializer
    pagination_class = GeoPagination
    station_permissions = {"*": "gridcell.view"}
    filterset_class = GridCellFilter

    def station_queryset(self):
        return selectors.grid_cell_list(tenant=self.tenant)


class DeskView(GenericAPIView):
    """The officer's desk (the page ``tenancy:desk``): each section the user may see with its count,
    its first rows and its full list."""

    permission_classes = [permissions.IsAuthenticated, StationPermission]
    station_permissions = {"*": "desk.view"}
    serializer_class = DeskSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        summary="The officer's desk: what waits for the station's officers", responses=DeskSerializer
    )
    def get(self, request, station):
        tenant = request.tenant
        sections = [
            {
                "key": part.key,
                "title": str(part.section.title),
                "count": part.count,
                "more_url": part.more_url,
                "empty": str(part.section.empty),
                "items": [part.section.entry(row, tenant) for row in part.rows],
            }
            for part in selectors.desk_for(tenant=tenant, user=request.user)
        ]
        return Response(DeskSerializer({"sections": sections}).data)


@extend_schema_view(
    list=extend_schema(summary="The station's weekly summaries, the newest first (a bureau: its stations')"),
    retrieve=extend_schema(
        summary="One week's summary as it was built and sent: figures against the week before, sections"
    ),
)
class SummaryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StationViewSet):
    model = StationSummary
    station_permissions = {"*": "summary.view"}
    lookup_field = "week_start"
    lookup_value_regex = r"\d{4}-\d{2}-\d{2}"
    filter_backends: list = []

    def get_serializer_class(self):
        return SummarySerializer if self.action == "retrieve" else SummaryListSerializer

    def station_queryset(self):
        return selectors.summary_list(tenant=self.tenant)

    def retrieve(self, request, *args, **kwargs):
        try:
            week = datetime.date.fromisoformat(kwargs["week_start"])
        except ValueError:
            raise Http404 from None
        summary = selectors.summary_for_week(tenant=self.tenant, week_start=week)
        if summary is None:
            raise Http404
        for name, value in summaries.summary_data(summary.content).items():
            setattr(summary, name, value)
        return Response(SummarySerializer(summary).data)


# ---- the station's figures and the rankings ------------------------------------------------------

PERIOD_PARAMETERS = [
    OpenApiParameter("period", str, description="week, month (the default), quarter, year or custom"),
    OpenApiParameter("date", OpenApiTypes.DATE, description="a day of the period (today by default)"),
    OpenApiParameter("start", OpenApiTypes.DATE, description="chosen dates: the first day"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="chosen dates: the last day (included)"),
]


def _period(period: Period) -> dict:
    return {
        "kind": period.kind,
        "first_day": period.first_day,
        "last_day": period.last_day,
        "label": period.label,
    }


def _figure(row) -> dict:
    return {
        "key": row.figure.key,
        "label": str(row.figure.label),
        "group": str(FIGURE_GROUPS[row.figure.group]),
        "unit": row.figure.unit,
        "value": row.value,
        "previous": row.previous,
        "change": row.change,
        "link": getattr(row, "link", ""),
        "note": getattr(row, "note", ""),
    }


def _refusal(error: ValidationError) -> Response:
    return Response({"detail": " ".join(error.messages), "code": error.code or "invalid"}, status=400)


class ReadOnlyStationView(GenericAPIView):
    permission_classes = [permissions.IsAuthenticated, StationPermission]
    station_permissions = {"*": "station.view_dashboard"}
    pagination_class = None
    filter_backends: list = []


class FiguresView(ReadOnlyStationView):
    """The dashboard's figures (the page ``tenancy:dashboard``) for a period against the one
    before; on a bureau, each station's and the bureau's totals (counts and hours summed; shares
    and times left empty, with a note)."""

    serializer_class = FiguresSerializer

    @extend_schema(
        summary="The station's figures for a period (a bureau: its stations side by side, and totals)",
        parameters=PERIOD_PARAMETERS,
        responses={200: FiguresSerializer, 400: PeriodRefusalSerializer},
    )
    def get(self, request, station):
        tenant = request.tenant
        try:
            period = period_from_query(request.query_params, tenant.zoneinfo, timezone.localdate())
            table = (
                selectors.side_by_side(user=request.user, bureau=tenant, period=period)
                if tenant.is_bureau
                else None
            )
        except ValidationError as error:
            return _refusal(error)
        if table is None:
            rows = selectors.figure_table(user=request.user, tenant=tenant, period=period)
            figures, stations = [_figure(row) for row in rows], []
        else:
            figures = [_figure(total) for total in table.totals]
            stations = [
                {
                    "slug": line.station.slug,
                    "name": line.station.name,
                    "dashboard": reverse("tenancy:dashboard", kwargs={"station": line.station.slug})
                    + "?"
                    + urlencode(period.picker()),
                    "figures": [_figure(line.rows[f.key]) for f in table.figures if f.key in line.rows],
                }
                for line in table.stations
            ]
        data = {
            "period": _period(period),
            "previous_period": _period(period.previous()),
            "figures": figures,
            "stations": stations,
        }
        return Response(FiguresSerializer(data).data)


def _ranked_on(entry, subject: str) -> dict | None:
    if entry is None:
        return None
    return {"key": entry.key, "label": str(entry.label), "unit": entry.unit, "subject": subject}


def _ranked(row) -> dict:
    return {
        "rank": row.rank,
        "id": row.id,
        "name": row.name,
        "station": row.station.slug,
        "value": row.value,
        "link": row.link,
    }


class RankingsView(ReadOnlyStationView):
    """The rankings (the page ``tenancy:rankings``): on a bureau its stations on a figure, and
    teams (or volunteers) on a measure, across the bureau's stations or in one; the top ten, ties
    sharing a rank."""

    serializer_class = RankingsSerializer

    @extend_schema(
        summary="Stations, teams and volunteers ranked for a period",
        parameters=[
            *PERIOD_PARAMETERS,
            OpenApiParameter(
                "figure", str, description="on a bureau: the figure's key (the first by default)"
            ),
            OpenApiParameter("measure", str, description="the team measure's key (the first by default)"),
            OpenApiParameter("station", str, description="on a bureau: only this station's teams"),
            OpenApiParameter("order", str, description="desc (the default) or asc"),
        ],
        responses={200: RankingsSerializer, 400: PeriodRefusalSerializer},
    )
    def get(self, request, station):
        try:
            result = rankings_from_query(request.query_params, user=request.user, tenant=request.tenant)
        except ValidationError as error:
            return _refusal(error)
        data = {
            "period": _period(result.period),
            "order": result.order,
            "figure": _ranked_on(result.figure, "station"),
            "stations": [_ranked(row) for row in result.stations],
            "measure": _ranked_on(result.measure, result.measure.subject if result.measure else ""),
            "teams": [_ranked(row) for row in result.teams],
        }
        return Response(RankingsSerializer(data).data)
