"""The patrols app's part of the calendar feeds (``core.registry.calendar_sources``): a
volunteer's shifts (those they signed up for and did not withdraw from) and a team's shifts."""

import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from jointdefense.core.registry import CalendarEntry

from ..models import Shift, Signup


def _entry(shift: Shift, path: str) -> CalendarEntry:
    return CalendarEntry(
        uid=f"shift-{shift.pk}@jointdefense",
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        summary=_("Patrol: %(route)s") % {"route": shift.route.name},
        location=shift.route.name,
        description=shift.route.description,
        path=path,
        cancelled=shift.is_cancelled,
    )


def volunteer_shifts(
    volunteer: Any, since: datetime.datetime, until: datetime.datetime
) -> list[CalendarEntry]:
    signups = Signup.objects.filter(
        tenant=volunteer.tenant_id,
        volunteer=volunteer,
        withdrawn_at__isnull=True,
        shift__starts_at__lt=until,
        shift__ends_at__gt=since,
    ).select_related("shift__route")
    path = reverse("patrols:my-patrol", kwargs={"station": volunteer.tenant.slug})
    return [_entry(signup.shift, path) for signup in signups]


def team_shifts(team: Any, since: datetime.datetime, until: datetime.datetime) -> list[CalendarEntry]:
    shifts = Shift.objects.filter(
        tenant=team.tenant_id, team=team, starts_at__lt=until, ends_at__gt=since
    ).select_related("route")
    path = reverse("patrols:shifts", kwargs={"station": team.tenant.slug})
    return [_entry(shift, path) for shift in shifts]
