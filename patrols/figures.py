"""What the patrols app registers on the dashboard (``core.registry.figures``)."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from jointdefense.core.registry import Figure

from .selectors import figures as f


def _walked(tenant, period):
    return reverse("patrols:patrol-list", kwargs={"station": tenant.slug}) + "?" + urlencode(period.query())


def figures():
    return [
        Figure(
            "patrols.hours",
            _("Patrol hours"),
            "patrols",
            f.patrol_hours,
            unit="hours",
            order=10,
            link=_walked,
            link_permission="patrol.view_records",
            help=_("From the first to the last counted check-in of each patrol started in the period."),
        ),
        Figure(
            "patrols.walked",
            _("Patrols walked"),
            "patrols",
            f.patrols_walked,
            order=20,
            link=_walked,
            link_permission="patrol.view_records",
        ),
        Figure(
            "patrols.shift_coverage",
            _("Shift coverage"),
            "patrols",
            f.shift_coverage,
            unit="percent",
            order=30,
            help=_("Places filled of places needed on the shifts starting in the period."),
        ),
    ]
