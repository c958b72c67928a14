"""What the teams app registers on the dashboard (``core.registry.figures``)."""

from django.utils.translation import gettext_lazy as _

from jointdefense.core.registry import Figure

from .selectors import figures as f


def figures():
    return [
        Figure(
            "teams.active_volunteers", _("Active volunteers"), "volunteers", f.active_volunteers, order=10
        ),
        Figure("teams.new_applications", _("New applications"), "volunteers", f.new_applications, order=20),
        Figure("teams.points_awarded", _("Points awarded"), "volunteers", f.points_awarded, order=30),
        Figure("teams.points_redeemed", _("Points redeemed"), "volunteers", f.points_redeemed, order=40),
    ]
