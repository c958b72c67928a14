"""Volunteers: their application, classification, availability and background group."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jointdefense.core.models import TenantOwned

from ..validators import validate_id_number, validate_phone


class BackgroundGroup(TenantOwned):
    """Where a volunteer comes from (residents, delivery riders, security guards, …): a list each
    station keeps for itself; new stations start with the groups the field reports name."""

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("short name"), max_length=40)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("background group")
        verbose_name_plural = _("background groups")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "slug"], name="bggroup_unique_slug_per_tenant")
        ]

    def __str__(self):
        return self.name


DEFAULT_BACKGROUND_GROUPS = [
    ("residents", _("Residents")),
    ("property-owners", _("Property owners")),
    ("security-guards", _("Compound security guards")),
    ("grid-workers", _("Grid workers")),
    ("parking-attendants", _("Parking attendants")),
    ("delivery-riders", _("Delivery riders")),
    ("taxi-drivers", _("Taxi drivers")),
    ("sanitation-workers", _("Sanitation workers")),
    ("retirees", _("Retirees")),
    ("students", _("Students")),
    ("enterprise-staff", _("Enterprise staff")),
]


class VolunteerRole(models.TextChoices):
    """Classification: what a volunteer is asked to do."""

    PUBLICITY = "publicity", _("Safety publicity")
    MEDIATION = "mediation", _("Dispute mediation")
    INFO_COLLECTION = "info_collection", _("Information collection")
    GRID = "grid", _("Grid management")
    PATROL = "patrol", _("Patrol")
    TRAINER = "trainer", _("Trainer")


class Specialty(models.TextChoices):
    FIRST_AID = "first_aid", _("First aid")
    FIRE_SAFETY = "fire_safety", _("Fire safety")
    MEDIATION = "mediation", _("Mediation experience")
    LEGAL = "legal", _("Legal knowledge")
    DRIVING = "driving", _("Driving licence")
    LANGUAGES = "languages", _("Foreign or minority languages")
    SIGN_LANGUAGE = "sign_language", _("Sign language")
    IT = "it", _("Computers and phones")
    PHOTOGRAPHY = "photography", _("Photography and video")
    ELECTRICAL = "electrical", _("Electrical work")


WEEKDAYS = [
    ("mon", _("Monday")),
    ("tue", _("Tuesday")),
    ("wed", _("Wednesday")),
    ("thu", _("Thursday")),
    ("fri", _("Friday")),
    ("sat", _("Saturday")),
    ("sun", _("Sunday")),
]
DAYPARTS = [
    ("morning", _("Morning")),
    ("afternoon", _("Afternoon")),
    ("evening", _("Evening")),
    ("night", _("Night")),
]
AVAILABILITY_SLOTS = [f"{d}_{p}" for d, _l in WEEKDAYS for p, _m in DAYPARTS]


class Volunteer(TenantOwned):
    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        UNDER_REVIEW = "under_review", _("Under review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        RETIRED = "retired", _("Retired")

    # statuses that need a recorded background review (the 100% rule)
    REVIEWED_STATUSES = (Status.APPROVED, Status.ACTIVE, Status.SUSPENDED)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="volunteerings",
    )
    full_name = models.CharField(_("full name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=30, validators=[validate_phone])
    id_number = models.CharField(_("ID number"), max_length=30, validators=[validate_id_number])
    home_community = models.ForeignKey(
        "tenancy.Community",
        verbose_name=_("home community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    background_group = models.ForeignKey(
        BackgroundGroup,
        verbose_name=_("background"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    specialties = ArrayField(
        models.CharField(max_length=20, choices=Specialty.choices),
        verbose_name=_("specialties"),
        default=list,
        blank=True,
    )
    availability = ArrayField(
        models.CharField(max_length=16),
        verbose_name=_("availability"),
        default=list,
        blank=True,
        help_text=_("Weekday and time of day, for example “sat_morning”."),
    )
    roles = ArrayField(
        models.CharField(max_length=20, choices=VolunteerRole.choices),
        verbose_name=_("roles"),
        default=list,
        blank=True,
    )
    emergency_contact_name = models.CharField(_("emergency contact"), max_length=100)
    emergency_contact_phone = models.CharField(
        _("emergency contact phone"), max_length=30, validators=[validate_phone]
    )
    consented_to_review_at = models.DateTimeField(_("consented to background review"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.APPLIED)
    background_review = models.ForeignKey(
        "BackgroundReview",
        verbose_name=_("background review"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    applied_at = models.DateTimeField(_("applied"), default=timezone.now, editable=False)
    activated_at = models.DateTimeField(_("active since"), null=True, blank=True)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "user"],
                name="volunteer_one_per_user_per_tenant",
                violation_error_message=_("This person has already applied to volunteer at this station."),
            ),
            models.UniqueConstraint(
                fields=["tenant", "phone"],
                name="volunteer_unique_phone_per_tenant",
                violation_error_message=_("A volunteer with this phone number is already registered here."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "active", "suspended"])
                | Q(background_review__isnull=False),
                name="volunteer_reviewed_before_approval",
                violation_error_message=_(
                    "No volunteer is approved or active without a recorded background review."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "full_name"], name="volunteer_tenant_status"),
            models.Index(fields=["tenant", "home_community"], name="volunteer_tenant_community"),
            models.Index(fields=["tenant", "background_review"], name="volunteer_tenant_review"),
            models.Index(fields=["tenant", "background_group"], name="volunteer_tenant_group"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def masked_id_number(self):
        return mask_id_number(self.id_number)

    def get_roles_display(self):
        labels = dict(VolunteerRole.choices)
        return [labels.get(r, r) for r in self.roles]

    def get_specialties_display(self):
        labels = dict(Specialty.choices)
        return [labels.get(s, s) for s in self.specialties]


def mask_id_number(value: str) -> str:
    """Show the first 4 and last 2 characters: 4101************1X."""
    if len(value) <= 6:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 6) + value[-2:]
