"""Patrols: routes with checkpoints on three tiers, recurring schedules that generate shifts in the
station's time zone, sign-ups, the patrols actually walked and their check-ins.

Proof that a patrol happened is its check-ins: patrol hours are derived from them, never typed in.
A check-in that breaks a rule (outside the geofence or the shift window, an impossible sequence) is
kept with its flags and waits for an officer; flagged check-ins award no points until cleared.
"""

import secrets

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jointdefense.core.models import TenantOwned


class Tier(models.TextChoices):
    """The three tiers of patrol the field reports describe."""

    BRIGADE = "brigade", _("Station patrol brigade")
    COMMUNITY = "community", _("Community patrol")
    COMPOUND = "compound", _("Compound security")


def new_qr_token():
    return secrets.token_urlsafe(16)


class Route(TenantOwned):
    """A line walked or ridden on patrol: a key road segment, a community loop or a compound round."""

    name = models.CharField(_("name"), max_length=100)
    tier = models.CharField(_("tier"), max_length=12, choices=Tier.choices)
    community = models.ForeignKey(
        "tenancy.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    path = models.LineStringField(_("route"), srid=4326)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("patrol route")
        verbose_name_plural = _("patrol routes")
        ordering = ["tier", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "name"],
                name="route_unique_name_per_tenant",
                violation_error_message=_("This station already has a route with this name."),
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "tier", "name"], name="route_tenant_tier"),
            models.Index(fields=["tenant", "community"], name="route_tenant_community"),
        ]

    def __str__(self):
        return self.name


class Checkpoint(TenantOwned):
    """A point on a route where a patroller checks in by scanning its QR code."""

    route = models.ForeignKey(
        Route, verbose_name=_("route"), on_delete=models.CASCADE, related_name="checkpoints", db_index=False
    )
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("order on the route"))
    location = models.PointField(_("location"), srid=4326)
    radius_m = models.PositiveSmallIntegerField(
        _("geofence radius (m)"),
        default=50,
        help_text=_("A check-in farther than this from the checkpoint is flagged."),
    )
    # the QR code opens /s/<station>/patrols/check-in/<qr_token>/; unguessable, so a printed code
    # cannot be derived from another one
    qr_token = models.CharField(_("QR token"), max_length=32, default=new_qr_token, editable=False)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["route", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "route", "position"],
                name="checkpoint_unique_position",
                violation_error_message=_("Another checkpoint of this route has this place in the order."),
            ),
            models.UniqueConstraint(fields=["tenant", "qr_token"], name="checkpoint_unique_qr_token"),
            models.CheckConstraint(condition=Q(radius_m__gte=5), name="checkpoint_radius_at_least_5m"),
        ]

    def __str__(self):
        return f"{self.route} · {self.position}. {self.name}"


class Schedule(TenantOwned):
    """A recurring pattern that generates shifts: every day, on chosen weekdays, or a rotation in
    which consecutive shifts go to the schedule's teams in turn ("four teams, three rotations":
    three 8-hour shifts a day from 08:00, four teams)."""

    class Kind(models.TextChoices):
        DAILY = "daily", _("Every day")
        WEEKLY = "weekly", _("On chosen weekdays")
        ROTATION = "rotation", _("Round the clock, teams in rotation")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("repeats"), max_length=10, choices=Kind.choices)
    route = models.ForeignKey(
        Route, verbose_name=_("route"), on_delete=models.PROTECT, related_name="schedules", db_index=False
    )
    # local wall-clock time in the station's time zone
    start_time = models.TimeField(_("first shift starts"))
    duration_minutes = models.PositiveSmallIntegerField(_("shift length (minutes)"))
    shifts_per_day = models.PositiveSmallIntegerField(
        _("shifts a day"), default=1, help_text=_("Back-to-back shifts each day, from the start time.")
    )
    # ISO weekdays, 1 = Monday … 7 = Sunday; used by weekly schedules
    weekdays = ArrayField(
        models.PositiveSmallIntegerField(), verbose_name=_("weekdays"), default=list, blank=True
    )
    headcount = models.PositiveSmallIntegerField(_("people needed"), default=2)
    # daily and weekly schedules: the one team responsible (optional); rotations: ScheduleTeam order
    team = models.ForeignKey(
        "teams.Team",
        verbose_name=_("team responsible"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("shift schedule")
        verbose_name_plural = _("shift schedules")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="schedule_unique_name_per_tenant"),
            models.CheckConstraint(condition=Q(duration_minutes__gte=15), name="schedule_duration_min"),
            models.CheckConstraint(
                condition=Q(shifts_per_day__gte=1) & Q(headcount__gte=1), name="schedule_counts_positive"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="schedule_valid_range",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "route"], name="schedule_tenant_route")]

    def __str__(self):
        return self.name


