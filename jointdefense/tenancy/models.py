"""Tenancy: a tenant is one police station's programme (or a city bureau above stations).

Every tenant-owned row carries ``tenant``; its indexes and unique keys lead with it, so that the
database can later be distributed by tenant. Tenant-owned models inherit :class:`TenantOwned`, whose
default manager refuses to run a query unless a tenant scope is active (django-scopes): scoping
fails closed. The request middleware and the Celery base task open the scope.
"""

import zoneinfo
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from jointdefense.core.models import TenantOwned
from jointdefense.core.phones import DEFAULT_REGION, validate_region


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a known time zone."), params={"value": value}, code="time_zone"
        )


slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    _("Use lowercase letters, digits and single hyphens, for example “huayuan-road”."),
)


class Tenant(models.Model):
    class Kind(models.TextChoices):
        STATION = "station", _("Police station")
        BUREAU = "bureau", _("Bureau")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60, unique=True, validators=[slug_validator])
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.STATION)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent bureau"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        limit_choices_to={"kind": "bureau"},
    )
    default_language = models.CharField(
        _("default language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    boundary = models.MultiPolygonField(_("boundary"), srid=4326, null=True, blank=True)
    return_visit_days = models.PositiveSmallIntegerField(
        _("days to the return visit"),
        default=3,
        help_text=_("After a case is resolved, the resident is visited within this many days."),
    )
    contact_retention_days = models.PositiveSmallIntegerField(
        _("days to keep reporters' contacts"),
        default=90,
        help_text=_(
            "A reporter's contact is erased this many days after the case is closed; the report stays."
        ),
    )
    phone_region = models.CharField(
        _("phone region"),
        max_length=2,
        default=DEFAULT_REGION,
        validators=[validate_region],
        help_text=_(
            "Phone numbers typed without a country code are read as numbers of this region (CN: China)."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("station or bureau")
        verbose_name_plural = _("stations and bureaus")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="bureau") | models.Q(boundary__isnull=False),
                name="station_has_boundary",
                violation_error_message=_("A police station needs a boundary."),
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")),
                name="tenant_not_own_parent",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_bureau(self):
        return self.kind == self.Kind.BUREAU

    @property
    def zoneinfo(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    def clean(self):
        super().clean()
        if self.parent_id:
            if self.parent.kind != self.Kind.BUREAU:
                raise ValidationError({"parent": _("The parent must be a bureau.")})
            if self.kind == self.Kind.BUREAU:
                raise ValidationError({"parent": _("A bureau has no parent here.")})
        if self.kind == self.Kind.STATION and not self.boundary:
            raise ValidationError({"boundary": _("Draw the station's boundary on the map.")})
        check_within(self.boundary, None, "")

    def scope_tenants(self):
        """The tenant ids whose rows this tenant may read: itself, and for a bureau its stations."""
        if self.is_bureau:
            return [self.pk, *Tenant.objects.filter(parent=self).values_list("pk", flat=True)]
        return [self.pk]


def station_ids(stations: Iterable[Any]) -> list[int]:
    """The ids of ``stations`` (tenants or their ids): for a read over a batch of stations."""
    return [getattr(station, "pk", station) for station in stations]


# about 1 m at these latitudes: boundaries drawn by hand share edges that differ by rounding
BOUNDARY_TOLERANCE_DEGREES = 0.00001


def check_within(geometry, container, container_label):
    """Refuse a boundary that is invalid or reaches outside its container."""
    if geometry is None:
        return
    if not geometry.valid:
        raise ValidationError(
            {"boundary": _("The boundary crosses itself: %(reason)s") % {"reason": geometry.valid_reason}}
        )
    if container is not None and not container.buffer(BOUNDARY_TOLERANCE_DEGREES).contains(geometry):
        raise ValidationError(
            {"boundary": _("The boundary reaches outside %(container)s.") % {"container": container_label}}
        )


class Community(TenantOwned):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60, validators=[slug_validator])
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    boundary = models.PolygonField(_("boundary"), srid=4326)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "slug"],
                name="community_unique_slug_per_tenant",
                violation_error_message=_("This station already has a community with this short name."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        check_within(self.boundary, self.tenant.boundary if self.tenant_id else None, _("the station"))


class GridCell(TenantOwned):
    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        on_delete=models.CASCADE,
        related_name="grid_cells",
        db_index=False,
    )
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=120)
    boundary = models.PolygonField(_("boundary"), srid=4326)

    class Meta:
        verbose_name = _("grid cell")
        verbose_name_plural = _("grid cells")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "code"],
                name="gridcell_unique_code_per_tenant",
                violation_error_message=_("This station already has a grid cell with this code."),
            ),
        ]
        indexes = [models.Index(fields=["tenant", "community", "code"], name="gridcell_tenant_community")]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        super().clean()
        if self.community_id and self.tenant_id and self.community.tenant_id != self.tenant_id:
            raise ValidationError({"community": _("The community belongs to another station.")})
        check_within(
            self.boundary, self.community.boundary if self.community_id else None, _("the community")
        )


class Role(models.TextChoices):
    VOLUNTEER = "volunteer", _("Volunteer")
    TEAM_LEADER = "team_leader", _("Team leader")
    GRID_WORKER = "grid_worker", _("Grid worker")
    OFFICER = "officer", _("Community police officer")
    CHIEF = "chief", _("Station chief")
    BUREAU_VIEWER = "bureau_viewer", _("Bureau viewer")


class Membership(TenantOwned):
    """Gives a (global) user roles in one tenant."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    roles = ArrayField(
        models.CharField(max_length=20, choices=Role.choices), verbose_name=_("roles"), default=list
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "user"],
                name="membership_unique_user_per_tenant",
                violation_error_message=_("This person is already a member of the station."),
            ),
        ]

    def __str__(self):
        return f"{self.user} @ {self.tenant_id}: {', '.join(self.roles)}"

    def get_roles_display(self):
        labels = dict(Role.choices)
        return [labels.get(r, r) for r in self.roles]


class StationSummary(TenantOwned):
    """The weekly station summary of one week (Monday to Sunday in the station's time zone), built
    once after the week (``tenancy.summaries``) and kept as it was: ``content`` holds the week's
    figures with the week before and the change, and the rows of each section, frozen as JSON, so
    the archive never changes when the rows behind it do. One per station and week: the unique key
    decides, when two beats or a retried task build it together, which one was first."""

    week_start = models.DateField(_("week from"))
    created_at = models.DateTimeField(_("built"), auto_now_add=True)
    content = models.JSONField(_("content"), default=dict)

    class Meta:
        verbose_name = _("weekly summary")
        verbose_name_plural = _("weekly summaries")
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "week_start"], name="stationsummary_once_per_week"),
        ]

    def __str__(self):
        return f"{self.tenant_id}: {self.week_start.isoformat()}"
