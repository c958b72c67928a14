"""What the teams app registers on the dashboard (``core.registry.figures``) and in the rankings
(``core.registry.team_measures``)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jointdefense.core.registry import Figure, TeamMeasure

from .selectors import figures as f
from .selectors import rankings as r


def figures():
    return [
        Figure(
            "teams.active_volunteers", _("Active volunteers"), "volunteers", f.active_volunteers, order=10
        ),
        Figure("teams.new_applications", _("New applications"), "volunteers", f.new_applications, order=20),
        Figure("teams.points_awarded", _("Points awarded"), "volunteers", f.points_awarded, order=30),
        Figure("teams.points_redeemed", _("Points redeemed"), "volunteers", f.points_redeemed, order=40),
    ]


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
            link=lambda tenant, pk: reverse(
                "teams:volunteer-detail", kwargs={"station": tenant.slug, "pk": pk}
            ),
            link_permission="volunteer.view",
        ),
    ]
