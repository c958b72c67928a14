import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"


def resident_id_checksum(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def validate_id_number(value: str) -> None:
    """An 18-character resident identity card number (GB 11643, with its check character), or
    another document's number (passport, permit: 6 to 20 letters and digits) for non-residents."""
    value = (value or "").strip().upper()
    if re.fullmatch(r"\d{17}[\dX]", value):
        if resident_id_checksum(value[:17]) != value[17]:
            raise ValidationError(
                _("This ID number's check character is wrong; please check the number."), code="id_checksum"
            )
        return
    if not re.fullmatch(r"[A-Z0-9]{6,20}", value):
        raise ValidationError(
            _(
                "Enter an 18-character ID card number, or the number of another identity document (6 to 20 "
                "letters and digits)."
            ),
            code="id_number",
        )


def validate_phone(value: str) -> None:
    digits = re.sub(r"[\s\-()+]", "", value or "")
    if not re.fullmatch(r"\d{7,15}", digits):
        raise ValidationError(_("Enter a phone number of 7 to 15 digits."), code="phone")
