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
