"""Training: courses (with what they include and who needs them), sessions with enrolments and a
waiting list, attendance and results, online quizzes, and the certificates that gate duty.

A certificate is the one proof of training the gates read (``training.selectors.qualifications``):
it is issued when an enrolment is passed or a quiz attempt passes, expires after the course's
validity (or never), and may be revoked, recording who and why. Passing a course also counts for
every course it includes, transitively (``CourseInclusion``; cycles are refused by the service).

Times are stored in UTC and shown in the station's time zone, like shifts.
"""

import datetime
import secrets

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jointdefense.core.models import TenantOwned
from teams.models import Team, VolunteerRole


def new_code() -> str:
    """An unguessable code for QR check-ins and certificate verification (128 bits)."""
    return secrets.token_urlsafe(16)


class Topic(models.TextChoices):
    """The subjects the field reports name for pre-job and regular training."""

    PRACTICAL_SKILLS = "practical_skills", _("Practical skills")
    INFO_COLLECTION = "info_collection", _("Information collection")
    CONFLICT_RESOLUTION = "conflict_resolution", _("Conflict resolution")
    HOME_VISITS = "home_visits", _("Home visits")
    SECURITY_PATROL = "security_patrol", _("Security patrol")
    SAFETY_INSPECTION = "safety_inspection", _("Safety inspection")
    DISCIPLINE = "discipline", _("Discipline and conduct")
    FIRST_AID = "first_aid", _("First aid")
    OTHER = "other", _("Other")


class Course(TenantOwned):
    """What is taught and how it is assessed; sessions are its dates."""

    class Kind(models.TextChoices):
        PRE_JOB = "pre_job", _("Pre-job training")
        REGULAR = "regular", _("Regular training")

    class Assessment(models.TextChoices):
        ATTENDANCE = "attendance", _("Attendance only")
        PASS_FAIL = "pass_fail", _("Pass or fail")
        SCORE = "score", _("Score with a pass mark")
        QUIZ = "quiz", _("Online quiz")

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    topic = models.CharField(_("topic"), max_length=30, choices=Topic.choices)
    description = models.TextField(_("description"), blank=True)
    required_for_roles = ArrayField(
        models.CharField(max_length=20, choices=VolunteerRole.choices),
        verbose_name=_("required for volunteer roles"),
        default=list,
        blank=True,
        help_text=_("Volunteers with any of these roles need a valid certificate of this course."),
    )
    required_for_team_types = ArrayField(
        models.CharField(max_length=20, choices=Team.Type.choices),
        verbose_name=_("required for team types"),
        default=list,
        blank=True,
        help_text=_("Members of teams of these types need a valid certificate of this course."),
    )
    assessment = models.CharField(
        _("assessment"), max_length=12, choices=Assessment.choices, default=Assessment.ATTENDANCE
    )
    max_score = models.PositiveSmallIntegerField(
        _("highest score"), default=100, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    # for SCORE: out of max_score; for QUIZ: a percentage of the questions answered right
    pass_mark = models.PositiveSmallIntegerField(_("pass mark"), null=True, blank=True)
    quiz_attempts = models.PositiveSmallIntegerField(
        _("quiz attempts allowed"), default=3, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    valid_months = models.PositiveSmallIntegerField(
        _("certificate valid for (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_("Leave empty for a certificate that never expires."),
    )
    includes = models.ManyToManyField(
        "self",
        verbose_name=_("includes"),
        symmetrical=False,
        through="CourseInclusion",
        related_name="included_in",
        blank=True,
        help_text=_("Passing this course also counts as passing these."),
    )
    is_active = models.BooleanField(_("offered"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "name"],
                name="course_unique_name_per_tenant",
                violation_error_message=_("The station already has a course with this name."),
            ),
            models.CheckConstraint(
                condition=~Q(assessment__in=["score", "quiz"]) | Q(pass_mark__isnull=False),
                name="course_scored_has_pass_mark",
                violation_error_message=_("A scored course or a quiz needs a pass mark."),
            ),
            models.CheckConstraint(
                condition=Q(pass_mark__isnull=True)
                | (Q(assessment="quiz") & Q(pass_mark__lte=100))
                | (~Q(assessment="quiz") & Q(pass_mark__lte=F("max_score"))),
                name="course_pass_mark_within_scale",
                violation_error_message=_("The pass mark must be within the scale."),
            ),
        ]
        indexes = [models.Index(fields=["tenant", "is_active", "kind"], name="course_tenant_active")]

    def __str__(self):
        return self.name

    @property
    def is_quiz(self) -> bool:
        return self.assessment == self.Assessment.QUIZ


class CourseInclusion(TenantOwned):
    """``course`` includes ``included``: a certificate of the first also counts for the second."""

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    included = models.ForeignKey(
        Course, verbose_name=_("included course"), on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("course inclusion")
        verbose_name_plural = _("course inclusions")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "course", "included"], name="courseinclusion_once"),
            models.CheckConstraint(
                condition=~Q(course=F("included")),
                name="courseinclusion_not_itself",
                violation_error_message=_("A course cannot include itself."),
            ),
        ]
        indexes = [models.Index(fields=["tenant", "included"], name="courseincl_tenant_included")]


