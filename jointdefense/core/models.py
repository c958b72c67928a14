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


class EmailDelivery(models.Model):
    """One row per email the workers were asked to send; the unique key makes sending idempotent
    when a task is retried or delivered twice. Platform-wide (password resets have no station)."""

    key = models.CharField(max_length=200, unique=True)
    to = models.JSONField(default=list)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("email delivery")
        verbose_name_plural = _("email deliveries")

    def __str__(self):
        return self.key


class SmsDelivery(models.Model):
    """The text-message twin of :class:`EmailDelivery`: one row per message, sent once per key."""

    key = models.CharField(max_length=200, unique=True)
    to = models.CharField(max_length=30)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("text message delivery")
        verbose_name_plural = _("text message deliveries")

    def __str__(self):
        return self.key


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
