"""Background work of the teams app. Thin: the base task (core.tasks.TenantTask) restores the
station's scope from ``tenant_id``; each task calls a service."""

from datetime import timedelta

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from .models import ImportJob
from .services.imports import volunteer_import_fail, volunteer_import_run, volunteer_imports_fail_stuck


@shared_task(name="teams.import_volunteers", ignore_result=True)
def import_volunteers(*, tenant_id: int, job_id: int) -> None:
    """Import a checked roster (ImportJob), all rows or none, once (services.imports). An import that
    stops on an error or at the soft time limit imported nothing (one transaction): its job is marked
    failed, with the reason, and its file erased. A worker killed at the hard limit leaves the job to
    ``teams.fail_stuck_imports``."""
    try:
        volunteer_import_run(tenant_id=tenant_id, job_id=job_id)
    except SoftTimeLimitExceeded:
        volunteer_import_fail(tenant_id=tenant_id, job_id=job_id, failure=ImportJob.Failure.TIMED_OUT)
    except Exception:
        volunteer_import_fail(tenant_id=tenant_id, job_id=job_id, failure=ImportJob.Failure.ERROR)
        raise


@shared_task(name="teams.fail_stuck_imports", ignore_result=True)
def fail_stuck_imports() -> None:
    """Beat: imports still queued longer than a task may run are marked failed, their files erased."""
    volunteer_imports_fail_stuck(older_than=timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60))
