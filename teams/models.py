"""Volunteers, their screening, teams, and reward points.

Screening: applied → under review → (background review recorded) → approved → active, or rejected
with a reason; active ⇄ suspended; active/suspended → retired. No volunteer is approved or active
without a recorded background review (the programme's 100% rule): services refuse it, and a
database constraint refuses it for any other writer too.

Points are an append-only ledger: awards, redemptions and reversing corrections. Entries are never
changed or deleted (a database trigger refuses it); a balance is the sum of a volunteer's entries.
Every entry carries an idempotency key unique in its station, so a repeated award happens once.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jointdefense.core.models import TenantOwned

from .validators import validate_id_number, validate_phone


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


class ImportJob(TenantOwned):
    """A checked CSV roster waiting for (or done by) the workers: imports of thousands of rows go
    through the services row by row, which takes longer than a web request may."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Nothing imported")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    csv_text = models.TextField(blank=True, help_text="the checked file; emptied once imported")
    total = models.PositiveIntegerField(_("rows"))
    imported = models.PositiveIntegerField(_("imported"), default=0)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("volunteer import")
        verbose_name_plural = _("volunteer imports")
        indexes = [models.Index(fields=["tenant", "-created_at"], name="importjob_tenant_created")]
