"""Celery tasks of the platform's tenancy, driven by beat (see CELERY_BEAT_SCHEDULE). Thin: they
call tenancy.summaries.

* ``weekly_summaries``: every 15 minutes, the weekly summary of each station whose Monday 08:00
  has come and whose last week is not summarised yet, at most ``summaries.BATCH`` stations a run;
  when more are waiting the run queues the next one at once. Once per station and week however
  often it runs (the summary's unique key; the e-mails' keys).
"""

import datetime

from celery import shared_task

from . import summaries


@shared_task(name="tenancy.weekly_summaries", ignore_result=True)
def weekly_summaries(now=None, limit=None):
    """Build and send the weekly summaries due; returns how many were built."""
    built, left = summaries.summaries_send_due(
        now=datetime.datetime.fromisoformat(now) if now else None, limit=limit or summaries.BATCH
    )
    if left and built:  # more are waiting: the next run at once (not when all of these failed)
        weekly_summaries.enqueue_on_commit(now=now, limit=limit)
    return built
