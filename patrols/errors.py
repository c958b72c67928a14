from jointdefense.core.errors import DomainError


class PlanningError(DomainError):
    """Routes, checkpoints and schedules refused (outside the station, an impossible pattern)."""

    code = "planning"


class SignupError(DomainError):
    """A sign-up, withdrawal or assignment refused by the station's rules."""

    code = "signup"
