"""``manage.py rebuild_rollups [--station SLUG ...] [--prefix KEY ...]``: compute the stations'
rollups (``core.rollups``) again from their rows, e.g. after a bulk import, a restore, or a change of
a station's time zone. Safe while the portal runs: writers of a station wait for its rebuild.

The counts the apps keep of a state per day (``core.registry.kept_counts``: training compliance)
are rebuilt too, those whose key is under a ``--prefix`` when one is given: the station's are
dropped and today's counted again (the other days are counted when a figure first reads them)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jointdefense.core import rollups
from jointdefense.core.registry import kept_counts
from jointdefense.tenancy.models import Tenant


class Command(BaseCommand):
    help = "Rebuild the stations' rollups (the figures' daily counts) from their rows."

    def add_arguments(self, parser):
        parser.add_argument("--station", action="append", default=[], help="a station's slug (repeatable)")
        parser.add_argument("--prefix", action="append", default=[], help="only series under this key")

    def handle(self, *args, station, prefix, **options):
        stations = Tenant.objects.filter(kind=Tenant.Kind.STATION).order_by("slug")
        if station:
            stations = stations.filter(slug__in=station)
            missing = set(station) - set(stations.values_list("slug", flat=True))
            if missing:
                raise CommandError(_("No such station: %(slugs)s") % {"slugs": ", ".join(sorted(missing))})
        for tenant in stations:
            written = rollups.rebuild(tenant, prefix)
            kept = sum(
                count.rebuild(tenant)
                for count in kept_counts
                if not prefix or any(count.key.startswith(p) for p in prefix)
            )
            self.stdout.write(f"{tenant.slug}: {written} rollup rows, {kept} kept counts")
