"""What the teams app registers on the dashboard (``core.registry.figures``): each figure's
selector (``selectors/figures.py``; the flows read rollups and name their plain aggregate as
``raw``) and the list behind it, filtered the same way; and what teams and volunteers are ranked on
(``core.registry.team_measures``)."""

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from jointdefense.core.links import station_url
from jointdefense.core.registry import Figure, TeamMeasure

from .models import DEFAULT_BACKGROUND_GROUPS, PointEntry, Volunteer, VolunteerRole
from .selectors import figures as f
from .selectors import rankings as r

_url = station_url


def _roster(**extra):
    """The roster of the volunteers active by the end of the period (and ``extra``)."""

    def link(tenant, period):
        return _url(
            "teams:volunteer-list",
            tenant,
            status=Volunteer.Status.ACTIVE,
            active_by=period.last_day.isoformat(),
            **extra,
        )

    return link


def _applications(tenant, period):
    query = period.query()
    return _url("teams:volunteer-list", tenant, applied_start=query["start"], applied_end=query["end"])


def _ledger(kind):
    """The station's points ledger of one kind of entry, dated in the period."""

    def link(tenant, period):
        return _url("teams:ledger", tenant, kind=kind, **period.query())

    return link


def _by_role(role, label, order):
    return Figure(
        f"teams.active_{role}",
        format_lazy(_("… in the role “{role}”"), role=label),
        "volunteers",
        lambda tenant, period: f.active_volunteers_in_role(tenant, period, role),
        order=order,
        link=_roster(role=role),
        link_permission="volunteer.view",
    )


def _by_background(slug, label, order):
    return Figure(
        f"teams.active_from_{slug}",
        format_lazy(_("… from “{background}”"), background=label),
        "volunteers",
        lambda tenant, period: f.active_volunteers_from(tenant, period, slug),
        order=order,
        link=_roster(background=slug),
        link_permission="volunteer.view",
    )


def figures():
    entries = [
        Figure(
            "teams.active_volunteers",
            _("Active volunteers"),
            "volunteers",
            f.active_volunteers,
            order=10,
            link=_roster(),
            link_permission="volunteer.view",
            help=_("Active now and since before the end of the period; below, by role and by background."),
        ),
    ]
    entries += [_by_role(role, label, 11 + n) for n, (role, label) in enumerate(VolunteerRole.choices)]
    entries += [
        _by_background(slug, label, 30 + n) for n, (slug, label) in enumerate(DEFAULT_BACKGROUND_GROUPS)
    ]
    entries += [
        Figure(
            "teams.new_applications",
            _("New applications"),
            "volunteers",
            f.new_applications,
            order=50,
            link=_applications,
            link_permission="volunteer.view",
            raw=f.new_applications_raw,
        ),
        Figure(
            "teams.screening_days",
            _("Screening time (median days)"),
            "volunteers",
            f.screening_days,
            unit="days",
            pooled=True,
            order=55,
            help=_("From an application to its first background review, of those reviewed in the period."),
            raw=f.screening_days_raw,
        ),
        Figure(
            "teams.points_awarded",
            _("Points awarded"),
            "volunteers",
            f.points_awarded,
            order=60,
            link=_ledger(PointEntry.Kind.AWARD),
            link_permission="points.view_ledger",
            series=lambda tenant, period: f.points_weekly(tenant, period, PointEntry.Kind.AWARD),
            raw=f.points_awarded_raw,
        ),
        Figure(
            "teams.points_redeemed",
            _("Points redeemed"),
            "volunteers",
            f.points_redeemed,
            order=70,
            link=_ledger(PointEntry.Kind.REDEMPTION),
            link_permission="points.view_ledger",
            series=lambda tenant, period: f.points_weekly(tenant, period, PointEntry.Kind.REDEMPTION),
            raw=f.points_redeemed_raw,
        ),
        Figure(
            "teams.households_per_officer",
            _("Households per community officer"),
            "volunteers",
            f.households_per_officer,
            order=80,
            link=lambda tenant, period: reverse("tenancy:community-list", kwargs={"station": tenant.slug}),
            link_permission="community.view",
            help=format_lazy(_("The norm is one community officer per {norm} households."), norm="1,000"),
        ),
    ]
    return entries


def team_measures():
    return [
        TeamMeasure(
            "teams.team_points",
            _("Points awarded"),
            "count",
            r.team_points_awarded,
            order=50,
            link=lambda tenant, pk: reverse("teams:team-detail", kwargs={"station": tenant.slug, "pk": pk}),
            link_permission="team.view",
            help=_("Points awarded to the team's members."),
        ),
        TeamMeasure(
            "teams.volunteer_points",
            _("Points awarded"),
            "count",
            r.volunteer_points_awarded,
            subject="volunteer",
            order=10,
            on_dashboard=True,
            takes_top=True,
            link=lambda tenant, pk: reverse(
                "teams:volunteer-detail", kwargs={"station": tenant.slug, "pk": pk}
            ),
            link_permission="volunteer.view",
        ),
    ]
