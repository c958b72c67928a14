"""What the patrols app registers on the dashboard (``core.registry.figures``) and in the rankings
(``core.registry.team_measures``)."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from jointdefense.core.registry import Figure, TeamMeasure

from .selectors import figures as f
from .selectors import rankings as r


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


def _team(tenant, pk):
    return reverse("teams:team-detail", kwargs={"station": tenant.slug, "pk": pk})


def _volunteer(tenant, pk):
    return reverse("teams:volunteer-detail", kwargs={"station": tenant.slug, "pk": pk})


def team_measures():
    team = {"link": _team, "link_permission": "team.view"}
    return [
        TeamMeasure(
            "patrols.team_hours",
            _("Patrol hours"),
            "hours",
            r.team_patrol_hours,
            order=10,
            on_dashboard=True,
            help=_("Hours of the patrols on the team's shifts."),
            **team,
        ),
        TeamMeasure(
            "patrols.team_patrols", _("Patrols walked"), "count", r.team_patrols_walked, order=20, **team
        ),
        TeamMeasure(
            "patrols.team_check_ins", _("Check-ins made"), "count", r.team_check_ins, order=30, **team
        ),
        TeamMeasure(
            "patrols.team_checkpoint_compliance",
            _("Checkpoint compliance"),
            "percent",
            r.team_checkpoint_compliance,
            order=40,
            help=_("Checkpoints checked in at of the checkpoints on the routes patrolled."),
            **team,
        ),
        TeamMeasure(
            "patrols.volunteer_hours",
            _("Patrol hours"),
            "hours",
            r.volunteer_patrol_hours,
            subject="volunteer",
            order=20,
            on_dashboard=True,
            link=_volunteer,
            link_permission="volunteer.view",
        ),
    ]
