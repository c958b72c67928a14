"""Domain errors carry a code and a translated message; pages and the API map them in one place
(``core.api.exception_handler`` for the API, ``core.forms.add_domain_error`` for forms). Each
domain app declares its own errors, subclasses of :class:`DomainError`, in its ``errors.py``."""


class DomainError(Exception):
    code = "invalid"

    def __init__(self, message, *, code=None, field=None):
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.field = field
