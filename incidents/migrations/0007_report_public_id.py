"""Each report gets a public id of its own (Open311, public maps) and a public status note, so the
tracking code stays the reporter's secret. Existing reports get a random id each (a callable default
on AddField would give every row the same one)."""

import secrets

from django.db import migrations, models

import incidents.models


def give_public_ids(apps, schema_editor):
    Report = apps.get_model("incidents", "Report")
    batch = []
    for report in Report._base_manager.only("pk").iterator(chunk_size=2000):
        report.public_id = secrets.token_hex(5)
        batch.append(report)
        if len(batch) >= 2000:
            Report._base_manager.bulk_update(batch, ["public_id"])
            batch = []
    if batch:
        Report._base_manager.bulk_update(batch, ["public_id"])


class Migration(migrations.Migration):
    dependencies = [("incidents", "0006_duplicates")]

    operations = [
        migrations.AddField(
            model_name="report",
            name="public_id",
            field=models.CharField(editable=False, max_length=12, null=True, verbose_name="public id"),
        ),
        migrations.RunPython(give_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="report",
            name="public_id",
            field=models.CharField(
                default=incidents.models.new_public_id, editable=False, max_length=12, verbose_name="public id"
            ),
        ),
        migrations.AddField(
            model_name="report",
            name="public_note",
            field=models.CharField(
                blank=True,
                help_text="Shown to everyone with the report's status (Open311): never the reporter's details.",
                max_length=500,
                verbose_name="public status note",
            ),
        ),
        migrations.AddConstraint(
            model_name="report",
            constraint=models.UniqueConstraint(fields=("tenant", "public_id"), name="report_unique_public_id"),
        ),
    ]
