"""``manage.py send_weekly_summaries [--station SLUG ...] [--week YYYY-MM-DD]``: build and e-mail
the weekly summaries now, for operators (after an outage of the workers, or for a week beat
missed). Idempotent: a station's week that has its summary already is left as it is (use "Send
again" on the summary's page to e-mail it once more). Without ``--week`` each station's latest
due week; a day names the week (Monday to Sunday) holding it."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jointdefense.core.periods import parse_day
from jointdefense.tenancy import summaries
from jointdefense.tenancy.models import Tenant


class Command(BaseCommand):
    help = "Build and e-mail the stations' weekly summaries now (each station and week once)."

    def add_arguments(self, parser):
        parser.add_argument("--station", action="append", default=[], help="a station's slug (repeatable)")
        parser.add_argument(
            "--week", help="a day of the week to summarise (YYYY-MM-DD); default: the last due"
        )

    def handle(self, *args, station, week, **options):
        try:
            week_start = summaries.monday_of(parse_day(week, "week")) if week else None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        stations = Tenant.objects.filter(kind=Tenant.Kind.STATION, is_active=True).order_by("slug")
        if station:
            stations = stations.filter(slug__in=station)
            missing = set(station) - set(stations.values_list("slug", flat=True))
            if missing:
                raise CommandError(_("No active station: %(slugs)s") % {"slugs": ", ".join(sorted(missing))})
        for tenant, monday, built in summaries.summaries_send(stations=list(stations), week_start=week_start):
            if built:
                self.stdout.write(f"{tenant.slug} {monday.isoformat()}: built and sent")
            else:
                self.stdout.write(f"{tenant.slug} {monday.isoformat()}: already built, left as it is")
