"""Domain errors carry a code and a translated message; pages and the API map them in one place
(core.api.exception_handler, core.views.DomainErrorMixin)."""


class DomainError(Exception):
    code = "invalid"

    def __init__(self, message, *, code=None, field=None):
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.field = field
