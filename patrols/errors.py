"""Every domain error of the patrols app (answered as 400 by the API, shown as form errors or
messages by the pages)."""

from jointdefense.core.errors import DomainError


class PlanningError(DomainError):
    """Routes, checkpoints and schedules refused (outside the station, an impossible pattern)."""

    code = "planning"


class SignupError(DomainError):
    """A sign-up, withdrawal or assignment refused by the station's rules."""

    code = "signup"


class PatrolError(DomainError):
    """A patrol in the field refused: starting, checking in, notes, photos, ending, review."""

    code = "patrol"
