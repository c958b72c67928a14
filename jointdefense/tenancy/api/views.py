import datetime

import django_filters
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework_gis.pagination import GeoJsonPagination

from jointdefense.tenancy.api.base import StationPermission, StationViewSet

from .. import selectors, summaries
from ..models import Community, GridCell, StationSummary
from .serializers import (
    CommunitySerializer,
    DeskSerializer,
    GridCellSerializer,
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
