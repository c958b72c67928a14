"""The training app's part of the calendar feeds (``core.registry.calendar_sources``): the
sessions a volunteer is enrolled in (not those they wait for or withdrew from)."""

import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from jointdefense.core.registry import CalendarEntry

from ..models import Enrolment


def volunteer_sessions(
    volunteer: Any, since: datetime.datetime, until: datetime.datetime
) -> list[CalendarEntry]:
    enrolments = Enrolment.objects.filter(
        tenant=volunteer.tenant_id,
        volunteer=volunteer,
        status=Enrolment.Status.ENROLLED,
        session__starts_at__lt=until,
        session__ends_at__gt=since,
    ).select_related("session__course")
    path = reverse("training:my-training", kwargs={"station": volunteer.tenant.slug})
    entries = []
    for enrolment in enrolments:
        session = enrolment.session
        entries.append(
            CalendarEntry(
                uid=f"training-session-{session.pk}@jointdefense",
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                summary=_("Training: %(course)s") % {"course": session.course.name},
                location=session.place_name or session.online_url,
                description=session.online_url if session.place_name else "",
                path=path,
                cancelled=session.is_cancelled,
                geo=(session.location.y, session.location.x) if session.location else None,
            )
        )
    return entries
