from jointdefense.core.errors import DomainError


class ReportError(DomainError):
    code = "report"

    def __init__(self, message, *, code=None, field=None, other_station=None):
        super().__init__(message, code=code, field=field)
        self.other_station = other_station
