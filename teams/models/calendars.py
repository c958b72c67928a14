"""Calendar feeds: a secret address a calendar app subscribes to, holding a volunteer's own
shifts and training sessions, or a team's shifts for its leaders (RFC 5545, ``teams.views.calendars``).
The address is the whole credential: a new one replaces the old, and a revoked one answers 404."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jointdefense.core.models import TenantOwned

from .teams import Team
from .volunteers import Volunteer


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)  # 192 bits, 32 characters


class CalendarFeed(TenantOwned):
    class Kind(models.TextChoices):
        PERSONAL = "personal", _("My shifts and training")
        TEAM = "team", _("The team's shifts")

    kind = models.CharField(_("feed"), max_length=10, choices=Kind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # the team of a team feed (its leader is ``volunteer``)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    token = models.CharField(_("secret"), max_length=64, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("turned off"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "token"], name="calendarfeed_token_unique"),
            # one live address per volunteer and feed: a new one revokes the old in the same transaction
            models.UniqueConstraint(
                fields=["tenant", "volunteer", "kind", "team"],
                condition=Q(revoked_at__isnull=True),
                nulls_distinct=False,
                name="calendarfeed_one_live",
            ),
            models.CheckConstraint(
                condition=(Q(kind="personal") & Q(team__isnull=True))
                | (Q(kind="team") & Q(team__isnull=False)),
                name="calendarfeed_team_of_team_feed",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "team"], name="calendarfeed_tenant_team")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.volunteer}"
