"""Each patrol keeps the number of checkpoints planned for it (the route's checkpoints in use when it
started), so checkpoint compliance counts against what was planned then and a rollup can keep it
(``patrols.checkpoints``). Existing patrols get their route's checkpoints in use today: the best
that is known of them, and what the figure counted until now. One UPDATE, whatever the patrols.

After migrating, ``manage.py rebuild_rollups --prefix patrols.`` computes the new series."""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def fill_checkpoints_planned(apps, schema_editor):
    Patrol = apps.get_model("patrols", "Patrol")
    Checkpoint = apps.get_model("patrols", "Checkpoint")
    in_use = (
        Checkpoint._base_manager.filter(tenant=OuterRef("tenant"), route=OuterRef("route"), is_active=True)
        .order_by()
        .values("route")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Patrol._base_manager.update(
        checkpoints_planned=Coalesce(Subquery(in_use, output_field=models.IntegerField()), 0)
    )


class Migration(migrations.Migration):
    dependencies = [("patrols", "0002_checkin_flag_device_clock")]

    operations = [
        migrations.AddField(
            model_name="patrol",
            name="checkpoints_planned",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="checkpoints planned"),
        ),
        migrations.RunPython(fill_checkpoints_planned, migrations.RunPython.noop),
    ]
