"""Teams, the grid cells they cover and their members."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jointdefense.core.models import TenantOwned

from .volunteers import Volunteer


class Team(TenantOwned):
    class Type(models.TextChoices):
        PATROL_BRIGADE = "patrol_brigade", _("Station patrol brigade")
        COMMUNITY_PATROL = "community_patrol", _("Community patrol team")
        COMPOUND_SECURITY = "compound_security", _("Compound security")
        RIDERS = "riders", _("Rider team")
        MEDIATION = "mediation", _("Mediation group")
        PUBLICITY = "publicity", _("Publicity group")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=100)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    home_community = models.ForeignKey(
        "tenancy.Community",
        verbose_name=_("home community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    grid_cells = models.ManyToManyField(
        "tenancy.GridCell", verbose_name=_("grid cells"), blank=True, related_name="+", through="TeamGridCell"
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "name"],
                name="team_unique_name_per_tenant",
                violation_error_message=_("This station already has a team with this name."),
            )
        ]
        indexes = [models.Index(fields=["tenant", "type"], name="team_tenant_type")]

    def __str__(self):
        return self.name


class TeamGridCell(TenantOwned):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+", db_index=False)
    grid_cell = models.ForeignKey(
        "tenancy.GridCell", on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "team", "grid_cell"], name="teamgridcell_unique")
        ]


class TeamMember(TenantOwned):
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="members", db_index=False
    )
    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name=_("volunteer"),
        on_delete=models.CASCADE,
        related_name="team_memberships",
        db_index=False,
    )
    is_leader = models.BooleanField(_("leader"), default=False)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "team", "volunteer"],
                name="teammember_unique",
                violation_error_message=_("This volunteer is already in the team."),
            )
        ]
        indexes = [models.Index(fields=["tenant", "volunteer"], name="teammember_tenant_volunteer")]
