"""The screening of an application: background reviews and the audit trail of its steps."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jointdefense.core.models import TenantOwned

from .volunteers import Volunteer


class BackgroundReview(TenantOwned):
    class Result(models.TextChoices):
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")

    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name=_("volunteer"),
        on_delete=models.PROTECT,
        related_name="reviews",
        db_index=False,
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    notes = models.TextField(_("notes"), blank=True)
    reviewed_on = models.DateField(_("date of review"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("background review")
        verbose_name_plural = _("background reviews")
        ordering = ["-recorded_at"]
        indexes = [
            models.Index(fields=["tenant", "volunteer", "-recorded_at"], name="review_tenant_volunteer")
        ]

    def __str__(self):
        return f"{self.volunteer} {self.reviewed_on}: {self.result}"


class ScreeningEvent(TenantOwned):
    """The audit trail of an application: who moved it where, when, and why."""

    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name=_("volunteer"),
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_status = models.CharField(_("from"), max_length=20, choices=Volunteer.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Volunteer.Status.choices)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("screening event")
        verbose_name_plural = _("screening events")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["tenant", "volunteer", "created_at"], name="screening_tenant_volunteer")
        ]
