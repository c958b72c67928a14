"""Background work of the teams app. Thin: the base task (core.tasks.TenantTask) restores the
station's scope from ``tenant_id``; each task calls a service."""

from celery import shared_task

from .services.imports import volunteer_import_run


@shared_task(name="teams.import_volunteers", ignore_result=True)
def import_volunteers(*, tenant_id: int, job_id: int) -> None:
    """Import a checked roster (ImportJob), all rows or none, once (services.imports)."""
    volunteer_import_run(tenant_id=tenant_id, job_id=job_id)
