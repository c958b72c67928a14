"""A report joined to another one used to tell its reporter the other report's tracking code (the
other reporter's key to their tracking page) in its "joined" event. Those texts now name the public
id instead: every tracking code of the station in a "merged" event becomes that report's public id."""

import re

from django.db import migrations

CODE = re.compile(r"\b[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10}\b")


def codes_to_public_ids(apps, schema_editor):
    Report = apps.get_model("incidents", "Report")
    ReportEvent = apps.get_model("incidents", "ReportEvent")
    events = ReportEvent._base_manager.filter(kind="merged").exclude(text="").only("pk", "tenant_id", "text")
    batch = []
    for event in events.iterator(chunk_size=2000):
        codes = set(CODE.findall(event.text))
        if not codes:
            continue
        public = dict(
            Report._base_manager.filter(tenant_id=event.tenant_id, tracking_code__in=codes).values_list(
                "tracking_code", "public_id"
            )
        )
        if not public:
            continue
        event.text = CODE.sub(lambda m: public.get(m.group(0), m.group(0)), event.text)
        batch.append(event)
        if len(batch) >= 2000:
            ReportEvent._base_manager.bulk_update(batch, ["text"])
            batch = []
    if batch:
        ReportEvent._base_manager.bulk_update(batch, ["text"])


class Migration(migrations.Migration):
    dependencies = [("incidents", "0007_report_public_id")]

    operations = [migrations.RunPython(codes_to_public_ids, migrations.RunPython.noop)]
