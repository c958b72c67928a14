"""The reward catalogue (material rewards, honour titles) and volunteers' redemption requests."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jointdefense.core.models import TenantOwned

from .volunteers import Volunteer


class Reward(TenantOwned):
    class Kind(models.TextChoices):
        ITEM = "item", _("Material reward")
        TITLE = "title", _("Honour title")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    cost_points = models.PositiveIntegerField(_("cost in points"), null=True, blank=True)
    stock = models.PositiveIntegerField(_("in stock"), null=True, blank=True)
    threshold_points = models.PositiveIntegerField(
        _("points to reach"), null=True, blank=True, help_text=_("For honour titles: points earned in all.")
    )
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["kind", "threshold_points", "cost_points", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="reward_unique_name_per_tenant"),
            models.CheckConstraint(
                condition=(
                    Q(kind="item", cost_points__gt=0, stock__isnull=False, threshold_points__isnull=True)
                )
                | (Q(kind="title", threshold_points__gt=0, cost_points__isnull=True, stock__isnull=True)),
                name="reward_fields_match_kind",
                violation_error_message=_(
                    "A material reward needs a cost and a stock; an honour title needs the points to reach."
                ),
            ),
        ]
        indexes = [models.Index(fields=["tenant", "kind", "is_active"], name="reward_tenant_kind")]

    def __str__(self):
        return self.name


class Redemption(TenantOwned):
    """A volunteer's request for a material reward. The points and one item of stock are held
    when it is requested; refusing or cancelling gives both back (a reversing ledger entry)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        CANCELLED = "cancelled", _("Cancelled")

    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name=_("volunteer"),
        on_delete=models.PROTECT,
        related_name="redemptions",
        db_index=False,
    )
    reward = models.ForeignKey(
        Reward, verbose_name=_("reward"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    points = models.PositiveIntegerField(_("points"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-requested_at"]
        indexes = [
            models.Index(fields=["tenant", "status", "-requested_at"], name="redemption_tenant_status"),
            models.Index(fields=["tenant", "volunteer"], name="redemption_tenant_volunteer"),
        ]
