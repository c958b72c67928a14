import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jointdefense.settings.dev")

app = Celery("jointdefense", task_cls="jointdefense.core.tasks:TenantTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
