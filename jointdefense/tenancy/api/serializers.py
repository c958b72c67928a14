from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from ..models import Community, GridCell


class CommunitySerializer(GeoFeatureModelSerializer):
    grid_cell_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Community
        geo_field = "boundary"
        fields = ["id", "slug", "name", "name_en", "name_zh_hans", "households", "grid_cell_count"]


class GridCellSerializer(GeoFeatureModelSerializer):
    community = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = GridCell
        geo_field = "boundary"
        fields = ["id", "code", "name", "name_en", "name_zh_hans", "community"]


class DeskEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="the row's id in its own resource (report, visit, shift, …)")
    label = serializers.CharField()
    detail = serializers.CharField(allow_blank=True)
    url = serializers.CharField(help_text="the row's page in the portal")
    when = serializers.DateTimeField(
        allow_null=True, help_text="reported, due, starts or received, as the section says"
    )
    urgent = serializers.BooleanField(help_text="overdue, past its date, or with nobody on it")


class DeskSectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    count = serializers.IntegerField(help_text="how many rows wait in all")
    more_url = serializers.CharField(help_text="the full list in the portal")
    empty = serializers.CharField(help_text="the sentence the page shows when nothing waits")
    items = DeskEntrySerializer(many=True, help_text="the first rows, the most urgent first")


class DeskSerializer(serializers.Serializer):
    sections = DeskSectionSerializer(many=True)