class ScheduleTeam(TenantOwned):
    """The teams of a rotation, in turn order."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="rotation", db_index=False)
    team = models.ForeignKey("teams.Team", on_delete=models.PROTECT, related_name="+", db_index=False)
    position = models.PositiveSmallIntegerField(_("turn"))

    class Meta:
        ordering = ["schedule", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "schedule", "position"], name="scheduleteam_unique_turn"
            ),
            models.UniqueConstraint(fields=["tenant", "schedule", "team"], name="scheduleteam_unique_team"),
        ]


class Shift(TenantOwned):
    """One shift on a route: generated from a schedule (at most once per schedule and start) or
    created by an officer. Times are stored in UTC and shown in the station's time zone."""

    schedule = models.ForeignKey(
        Schedule,
        verbose_name=_("schedule"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shifts",
        db_index=False,
    )
    route = models.ForeignKey(
        Route, verbose_name=_("route"), on_delete=models.PROTECT, related_name="shifts", db_index=False
    )
    team = models.ForeignKey(
        "teams.Team",
        verbose_name=_("team responsible"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    headcount = models.PositiveSmallIntegerField(_("people needed"))
    is_cancelled = models.BooleanField(_("cancelled"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "schedule", "starts_at"],
                condition=Q(schedule__isnull=False),
                name="shift_once_per_schedule_start",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start"),
        ]
        indexes = [
            models.Index(fields=["tenant", "starts_at"], name="shift_tenant_starts"),
            models.Index(fields=["tenant", "ends_at"], name="shift_tenant_ends"),
            models.Index(fields=["tenant", "route", "starts_at"], name="shift_tenant_route_starts"),
            models.Index(fields=["tenant", "team", "starts_at"], name="shift_tenant_team_starts"),
        ]

    def __str__(self):
        return f"{self.route} {self.starts_at:%Y-%m-%d %H:%M}"


class Signup(TenantOwned):
    """A volunteer on a shift: signed up themselves, or assigned by an officer (alone or with
    their team). Withdrawing keeps the row, so reminders and the history stay exact."""

    class Source(models.TextChoices):
        SELF = "self", _("Signed up")
        OFFICER = "officer", _("Assigned by an officer")
        TEAM = "team", _("Assigned with the team")

    shift = models.ForeignKey(
        Shift, verbose_name=_("shift"), on_delete=models.CASCADE, related_name="signups", db_index=False
    )
    volunteer = models.ForeignKey(
        "teams.Volunteer",
        verbose_name=_("volunteer"),
        on_delete=models.CASCADE,
        related_name="shift_signups",
        db_index=False,
    )
    source = models.CharField(_("how"), max_length=10, choices=Source.choices, default=Source.SELF)
    created_at = models.DateTimeField(_("signed up"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrew"), null=True, blank=True)

    class Meta:
        verbose_name = _("shift sign-up")
        verbose_name_plural = _("shift sign-ups")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "shift", "volunteer"], name="signup_once_per_shift"),
        ]
        indexes = [models.Index(fields=["tenant", "volunteer", "shift"], name="signup_tenant_volunteer")]

    @property
    def is_active(self):
        return self.withdrawn_at is None


class Patrol(TenantOwned):
    """A patrol walked: started by a volunteer for a shift (or on a route without one), ended by them."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("On patrol")
        ENDED = "ended", _("Ended")

    shift = models.ForeignKey(
        Shift,
        verbose_name=_("shift"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patrols",
        db_index=False,
    )
    route = models.ForeignKey(
        Route, verbose_name=_("route"), on_delete=models.PROTECT, related_name="patrols", db_index=False
    )
    volunteer = models.ForeignKey(
        "teams.Volunteer",
        verbose_name=_("volunteer"),
        on_delete=models.PROTECT,
        related_name="patrols",
        db_index=False,
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # the route's checkpoints in use when the patrol started (set by ``patrol_start``): what
    # checkpoint compliance counts against, so a route edited later leaves the patrol's figure be
    checkpoints_planned = models.PositiveSmallIntegerField(_("checkpoints planned"), default=0)
    # denormalised from the check-ins when the patrol ends or a flag is cleared (selectors derive it)
    last_check_in_at = models.DateTimeField(_("last check-in"), null=True, blank=True)

    class Meta:
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "shift", "volunteer"],
                condition=Q(shift__isnull=False),
                name="patrol_once_per_shift_and_volunteer",
                violation_error_message=_("You have already started a patrol for this shift."),
            ),
            models.UniqueConstraint(
                fields=["tenant", "volunteer"],
                condition=Q(status="active"),
                name="patrol_one_active_per_volunteer",
                violation_error_message=_("You are already on patrol: end that patrol first."),
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "started_at"], name="patrol_tenant_status"),
            models.Index(fields=["tenant", "volunteer", "started_at"], name="patrol_tenant_volunteer"),
            models.Index(fields=["tenant", "shift"], name="patrol_tenant_shift"),
        ]


class CheckInFlag(models.TextChoices):
    OUTSIDE_RADIUS = "outside_radius", _("Outside the checkpoint's radius")
    OUTSIDE_WINDOW = "outside_window", _("Outside the shift's hours")
    TOO_FAST = "too_fast", _("Faster than a person can move from the previous checkpoint")
    REPEATED = "repeated", _("Same checkpoint again")
    NO_LOCATION = "no_location", _("No location from the phone")
    OTHER_ROUTE = "other_route", _("Checkpoint of another route")
    DEVICE_CLOCK = "device_clock", _("The phone's time cannot be believed")


class CheckIn(TenantOwned):
    """A check-in at a checkpoint, sent at once or later from the phone's offline queue
    (``client_id`` makes a resend harmless; ``device_time`` is when it happened on the phone,
    ``received_at`` when the server got it)."""

    class Review(models.TextChoices):
        OK = "ok", _("In order")
        FLAGGED = "flagged", _("Flagged for an officer")
        CLEARED = "cleared", _("Cleared by an officer")
        REJECTED = "rejected", _("Rejected by an officer")

    patrol = models.ForeignKey(
        Patrol, verbose_name=_("patrol"), on_delete=models.CASCADE, related_name="check_ins", db_index=False
    )
    checkpoint = models.ForeignKey(
        Checkpoint, verbose_name=_("checkpoint"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    client_id = models.UUIDField(_("client id"))
    location = models.PointField(_("reported location"), srid=4326, null=True, blank=True)
    accuracy_m = models.FloatField(_("accuracy (m)"), null=True, blank=True)
    distance_m = models.FloatField(_("distance from the checkpoint (m)"), null=True, blank=True)
    device_time = models.DateTimeField(_("time on the phone"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    flags = ArrayField(
        models.CharField(max_length=20, choices=CheckInFlag.choices),
        verbose_name=_("flags"),
        default=list,
        blank=True,
    )
    flag_details = models.TextField(_("why flagged"), blank=True)
    review = models.CharField(_("review"), max_length=10, choices=Review.choices, default=Review.OK)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["device_time"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "client_id"], name="checkin_unique_client_id"),
        ]
        indexes = [
            models.Index(fields=["tenant", "patrol", "device_time"], name="checkin_tenant_patrol"),
            models.Index(fields=["tenant", "review", "received_at"], name="checkin_tenant_review"),
        ]

    @property
    def counts(self):
        """Counts towards hours and points: in order, or cleared by an officer."""
        return self.review in (self.Review.OK, self.Review.CLEARED)


class PatrolPhoto(TenantOwned):
    """A photo taken on patrol, re-encoded without metadata (core.photos)."""

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="photos", db_index=False)
    image = models.ImageField(_("photo"), upload_to="patrols/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("taken"), default=timezone.now)

    class Meta:
        verbose_name = _("patrol photo")
        verbose_name_plural = _("patrol photos")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["tenant", "patrol"], name="patrolphoto_tenant_patrol")]