class QuizQuestion(TenantOwned):
    """A multiple-choice question of a quiz course; one or more of its choices are right."""

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="questions", db_index=False
    )
    position = models.PositiveSmallIntegerField(_("order"))
    text = models.TextField(_("question"))

    class Meta:
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")
        ordering = ["course", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "course", "position"],
                name="quizquestion_unique_position",
                violation_error_message=_("Another question of this quiz has this place in the order."),
            )
        ]

    def __str__(self):
        return self.text[:60]


class QuizChoice(TenantOwned):
    question = models.ForeignKey(
        QuizQuestion,
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        related_name="choices",
        db_index=False,
    )
    position = models.PositiveSmallIntegerField(_("order"))
    text = models.CharField(_("answer"), max_length=300)
    is_correct = models.BooleanField(_("right answer"), default=False)

    class Meta:
        verbose_name = _("quiz answer")
        verbose_name_plural = _("quiz answers")
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "question", "position"], name="quizchoice_unique_position"
            )
        ]

    def __str__(self):
        return self.text[:60]


class TrainingSession(TenantOwned):
    """One date of a course: a place on the map or online, a trainer, a capacity. Volunteers check
    in by scanning the session's QR code (``checkin_code``) during the session."""

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="sessions", db_index=False
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place_name = models.CharField(_("place"), max_length=150, blank=True)
    location = models.PointField(_("location"), srid=4326, null=True, blank=True)
    checkin_radius_m = models.PositiveSmallIntegerField(
        _("check-in radius (m)"), default=200, validators=[MinValueValidator(20), MaxValueValidator(5000)]
    )
    online_url = models.URLField(_("online link"), blank=True)
    # an officer of the station, or a volunteer with the trainer role (checked by the service)
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    capacity = models.PositiveSmallIntegerField(
        _("places"), validators=[MinValueValidator(1), MaxValueValidator(2000)]
    )
    checkin_code = models.CharField(_("check-in code"), max_length=32, default=new_code, editable=False)
    is_cancelled = models.BooleanField(_("cancelled"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"),
            models.CheckConstraint(
                condition=Q(location__isnull=False) | ~Q(online_url="") | ~Q(place_name=""),
                name="session_has_a_place",
                violation_error_message=_(
                    "Give the session a place on the map, a place name or an online link."
                ),
            ),
            models.UniqueConstraint(fields=["tenant", "checkin_code"], name="session_unique_checkin_code"),
        ]
        indexes = [
            models.Index(fields=["tenant", "starts_at"], name="session_tenant_starts"),
            models.Index(fields=["tenant", "course", "starts_at"], name="session_tenant_course"),
        ]

    def __str__(self):
        return f"{self.course} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_online(self) -> bool:
        return bool(self.online_url) and self.location is None


class Enrolment(TenantOwned):
    """A volunteer on a session: enrolled, or waiting for a place (in the order they asked), or
    withdrawn. Attendance and the result are recorded on the same row, once the session is held."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        WAITING = "waiting", _("On the waiting list")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Source(models.TextChoices):
        SELF = "self", _("Enrolled themselves")
        OFFICER = "officer", _("Enrolled by an officer")
        TEAM = "team", _("Enrolled with the team")

    class Attendance(models.TextChoices):
        UNRECORDED = "unrecorded", _("Not recorded")
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    class CheckInMethod(models.TextChoices):
        OFFICER = "officer", _("Recorded by an officer")
        QR = "qr", _("Scanned the session's QR code")

    class Result(models.TextChoices):
        PENDING = "pending", _("No result yet")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")

    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="enrolments",
        db_index=False,
    )
    volunteer = models.ForeignKey(
        "teams.Volunteer",
        verbose_name=_("volunteer"),
        on_delete=models.CASCADE,
        related_name="training_enrolments",
        db_index=False,
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ENROLLED)
    source = models.CharField(_("how"), max_length=10, choices=Source.choices, default=Source.SELF)
    # the waiting list is served in this order; re-asking after withdrawing goes to the back
    requested_at = models.DateTimeField(_("asked"), default=timezone.now)
    enrolled_at = models.DateTimeField(_("place given"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrew"), null=True, blank=True)
    attendance = models.CharField(
        _("attendance"), max_length=12, choices=Attendance.choices, default=Attendance.UNRECORDED
    )
    checkin_method = models.CharField(
        _("checked in"), max_length=10, choices=CheckInMethod.choices, blank=True
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, default=Result.PENDING)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "session", "volunteer"],
                name="enrolment_once_per_session",
                violation_error_message=_("This volunteer is already on this session."),
            ),
            models.CheckConstraint(
                condition=~Q(result="passed") | Q(attendance="present"),
                name="enrolment_passed_only_if_present",
                violation_error_message=_("Only a volunteer who was present can pass."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "session", "status", "requested_at"], name="enrolment_tenant_session"
            ),
            models.Index(fields=["tenant", "volunteer", "status"], name="enrolment_tenant_volunteer"),
        ]

    def __str__(self):
        return f"{self.volunteer} · {self.session}"


class QuizAttempt(TenantOwned):
    """One go at a quiz course's questions; the course says how many a volunteer has."""

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    volunteer = models.ForeignKey(
        "teams.Volunteer",
        verbose_name=_("volunteer"),
        on_delete=models.CASCADE,
        related_name="quiz_attempts",
        db_index=False,
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    # question id -> the choice ids given
    answers = models.JSONField(_("answers"), default=dict)
    score_percent = models.PositiveSmallIntegerField(_("score (%)"), validators=[MaxValueValidator(100)])
    passed = models.BooleanField(_("passed"))
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "course", "volunteer", "number"], name="quizattempt_once"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "volunteer", "course"], name="quizattempt_tenant_vol")]


