from jointdefense.core.errors import DomainError


class ScreeningError(DomainError):
    code = "screening"


class PointsError(DomainError):
    code = "points"
