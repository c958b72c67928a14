"""Domain errors of the teams app (each with a code; pages and the API show ``message``, on
``field`` when the error names one)."""

from jointdefense.core.errors import DomainError


class ScreeningError(DomainError):
    """An application, a screening step or a volunteer's record refused."""

    code = "screening"


class TeamError(DomainError):
    """A team or its membership refused (a taken name, another station's community, …)."""

    code = "team"


class PointsError(DomainError):
    """An award, a correction, a point rule, a reward or a redemption refused."""

    code = "points"


class ImportFileError(DomainError):
    """A CSV roster that cannot be read as a whole; the message says why."""

    code = "import_file"
