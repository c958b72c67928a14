"""Domain errors of the training app, with codes (mapped to forms and the API in one place)."""

from jointdefense.core.errors import DomainError


class TrainingError(DomainError):
    code = "training"
