"""Reports from residents and volunteers: incidents, hazards and clues, followed by a tracking code.

Privacy: the exact point and the reporter's contact are for the officers handling the case;
public views use ``public_location`` (snapped to a grid of about 100 m) and never the contact.
"""

import secrets

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jointdefense.core.models import TenantOwned


class Category(TenantOwned):
    """What a resident can report; each station keeps its own list (Open311 services)."""

    class Kind(models.TextChoices):
        INCIDENT = "incident", _("Incident")
        HAZARD = "hazard", _("Hazard")
        CLUE = "clue", _("Clue")

    slug = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("report category")
        verbose_name_plural = _("report categories")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "slug"], name="category_unique_slug_per_tenant")
        ]

    def __str__(self):
        return self.name


DEFAULT_CATEGORIES = [
    ("theft", _("Theft"), "incident", _("Something was stolen, or someone is trying to steal.")),
    ("fraud", _("Fraud"), "incident", _("Phone, online or door-to-door fraud, or an attempt.")),
    (
        "hazard",
        _("Safety hazard"),
        "hazard",
        _("Broken lights, open manholes, blocked fire exits, loose cables."),
    ),
    ("dispute", _("Dispute"), "incident", _("A quarrel between neighbours, with a landlord or a shop.")),
    ("suspicious", _("Suspicious activity or clue"), "clue", _("Something the police should know.")),
    (
        "fire",
        _("Fire and safety"),
        "hazard",
        _("Fire risks: e-bikes charging indoors, gas smells, piled rubbish."),
    ),
    ("other", _("Other"), "incident", _("Anything else for the community police.")),
]


def new_public_id() -> str:
    """A report's public id: random, unrelated to its tracking code."""
    return secrets.token_hex(5)


