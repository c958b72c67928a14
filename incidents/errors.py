"""Every domain error of the incidents app (jointdefense.core.errors.DomainError), with its code."""

from typing import Any

from jointdefense.core.errors import DomainError


class ReportError(DomainError):
    """A report, its triage, return visit, merge or clue was refused; ``other_station`` is the
    station whose area holds a pin outside this one (the report page offers it)."""

    code = "report"

    def __init__(
        self, message: Any, *, code: str | None = None, field: str | None = None, other_station: Any = None
    ) -> None:
        super().__init__(message, code=code, field=field)
        self.other_station = other_station


class MediationError(DomainError):
    """A mediation, its parties, sessions or outcome was refused."""

    code = "mediation"
