"""``manage.py rebuild_rollups [--station SLUG ...] [--prefix KEY ...]``: compute the stations'
rollups (``core.rollups``) again from their rows, e.g. after a bulk import, a restore, or a change of
a station's time zone. Safe while the portal runs: writers of a station wait for its rebuild."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jointdefense.core import rollups
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
            self.stdout.write(f"{tenant.slug}: {written} rollup rows")
