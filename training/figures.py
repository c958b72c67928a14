"""What the training app registers on the dashboard (``core.registry.figures``)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jointdefense.core.registry import Figure

from .selectors import figures as f


def figures():
    return [
        Figure(
            "training.compliance",
            _("Training compliance"),
            "training",
            f.compliance_share,
            unit="percent",
            order=10,
            link=lambda tenant, period: reverse("training:compliance", kwargs={"station": tenant.slug}),
            link_permission="training.view_compliance",
            help=_("Active volunteers holding every certificate they need, at the end of the period."),
        )
    ]