class Certificate(TenantOwned):
    """Proof that a volunteer passed a course: from a passed enrolment or a passed quiz attempt.
    Valid from ``issued_at`` until ``expires_at`` (never, when empty) unless revoked. The public
    verification page is reached by ``code`` alone and shows the course, validity and name only."""

    course = models.ForeignKey(
        Course,
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="certificates",
        db_index=False,
    )
    volunteer = models.ForeignKey(
        "teams.Volunteer",
        verbose_name=_("holder"),
        on_delete=models.CASCADE,
        related_name="certificates",
        db_index=False,
    )
    # what it was issued for: one certificate per passed enrolment or passed attempt, at most
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("session passed"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    quiz_attempt = models.ForeignKey(
        QuizAttempt,
        verbose_name=_("quiz passed"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    code = models.CharField(_("verification code"), max_length=32, default=new_code, editable=False)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="certificate_unique_code"),
            models.UniqueConstraint(
                fields=["tenant", "enrolment"],
                condition=Q(enrolment__isnull=False),
                name="certificate_once_per_enrolment",
            ),
            models.UniqueConstraint(
                fields=["tenant", "quiz_attempt"],
                condition=Q(quiz_attempt__isnull=False),
                name="certificate_once_per_attempt",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=F("issued_at")),
                name="certificate_expires_after_issue",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""),
                name="certificate_revoked_with_reason",
                violation_error_message=_("Say why the certificate is revoked."),
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "volunteer", "course"], name="certificate_tenant_holder"),
            models.Index(fields=["tenant", "course", "expires_at"], name="certificate_tenant_course"),
            models.Index(fields=["tenant", "expires_at"], name="certificate_tenant_expires"),
        ]

    def __str__(self):
        return f"{self.course} · {self.volunteer}"

    def is_valid_at(self, when) -> bool:
        return (
            self.revoked_at is None
            and self.issued_at <= when
            and (self.expires_at is None or self.expires_at > when)
        )

    @property
    def is_valid(self) -> bool:
        return self.is_valid_at(timezone.now())


