import datetime

from django.urls import reverse
from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from jointdefense.core.registry import FIGURE_UNITS, SUMMARY_COLUMN_KINDS

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


class SummaryListSerializer(serializers.Serializer):
    station = serializers.CharField(source="tenant.slug", help_text="the station's short name")
    station_name = serializers.CharField(source="tenant.name")
    week_start = serializers.DateField(help_text="the Monday of the week summarised (station time)")
    week_end = serializers.SerializerMethodField(help_text="its Sunday")
    created_at = serializers.DateTimeField(help_text="when the summary was built and sent")
    url = serializers.SerializerMethodField(help_text="the summary in the API")
    page_url = serializers.SerializerMethodField(help_text="the summary's page in the portal")

    def get_week_end(self, summary) -> datetime.date:
        return summary.week_start + datetime.timedelta(days=6)

    def get_url(self, summary) -> str:
        kwargs = {"station": summary.tenant.slug, "week_start": summary.week_start.isoformat()}
        return reverse("api:summary-detail", kwargs=kwargs)

    def get_page_url(self, summary) -> str:
        kwargs = {"station": summary.tenant.slug, "week": summary.week_start.isoformat()}
        return reverse("tenancy:summary-detail", kwargs=kwargs)


class SummaryFigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField(help_text="in the reader's language")
    group = serializers.CharField(help_text="the dashboard section it belongs to")
    unit = serializers.ChoiceField(choices=FIGURE_UNITS)
    value = serializers.FloatField(allow_null=True, help_text="the week's (null: nothing to count)")
    previous = serializers.FloatField(allow_null=True, help_text="the week before's")
    change = serializers.FloatField(allow_null=True)


class SummaryColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=SUMMARY_COLUMN_KINDS)


class SummarySectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    count = serializers.IntegerField(help_text="how many rows it had in all")
    columns = SummaryColumnSerializer(many=True)
    rows = serializers.ListField(
        child=serializers.DictField(),
        help_text="the first rows as stored: a value for each column's key, and url (the row's page)",
    )


class SummarySerializer(SummaryListSerializer):
    as_of = serializers.DateTimeField(help_text="the moment the sections describe: the week's end")
    figures = SummaryFigureSerializer(many=True)
    sections = SummarySectionSerializer(many=True)