class Report(TenantOwned):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        TRIAGED = "triaged", _("Triaged")
        ASSIGNED = "assigned", _("Assigned")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")
        REJECTED = "rejected", _("Rejected")
        MERGED = "merged", _("Joined to another report")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    class Source(models.TextChoices):
        WEB = "web", _("Report page")
        VOLUNTEER = "volunteer", _("Volunteer")
        OPEN311 = "open311", _("Open311 client")

    # the reporter's secret: opens the tracking page (photos, adding information, the rating)
    tracking_code = models.CharField(_("tracking code"), max_length=16)
    # what the public sees instead (Open311's service_request_id, public maps): it opens nothing
    public_id = models.CharField(_("public id"), max_length=12, default=new_public_id, editable=False)
    public_note = models.CharField(
        _("public status note"),
        max_length=500,
        blank=True,
        help_text=_("Shown to everyone with the report's status (Open311): never the reporter's details."),
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    description = models.TextField(_("what happened"), max_length=2000)
    location = models.PointField(_("location"), srid=4326)
    public_location = models.PointField(_("public location"), srid=4326)
    community = models.ForeignKey(
        "tenancy.Community",
        verbose_name=_("community"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    grid_cell = models.ForeignKey(
        "tenancy.GridCell",
        verbose_name=_("grid cell"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.WEB)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    anonymous = models.BooleanField(_("anonymous to the police"), default=False)
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_erased_at = models.DateTimeField(_("contact erased"), null=True, blank=True)
    assigned_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_team = models.ForeignKey(
        "teams.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    assigned_grid_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("grid worker"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    # a report of the same incident as another one: filed as "add to this report" on the report
    # page, or merged by an officer; it follows the other report's public timeline from then on
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("joined to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        db_index=False,
    )
    clue_value = models.CharField(
        _("value of the clue"),
        max_length=12,
        blank=True,
        choices=[("valuable", _("Valuable clue")), ("case", _("Helped solve a case"))],
    )
    created_at = models.DateTimeField(_("reported"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "tracking_code"], name="report_unique_tracking_code"),
            models.UniqueConstraint(fields=["tenant", "public_id"], name="report_unique_public_id"),
            models.CheckConstraint(
                condition=models.Q(status="merged", duplicate_of__isnull=False)
                | (~models.Q(status="merged") & models.Q(duplicate_of__isnull=True)),
                name="report_merged_has_primary",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "-created_at"], name="report_tenant_status"),
            models.Index(fields=["tenant", "category", "-created_at"], name="report_tenant_category"),
            models.Index(fields=["tenant", "-created_at"], name="report_tenant_created"),
            models.Index(fields=["tenant", "duplicate_of"], name="report_tenant_duplicate_of"),
        ]

    def __str__(self):
        return f"{self.tracking_code} {self.category}"

    @property
    def has_contact(self):
        return bool(self.contact_name or self.contact_phone or self.contact_email)


class ReportPhoto(TenantOwned):
    """A photo, re-encoded on upload: no metadata survives (EXIF GPS would identify the reporter).

    Served only through ``incidents:photo`` (views.photos), to the reporter, the station's officers,
    and, once an officer marked it ``public``, to everyone (Open311's ``media_url``)."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="photos", db_index=False
    )
    image = models.ImageField(_("photo"), upload_to="reports/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    from_reporter = models.BooleanField(default=True)
    public = models.BooleanField(
        _("public"), default=False, help_text=_("Shown with the report on public views such as Open311.")
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["tenant", "report"], name="reportphoto_tenant_report")]


class ReportEvent(TenantOwned):
    """The report's timeline. Public events show on the tracking page; the others stay internal."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Reported")
        STATUS = "status", _("Status changed")
        PUBLIC_UPDATE = "public_update", _("Update from the police")
        INTERNAL_NOTE = "internal_note", _("Internal note")
        REPORTER_INFO = "reporter_info", _("More information from the reporter")
        MERGED = "merged", _("Same incident reported again")

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="events", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    public = models.BooleanField(_("public"), default=False)
    text = models.TextField(_("text"), blank=True, max_length=2000)
    from_status = models.CharField(max_length=12, choices=Report.Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Report.Status.choices, blank=True)
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
        verbose_name = _("report event")
        verbose_name_plural = _("report events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["tenant", "report", "created_at"], name="reportevent_tenant_report")]


class ContactAccess(TenantOwned):
    """Every time someone is shown a reporter's contact: who, when, which report."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+", db_index=False)
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    viewed_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("contact view")
        verbose_name_plural = _("contact views")
        indexes = [
            models.Index(fields=["tenant", "report", "-viewed_at"], name="contactaccess_tenant_report")
        ]


class ReturnVisit(TenantOwned):
    """After a case is resolved the resident is visited; an unsatisfied resident is visited again one
    level up: the officer, then the station chief, then the bureau."""

    class Level(models.TextChoices):
        OFFICER = "officer", _("Officer or grid worker")
        CHIEF = "chief", _("Station chief")
        BUREAU = "bureau", _("Bureau")

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        UNSATISFIED = "unsatisfied", _("Not satisfied")

    report = models.ForeignKey(
        Report,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="return_visits",
        db_index=False,
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visitor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    due_at = models.DateTimeField(_("due"))
    visited_at = models.DateTimeField(_("visited"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    rating = models.CharField(_("resident's rating"), max_length=12, choices=Rating.choices, blank=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)
    due_soon_alert_sent_at = models.DateTimeField(null=True, blank=True)
    overdue_alert_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "report", "level"], name="returnvisit_one_per_level"),
        ]
        indexes = [models.Index(fields=["tenant", "visited_at", "due_at"], name="returnvisit_tenant_due")]

    def __str__(self):
        return f"{self.report} {self.level}"


# ---- dispute mediation (人民调解) ------------------------------------------------------------------------


class Mediation(TenantOwned):
    """A dispute mediated by a community officer or a mediation volunteer: parties, sessions and
    an outcome. Once the outcome is recorded the mediation is closed for good."""

    class Kind(models.TextChoices):
        NEIGHBOURS = "neighbours", _("Neighbours")
        LANDLORD_TENANT = "landlord_tenant", _("Landlord and tenant")
        FAMILY = "family", _("Family")
        CONSUMER = "consumer", _("Consumer or shop")
        PROPERTY = "property", _("Property management")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SETTLED = "settled", _("Settled")
        PARTLY_SETTLED = "partly_settled", _("Partly settled")
        NOT_SETTLED = "not_settled", _("Not settled")
        REFERRED = "referred", _("Referred to a court or agency")

    # outcomes that count as a dispute settled (on the dashboards, and for a volunteer's points)
    SETTLED_STATUSES = (Status.SETTLED, Status.PARTLY_SETTLED)

    report = models.ForeignKey(
        Report,
        verbose_name=_("report"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mediations",
        db_index=False,
    )
    community = models.ForeignKey(
        "tenancy.Community",
        verbose_name=_("community"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    kind = models.CharField(_("kind of dispute"), max_length=16, choices=Kind.choices)
    summary = models.TextField(_("what the dispute is about"), max_length=2000)
    mediator_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mediating officer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    mediator_volunteer = models.ForeignKey(
        "teams.Volunteer",
        verbose_name=_("mediating volunteer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    outcome = models.TextField(_("outcome"), blank=True, max_length=2000)
    agreement = models.TextField(_("agreement"), blank=True, max_length=4000)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("mediation")
        verbose_name_plural = _("mediations")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mediator_officer__isnull=False, mediator_volunteer__isnull=True)
                | Q(mediator_officer__isnull=True, mediator_volunteer__isnull=False),
                name="mediation_exactly_one_mediator",
                violation_error_message=_("Choose one mediator: an officer or a mediation volunteer."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["settled", "partly_settled"]) | ~Q(agreement=""),
                name="mediation_settled_has_agreement",
                violation_error_message=_("A settled dispute needs the text of the agreement."),
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | (~Q(status="open") & Q(closed_at__isnull=False)),
                name="mediation_closed_when_outcome",
                violation_error_message=_("A mediation is closed exactly when its outcome is recorded."),
            ),
            models.UniqueConstraint(
                fields=["tenant", "report"],
                condition=Q(report__isnull=False),
                name="mediation_one_per_report",
                violation_error_message=_("This report already has a mediation."),
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "-opened_at"], name="mediation_tenant_status"),
            models.Index(fields=["tenant", "-opened_at"], name="mediation_tenant_opened"),
            models.Index(fields=["tenant", "closed_at"], name="mediation_tenant_closed"),
            models.Index(fields=["tenant", "mediator_volunteer"], name="mediation_tenant_volunteer"),
            models.Index(fields=["tenant", "mediator_officer"], name="mediation_tenant_officer"),
            models.Index(fields=["tenant", "community"], name="mediation_tenant_community"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    @property
    def mediator_name(self):
        if self.mediator_volunteer_id:
            return self.mediator_volunteer.full_name
        return self.mediator_officer.display_name if self.mediator_officer_id else ""


class MediationParty(TenantOwned):
    """A party to the dispute. Personal data: shown only to the station's staff and the mediator."""

    class Role(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        RESPONDENT = "respondent", _("Respondent")
        OTHER = "other", _("Other party")

    mediation = models.ForeignKey(
        Mediation,
        verbose_name=_("mediation"),
        on_delete=models.CASCADE,
        related_name="parties",
        db_index=False,
    )
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role in the dispute"), max_length=12, choices=Role.choices)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["pk"]
        indexes = [models.Index(fields=["tenant", "mediation"], name="mediationparty_tenant_med")]

    def __str__(self):
        return self.name


class MediationSession(TenantOwned):
    mediation = models.ForeignKey(
        Mediation,
        verbose_name=_("mediation"),
        on_delete=models.CASCADE,
        related_name="sessions",
        db_index=False,
    )
    held_at = models.DateTimeField(_("held"))
    place = models.CharField(_("place"), max_length=200)
    attendees = models.CharField(_("who attended"), max_length=500, blank=True)
    notes = models.TextField(_("notes"), max_length=4000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["held_at", "pk"]
        indexes = [
            models.Index(fields=["tenant", "mediation", "held_at"], name="mediationsession_tenant_med")
        ]
