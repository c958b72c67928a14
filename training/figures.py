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
            help=_(
                "Active volunteers holding every certificate they need, as counted at the end of "
                "the period; for a period not over yet, as of the latest count (every 15 minutes "
                "and after each change of training, volunteers or teams)."
            ),
            raw=f.compliance_share_raw,
        )
    ]
