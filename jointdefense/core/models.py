from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class TenantOwned(models.Model):
    """Base of every tenant-owned model, in every app: a ``tenant`` column and a default manager
    (django-scopes) that raises when no tenant scope is active, so a query that forgot its station
    fails instead of reading every station's rows. Subclasses declare indexes and unique keys leading
    with ``tenant`` (tests check it); the tenant column gets no index of its own."""

    tenant = models.ForeignKey(
        "tenancy.Tenant",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    objects = ScopedManager(tenant="tenant")

    class Meta:
        abstract = True


class AuditEvent(TenantOwned):
    """Who did what, when, in a station. Append-only."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=60)
    target_type = models.CharField(_("object type"), max_length=60, blank=True)
    target_id = models.CharField(_("object id"), max_length=40, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "-created_at"], name="audit_tenant_created")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"


class Delivery(models.Model):
    """One row per message the workers were asked to send; the unique key makes sending idempotent
    when a task is retried or delivered twice. Platform-wide (password resets have no station).

    A key names the occasion (``report-received:<report id>``), never a secret or a contact. A
    message over the recipient's daily limit is ``refused_at`` (with the ``refusal``) and is never
    retried. The recipient (and the subject) are blanked ``DELIVERY_RETENTION_DAYS`` after the row
    was written (``erased_at``, core.erase_delivery_recipients); the key stays, so a task delivered
    again after that still sends nothing twice."""

    key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    refused_at = models.DateTimeField(null=True, blank=True)
    refusal = models.CharField(max_length=40, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.key


class EmailDelivery(Delivery):
    to = models.JSONField(default=list)
    subject = models.CharField(max_length=255)

    class Meta:
        verbose_name = _("email delivery")
        verbose_name_plural = _("email deliveries")
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(erased_at__isnull=True),
                name="email_delivery_to_erase",
            )
        ]


class SmsDelivery(Delivery):
    """The text-message twin of :class:`EmailDelivery`."""

    to = models.CharField(max_length=30)

    class Meta:
        verbose_name = _("text message delivery")
        verbose_name_plural = _("text message deliveries")
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(erased_at__isnull=True),
                name="sms_delivery_to_erase",
            )
        ]


class RecipientDay(models.Model):
    """How many messages one recipient was sent on one day, for the daily limits
    (``MAX_SMS_PER_RECIPIENT_PER_DAY``, ``MAX_EMAILS_PER_RECIPIENT_PER_DAY``). The row is locked
    while a message is sent, so two workers never both pass the limit. The recipient is a keyed
    hash of the address or number, never the contact itself; rows of past days are deleted."""

    channel = models.CharField(max_length=5)  # "email" or "sms"
    recipient = models.CharField(max_length=64)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("messages to a recipient in a day")
        verbose_name_plural = _("messages to recipients by day")
        constraints = [
            models.UniqueConstraint(fields=["channel", "recipient", "day"], name="recipient_day_unique")
        ]
        indexes = [models.Index(fields=["day"], name="recipient_day_day")]

    def __str__(self):
        return f"{self.channel} {self.day}: {self.count}"


class OutboxMessage(models.Model):
    """A task to run, written in the same transaction as the change that asks for it (the
    transactional outbox). After commit the web process tries to publish it at once; the relay
    (beat, every few seconds) publishes whatever is left, for example everything written while
    Redis was down. Publishing twice is harmless: tasks are idempotent by their own keys.
    Platform-wide: a task that works on a station carries ``tenant_id`` in its kwargs."""

    task = models.CharField(max_length=100)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(fields=["id"], condition=models.Q(published_at__isnull=True), name="outbox_pending"),
            models.Index(fields=["published_at"], name="outbox_published"),
        ]

    def __str__(self):
        return f"{self.task} #{self.pk}"


class DailyCount(TenantOwned):
    """One station's count (and total) of one series on one of its local days: the rollups behind
    the station's figures (``core.rollups``). The services that write a counted row bump these in
    the same transaction; ``manage.py rebuild_rollups`` computes them again from the rows.

    ``key`` names the series (``incidents.received``), ``dimension`` splits it (a category and
    status, a bucket of minutes; empty when it has none); ``count`` counts rows and ``total`` sums a
    quantity of them (hours, minutes, points).

    Each count is kept at four spans: the ``day`` itself, its week (``day`` = the Monday), its
    month (``day`` = the 1st) and its year (``day`` = 1 January), written by the same statement,
    so that a year reads one row, a quarter three and a week one per series and dimension instead
    of each of their days."""

    class Span(models.TextChoices):
        DAY = "d", _("day")
        WEEK = "w", _("week")
        MONTH = "m", _("month")
        YEAR = "y", _("year")

    key = models.CharField(max_length=60)
    dimension = models.CharField(max_length=60, blank=True, default="")
    span = models.CharField(max_length=1, choices=Span.choices, default=Span.DAY)
    day = models.DateField()
    count = models.BigIntegerField(default=0)
    total = models.DecimalField(max_digits=20, decimal_places=4, default=0)

    class Meta:
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        constraints = [
            # every read of a series goes through it, and finds the numbers in the index itself
            # (an index-only scan: a year of 5,000 volunteers' hours in 2 ms instead of 15)
            models.UniqueConstraint(
                fields=["tenant", "key", "span", "day", "dimension"],
                include=["count", "total"],
                name="daily_count_covering_unique",
            )
        ]
        # a figure table reads every series of a station for the spans of its periods at once
        indexes = [
            # ... of the narrow series only (``core.rollups.prefetched``): the wide ones (one
            # dimension per volunteer or grid cell, read on their own) would be most of its rows
            models.Index(
                fields=["tenant", "span", "day"],
                include=["key", "dimension", "count", "total"],
                condition=~models.Q(key__contains=".by_"),
                name="daily_count_narrow",
            ),
            # ... and a ranking's best totals of a wide series (``core.rollups.ranked_totals``):
            # the ten best of 5,000 volunteers' year read from the index's end
            models.Index(
                fields=["tenant", "key", "span", "day", "-total"],
                include=["dimension"],
                condition=models.Q(key__contains=".by_"),
                name="daily_count_wide_ranked",
            ),
        ]

    def __str__(self):
        return f"{self.key}[{self.dimension}] {self.span} {self.day}: {self.count} / {self.total}"
