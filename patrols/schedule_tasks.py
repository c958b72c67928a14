"""Beat work of patrol planning: every night, the next four weeks of shifts of every active schedule.

(The field side's reminders and alerts live in patrols/tasks.py; this module is imported by
PatrolsConfig.ready so that the worker registers its task.)"""

import datetime

from celery import shared_task
from django.db.models import Prefetch, Q
from django.utils import timezone
from django_scopes import scopes_disabled

from .models import Schedule, ScheduleTeam
from .services_planning import GENERATE_DAYS, shifts_generate

BATCH = 500  # schedules per round: memory stays bounded, queries grow with schedules / BATCH


@shared_task(name="patrols.generate_shifts", ignore_result=True)
def generate_shifts(days: int = GENERATE_DAYS):
    """Create the missing shifts of every active schedule for the next ``days`` local days.

    Idempotent (the unique tenant+schedule+start key skips shifts that exist), so two beats or a
    retry add nothing. Per batch of schedules: one query for the schedules with their stations,
    one for the rotations, one INSERT per 1,000 shifts."""
    now = timezone.now()
    offered = 0
    last_pk = 0
    with scopes_disabled():  # a sweep across every station; each row names its own
        while True:
            batch = list(
                Schedule.objects.filter(
                    is_active=True, tenant__is_active=True, route__is_active=True, pk__gt=last_pk
                )
                .filter(
                    Q(valid_until__isnull=True) | Q(valid_until__gte=now.date() - datetime.timedelta(days=1))
                )
                .select_related("tenant")
                .prefetch_related(Prefetch("rotation", queryset=ScheduleTeam.objects.order_by("position")))
                .order_by("pk")[:BATCH]
            )
            if not batch:
                break
            last_pk = batch[-1].pk
            by_day: dict[datetime.date, list[Schedule]] = {}
            for schedule in batch:
                today = now.astimezone(schedule.tenant.zoneinfo).date()
                by_day.setdefault(today, []).append(schedule)
            for today, schedules in by_day.items():
                offered += shifts_generate(
                    schedules=schedules, start=today, end=today + datetime.timedelta(days=days)
                )
    return offered
