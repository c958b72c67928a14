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


# ---- the station's figures and the rankings ------------------------------------------------------


class PeriodSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="week, month, quarter, year or custom (chosen dates)")
    first_day = serializers.DateField()
    last_day = serializers.DateField(help_text="included")
    label = serializers.CharField()


class FigureValueSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    group = serializers.CharField(help_text="the dashboard's section")
    unit = serializers.CharField(help_text="count, hours, percent (0..100) or minutes")
    value = serializers.FloatField(allow_null=True, help_text="null: nothing to count")
    previous = serializers.FloatField(allow_null=True, help_text="the period before")
    change = serializers.FloatField(allow_null=True)
    link = serializers.CharField(
        allow_blank=True, help_text="the list behind the value in the portal (empty: none you may open)"
    )
    note = serializers.CharField(allow_blank=True, help_text="why a bureau's total is empty")


class StationFiguresSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    dashboard = serializers.CharField(help_text="the station's dashboard for the same period")
    figures = FigureValueSerializer(many=True)


class FiguresSerializer(serializers.Serializer):
    period = PeriodSerializer()
    previous_period = PeriodSerializer()
    figures = FigureValueSerializer(
        many=True, help_text="a station's figures; on a bureau, its totals over its stations"
    )
    stations = StationFiguresSerializer(many=True, help_text="on a bureau, each station's figures")


class RankedSerializer(serializers.Serializer):
    rank = serializers.IntegerField(help_text="tied values share a rank (1, 2, 2, 4)")
    id = serializers.IntegerField(help_text="the station's, team's or volunteer's id")
    name = serializers.CharField()
    station = serializers.CharField(help_text="the station's short name")
    value = serializers.FloatField(allow_null=True)
    link = serializers.CharField(allow_blank=True, help_text="its page in the portal, when you may open it")


class RankedOnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    subject = serializers.CharField(help_text="station, team or volunteer")


class RankingsSerializer(serializers.Serializer):
    period = PeriodSerializer()
    order = serializers.CharField(help_text="desc: the highest first; asc: the lowest first")
    figure = RankedOnSerializer(allow_null=True, help_text="on a bureau: the figure stations are ranked on")
    stations = RankedSerializer(many=True)
    measure = RankedOnSerializer(allow_null=True, help_text="the measure teams or volunteers are ranked on")
    teams = RankedSerializer(many=True, help_text="teams or volunteers, as the measure says")


class PeriodRefusalSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="why, in the user's language")
    code = serializers.CharField()
