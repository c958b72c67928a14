"""What the patrols app registers on the dashboard (``core.registry.figures``): each figure's
selector (``selectors/figures.py``; each reads rollups and names its plain aggregate as
``raw``) and the list behind it, filtered the same way; and what teams and volunteers are ranked on
(``core.registry.team_measures``)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jointdefense.core.links import station_url
from jointdefense.core.registry import Figure, TeamMeasure

from .models import CheckIn
from .selectors import figures as f
from .selectors import rankings as r

ALL_REVIEWS = [value for value, _label in CheckIn.Review.choices]


_url = station_url


def _walked(tenant, period):
    return _url("patrols:patrol-list", tenant, **period.query())


def _check_ins(tenant, period):
    return _url("patrols:review-queue", tenant, review=ALL_REVIEWS, **period.query())


def _flagged(tenant, period):
    return _url("patrols:review-queue", tenant, review=list(f.WAS_FLAGGED), **period.query())


def _coverage(tenant, period):
    """The coverage page shows one week: the link is there for a week's figure only."""
    if period.kind != "week":
        return ""
    return _url("patrols:coverage", tenant, week=period.first_day.isoformat())


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
            series=f.patrol_hours_weekly,
            raw=f.patrol_hours_raw,
        ),
        Figure(
            "patrols.walked",
            _("Patrols walked"),
            "patrols",
            f.patrols_walked,
            order=20,
            link=_walked,
            link_permission="patrol.view_records",
            raw=f.patrols_walked_raw,
        ),
        Figure(
            "patrols.shift_coverage",
            _("Shift coverage"),
            "patrols",
            f.shift_coverage,
            unit="percent",
            pooled=True,
            order=30,
            link=_coverage,
            link_permission="shift.view_coverage",
            help=_("Places filled of places needed on the shifts starting in the period."),
            raw=f.shift_coverage_raw,
        ),
        Figure(
            "patrols.checkpoint_compliance",
            _("Checkpoint compliance"),
            "patrols",
            f.checkpoint_compliance,
            unit="percent",
            pooled=True,
            order=40,
            link=_walked,
            link_permission="patrol.view_records",
            help=_(
                "Checkpoints checked in at of the checkpoints planned for the patrols walked: the "
                "route's checkpoints in use when each patrol started."
            ),
            raw=f.checkpoint_compliance_raw,
        ),
        Figure(
            "patrols.check_ins",
            _("Check-ins made"),
            "patrols",
            f.check_ins_made,
            order=50,
            link=_check_ins,
            link_permission="checkin.review",
            help=_("Check-ins of the patrols started in the period."),
            series=f.check_ins_weekly,
            raw=f.check_ins_made_raw,
        ),
        Figure(
            "patrols.check_ins_flagged",
            _("Check-ins flagged"),
            "patrols",
            f.check_ins_flagged_share,
            unit="percent",
            pooled=True,
            order=60,
            link=_flagged,
            link_permission="checkin.review",
            help=_("The share of those check-ins that broke a rule and went to an officer."),
            raw=f.check_ins_flagged_share_raw,
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
            takes_top=True,
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
            help=_(
                "Checkpoints checked in at of the checkpoints planned for the patrols on the team's shifts."
            ),
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
            takes_top=True,
            link=_volunteer,
            link_permission="volunteer.view",
        ),
    ]
