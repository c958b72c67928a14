"""Reward points: what contributions earn (the station's rules) and the append-only ledger."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jointdefense.core.models import TenantOwned

from .rewards import Redemption
from .volunteers import Volunteer


class ContributionKind(models.TextChoices):
    """What points are awarded for; each station sets the points of each kind."""

    PATROL_HOUR = "patrol_hour", _("Patrol hour")
    HAZARD_REPORTED = "hazard_reported", _("Hazard reported")
    VALUABLE_CLUE = "valuable_clue", _("Valuable clue")
    CASE_ASSISTED = "case_assisted", _("Case assisted")
    DISPUTE_SETTLED = "dispute_settled", _("Dispute settled")
    PUBLICITY_EVENT = "publicity_event", _("Safety publicity event")
    INFORMATION_COLLECTED = "information_collected", _("Information collected")
    TRAINING_ATTENDED = "training_attended", _("Training attended")
    OTHER = "other", _("Other contribution")


class PointRule(TenantOwned):
    kind = models.CharField(_("contribution"), max_length=30, choices=ContributionKind.choices)
    base_points = models.PositiveIntegerField(_("base points"))
    difficulty_factor = models.DecimalField(
        _("difficulty factor"),
        max_digits=4,
        decimal_places=2,
        default=1,
        help_text=_("Multiplies the base points, for harder or riskier work (1.00 = normal)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("point rule")
        verbose_name_plural = _("point rules")
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "kind"], name="pointrule_unique_kind_per_tenant"),
            models.CheckConstraint(
                condition=Q(difficulty_factor__gt=0) & Q(difficulty_factor__lte=10),
                name="pointrule_factor_range",
            ),
        ]

    def __str__(self):
        return self.get_kind_display()

    def points_for(self, quantity=1) -> int:
        return int(round(self.base_points * self.difficulty_factor * quantity))


DEFAULT_POINT_RULES = [
    (ContributionKind.PATROL_HOUR, 10, "1.00"),
    (ContributionKind.HAZARD_REPORTED, 20, "1.00"),
    (ContributionKind.VALUABLE_CLUE, 50, "1.50"),
    (ContributionKind.CASE_ASSISTED, 80, "1.50"),
    (ContributionKind.DISPUTE_SETTLED, 40, "1.20"),
    (ContributionKind.PUBLICITY_EVENT, 15, "1.00"),
    (ContributionKind.INFORMATION_COLLECTED, 5, "1.00"),
    (ContributionKind.TRAINING_ATTENDED, 10, "1.00"),
    (ContributionKind.OTHER, 10, "1.00"),
]


class PointEntry(TenantOwned):
    """One line of the points ledger. Never changed, never deleted."""

    class Kind(models.TextChoices):
        AWARD = "award", _("Award")
        REDEMPTION = "redemption", _("Redemption")
        REVERSAL = "reversal", _("Correction")

    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name=_("volunteer"),
        on_delete=models.PROTECT,
        related_name="point_entries",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    contribution = models.CharField(
        _("contribution"), max_length=30, choices=ContributionKind.choices, blank=True
    )
    points = models.IntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    idempotency_key = models.CharField(_("source key"), max_length=120)
    reverses = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversals",
        db_index=False,
    )
    redemption = models.ForeignKey(
        Redemption,
        verbose_name=_("redemption"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("point entry")
        verbose_name_plural = _("point entries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "idempotency_key"], name="pointentry_unique_key_per_tenant"
            ),
            models.UniqueConstraint(
                fields=["tenant", "reverses"],
                name="pointentry_reversed_once",
                condition=Q(reverses__isnull=False),
            ),
            models.CheckConstraint(
                condition=(Q(kind="award", points__gt=0))
                | Q(kind="redemption", points__lt=0, redemption__isnull=False)
                | Q(kind="reversal", reverses__isnull=False),
                name="pointentry_sign_matches_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "volunteer", "-created_at"], name="pointentry_tenant_volunteer"),
            models.Index(fields=["tenant", "created_at"], name="pointentry_tenant_created"),
        ]

    def __str__(self):
        return f"{self.points:+d} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("point entries are append-only: add a reversing entry instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("point entries are append-only: add a reversing entry instead")