class ComplianceCount(TenantOwned):
    """The station's training compliance of one local day, kept so that the dashboard reads a row
    instead of joining every volunteer's certificates (``training.selectors.figures``): how many
    volunteers were active and how many of them held every certificate they need at the end of
    the day (for today: as of ``computed_at``). Compliance is a state at a moment (certificates
    lapse by the clock), not a flow, so no sum of daily rollups gives it.

    ``training.services.compliance`` writes it: beat every 15 minutes records today's count and
    closes yesterday's, and the writers of certificates, courses, volunteers and teams queue
    today's again after their commit (the training writers also drop it in their transaction, so
    that a read right after the commit counts it again). A past day nobody closed (before the
    count was kept, a missed beat) is counted once, by the figure that first reads it. A day whose
    ``computed_at`` is past its end is closed: what was true then, never recounted with the
    volunteers of a later day, except after a change of the past (a certificate issued with an
    earlier date, or revoked, which the figure counts as never held), which drops the days it
    changes."""

    day = models.DateField(_("day"))
    total = models.PositiveIntegerField(_("active volunteers"))
    compliant = models.PositiveIntegerField(_("compliant volunteers"))
    computed_at = models.DateTimeField(_("counted at"))

    class Meta:
        verbose_name = _("training compliance count")
        verbose_name_plural = _("training compliance counts")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "day"], name="compliancecount_once_a_day"),
            models.CheckConstraint(
                condition=Q(compliant__lte=F("total")), name="compliancecount_compliant_of_total"
            ),
        ]

    def __str__(self):
        return f"{self.day}: {self.compliant} / {self.total}"

    # a newer count of a day replaces an older one, unless the older one closed the day (it was
    # counted after the day's end): a retried task, two beats or a late task never move a count
    # back in time, and a closed day keeps the volunteers of its own end
    KEEP_SQL = """
        INSERT INTO training_compliancecount (tenant_id, day, total, compliant, computed_at)
        VALUES (%(tenant)s, %(day)s, %(total)s, %(compliant)s, %(computed_at)s)
        ON CONFLICT (tenant_id, day) DO UPDATE SET
            total = EXCLUDED.total, compliant = EXCLUDED.compliant, computed_at = EXCLUDED.computed_at
        WHERE training_compliancecount.computed_at < EXCLUDED.computed_at
          AND training_compliancecount.computed_at < %(day_end)s
    """

    @classmethod
    def keep(
        cls,
        *,
        tenant_id: int,
        day: datetime.date,
        total: int,
        compliant: int,
        computed_at: datetime.datetime,
        day_end: datetime.datetime,
    ) -> None:
        """Upsert the count of ``day`` (ending at ``day_end``, the next local midnight) in one
        statement; idempotent (see ``KEEP_SQL``). The service and the figure's first read of a
        past day share it."""
        with connection.cursor() as cursor:
            cursor.execute(
                cls.KEEP_SQL,
                {
                    "tenant": tenant_id,
                    "day": day,
                    "total": total,
                    "compliant": compliant,
                    "computed_at": computed_at,
                    "day_end": day_end,
                },
            )
