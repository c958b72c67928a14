"""The teams' section of the officer's desk (registered in ``TeamsConfig.ready``)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jointdefense.core.registry import DeskEntry, DeskSection

from .selectors.desk import applications_to_screen


def _application_entry(volunteer, tenant):
    return DeskEntry(
        id=volunteer.pk,
        label=volunteer.full_name,
        detail=str(volunteer.get_status_display()),
        url=reverse("teams:volunteer-detail", kwargs={"station": tenant.slug, "pk": volunteer.pk}),
        when=volunteer.applied_at,
    )


SECTIONS = (
    DeskSection(
        key="applications",
        title=_("Applications waiting for screening"),
        permission="volunteer.screen",
        items=lambda tenant, user: applications_to_screen(tenant=tenant),
        template="teams/desk/_application.html",
        more_url=lambda tenant: reverse("teams:application-list", kwargs={"station": tenant.slug}),
        entry=_application_entry,
        empty=_("No applications wait for screening."),
        order=60,
    ),
)
