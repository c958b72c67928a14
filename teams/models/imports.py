"""Volunteer imports (CSV rosters) handed to the workers."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jointdefense.core.models import TenantOwned


class ImportJob(TenantOwned):
    """A checked CSV roster waiting for (or done by) the workers: imports of thousands of rows go
    through the services row by row, which takes longer than a web request may."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Nothing imported")

    class Failure(models.TextChoices):
        """Why a failed job imported nothing (its rows are in ``errors`` for ROWS)."""

        ROWS = "rows", _("Rows no longer fit the station")
        ERROR = "error", _("The import stopped on an error")
        TIMED_OUT = "timed_out", _("The import took too long")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    csv_text = models.TextField(blank=True, help_text="the checked file; emptied once imported")
    total = models.PositiveIntegerField(_("rows"))
    imported = models.PositiveIntegerField(_("imported"), default=0)
    errors = models.JSONField(default=list, blank=True)
    failure = models.CharField(
        _("why nothing was imported"), max_length=10, choices=Failure.choices, blank=True
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("volunteer import")
        verbose_name_plural = _("volunteer imports")
        indexes = [models.Index(fields=["tenant", "-created_at"], name="importjob_tenant_created")]
