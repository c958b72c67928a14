import os

from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jointdefense.settings.dev")

app = Celery("jointdefense", task_cls="jointdefense.core.tasks:TenantTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Each worker says it is alive in Redis when it starts and every ``WORKER_HEARTBEAT_SECONDS``
    from its own timer, busy or idle, and takes it back when it stops: /healthz reads these instead
    of pinging the workers, which made every check wait a second for their answers."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.timer_ref = None

    def start(self, worker):
        from django.conf import settings

        from jointdefense.core.tasks import worker_heartbeat_write

        worker_heartbeat_write(worker.hostname)
        self.timer_ref = worker.timer.call_repeatedly(
            settings.WORKER_HEARTBEAT_SECONDS, worker_heartbeat_write, (worker.hostname,), priority=10
        )

    def stop(self, worker):
        from jointdefense.core.tasks import worker_heartbeat_clear

        if self.timer_ref is not None:
            self.timer_ref.cancel()
        worker_heartbeat_clear(worker.hostname)

    def terminate(self, worker):  # a cold shutdown (a second Ctrl-C, SIGQUIT) stops it too
        self.stop(worker)


app.steps["worker"].add(WorkerHeartbeat)
