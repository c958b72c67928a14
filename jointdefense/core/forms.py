from django.core.exceptions import ValidationError


def add_domain_error(form, err) -> None:
    """Show a DomainError (``.message``, ``.field``) or a model ValidationError (``full_clean`` in a
    service) on ``form``: on the field it names when the form has that field, else above the form.
    The one place where service errors become form errors."""
    if isinstance(err, ValidationError):
        if hasattr(err, "error_dict"):
            for field, errors in err.error_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            form.add_error(None, err)
        return
    field = getattr(err, "field", None)
    form.add_error(field if field in form.fields else None, err.message)
