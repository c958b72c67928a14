"""Who may patrol: the one place that says whether a volunteer may take a shift or start a patrol.

Sign-up, officer assignment and starting a patrol all call :func:`patrol_refusal`: an active
volunteer with the patrol role who holds a valid certificate of every course their roles and teams
need (``training.selectors.qualifications.training_refusal``, counting included courses).
"""

from django.utils.translation import gettext as _

from teams.models import Volunteer, VolunteerRole
from training.models import TrainingSession
from training.selectors.qualifications import training_refusal, training_refusal_session


def patrol_refusal(volunteer: Volunteer) -> str | None:
    """Why ``volunteer`` may not patrol, as a translated sentence, or None when they may."""
    if volunteer.status != Volunteer.Status.ACTIVE:
        return _("Only active volunteers can patrol; %(name)s is %(status)s.") % {
            "name": volunteer.full_name,
            "status": volunteer.get_status_display().lower(),
        }
    if VolunteerRole.PATROL not in volunteer.roles:
        return _("%(name)s does not have the patrol role.") % {"name": volunteer.full_name}
    return training_refusal(volunteer)


def patrol_refusal_session(volunteer: Volunteer) -> TrainingSession | None:
    """When training is what refuses, the session the refusal names (the page links to enrol)."""
    if volunteer.status != Volunteer.Status.ACTIVE or VolunteerRole.PATROL not in volunteer.roles:
        return None
    return training_refusal_session(volunteer)


def may_patrol(volunteer: Volunteer) -> bool:
    return patrol_refusal(volunteer) is None
