"""Background work of the teams app."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from .models import ImportJob


@shared_task(name="teams.import_volunteers", ignore_result=True)
def import_volunteers(*, tenant_id: int, job_id: int):
    """Import a checked roster (ImportJob), all rows or none, once.

    The job row stays locked for the whole import, in the import's own transaction: a second
    delivery of the task (a retry, a second worker) skips it; a worker that dies mid-run rolls the
    whole import back and leaves the job queued, so the redelivered task (acks_late) starts again."""
    from .resources import VolunteerResource
    from .views.csv import error_report, parse_csv_text

    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("tenant", "created_by")
            .filter(pk=job_id, tenant=tenant_id, status=ImportJob.Status.QUEUED)
            .first()
        )
        if job is None:
            return
        dataset = parse_csv_text(job.csv_text)
        result = VolunteerResource(tenant=job.tenant, actor=job.created_by).import_data(
            dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True
        )
        if result.has_errors() or result.has_validation_errors():
            # the station changed since the check (a phone registered meanwhile…): nothing imported
            job.status = ImportJob.Status.FAILED
            job.errors = [{**e, "message": str(e["message"])} for e in error_report(result)]
        else:
            job.status = ImportJob.Status.DONE
            job.imported = len(dataset)
        job.csv_text = ""  # the file holds ID numbers: keep it no longer than needed
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "errors", "imported", "csv_text", "finished_at"])
