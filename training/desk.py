"""The training sections of the officer's desk (registered in ``TrainingConfig.ready``)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jointdefense.core.registry import DeskEntry, DeskSection

from .selectors.desk import sessions_to_record, sessions_with_free_places


def _sessions_url(tenant):
    return reverse("training:session-list", kwargs={"station": tenant.slug})


def _free_places_entry(session, tenant):
    return DeskEntry(
        id=session.pk,
        label=str(session.course),
        detail=f"{session.free_places}/{session.capacity}",
        url=reverse("training:session-detail", kwargs={"station": tenant.slug, "pk": session.pk}),
        when=session.starts_at,
    )


def _to_record_entry(session, tenant):
    return DeskEntry(
        id=session.pk,
        label=str(session.course),
        detail=str(session.unrecorded_count),
        url=reverse("training:session-attendance", kwargs={"station": tenant.slug, "pk": session.pk}),
        when=session.starts_at,
        urgent=True,
    )


SECTIONS = (
    DeskSection(
        key="training-places",
        title=_("Training sessions of the next 7 days with free places"),
        permission="session.enrol_others",
        items=lambda tenant, user: sessions_with_free_places(tenant=tenant),
        template="training/desk/_free_places.html",
        more_url=_sessions_url,
        entry=_free_places_entry,
        empty=_("No session of the next 7 days has a free place."),
        order=70,
    ),
    DeskSection(
        key="training-attendance",
        title=_("Training sessions held, attendance not yet recorded"),
        permission="session.enrol_others",
        items=lambda tenant, user: sessions_to_record(tenant=tenant),
        template="training/desk/_to_record.html",
        more_url=_sessions_url,
        entry=_to_record_entry,
        empty=_("Attendance is recorded for every session held."),
        order=80,
    ),
)
