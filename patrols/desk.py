"""The patrols' sections of the officer's desk (registered in ``PatrolsConfig.ready``)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jointdefense.core.registry import DeskEntry, DeskSection

from .models import CheckInFlag
from .selectors.desk import flagged_check_ins, short_shifts


def _queue_url(tenant):
    return reverse("patrols:review-queue", kwargs={"station": tenant.slug})


def _shift_url(tenant, pk):
    return reverse("patrols:shift-detail", kwargs={"station": tenant.slug, "pk": pk})


def flag_labels(check_in):
    """The check-in's flags in the reader's language."""
    labels = dict(CheckInFlag.choices)
    return [str(labels.get(flag, flag)) for flag in check_in.flags]


def _check_in_entry(check_in, tenant):
    return DeskEntry(
        id=check_in.pk,
        label=f"{check_in.patrol.volunteer.full_name} · {check_in.checkpoint.name}",
        detail=", ".join(flag_labels(check_in)),
        url=reverse("patrols:patrol-detail", kwargs={"station": tenant.slug, "pk": check_in.patrol_id}),
        when=check_in.received_at,
    )


def _shift_entry(shift, tenant):
    return DeskEntry(
        id=shift.pk,
        label=str(shift.route),
        detail=f"{shift.signed_up}/{shift.headcount}",
        url=_shift_url(tenant, shift.pk),
        when=shift.starts_at,
        urgent=shift.signed_up == 0,
    )


SECTIONS = (
    DeskSection(
        key="flagged-check-ins",
        title=_("Flagged check-ins to review"),
        permission="checkin.review",
        items=lambda tenant, user: flagged_check_ins(tenant=tenant),
        template="patrols/desk/_check_in.html",
        more_url=_queue_url,
        entry=_check_in_entry,
        empty=_("No flagged check-ins: every check-in is in order."),
        order=40,
    ),
    DeskSection(
        key="short-shifts",
        title=_("Shifts short of people in the next 48 hours"),
        permission="shift.view_coverage",
        items=lambda tenant, user: short_shifts(tenant=tenant),
        template="patrols/desk/_shift.html",
        more_url=lambda tenant: reverse("patrols:coverage", kwargs={"station": tenant.slug}),
        entry=_shift_entry,
        empty=_("Every shift of the next 48 hours has the people it needs."),
        order=50,
    ),
)
