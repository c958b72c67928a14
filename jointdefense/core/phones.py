"""Phone numbers typed by people (a reporter's contact), checked with Google's libphonenumber
(``phonenumbers``) and stored in E.164 (``+8613800138000``). A number without a country code is
read in the station's region (``Tenant.phone_region``, "CN" by default)."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_REGION = "CN"
# the types a text message can reach (a number whose type the data cannot tell may be a mobile)
_TEXTABLE = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def validate_region(value: str) -> None:
    if value not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError(
            _("“%(value)s” is not a country or region code such as CN."),
            params={"value": value},
            code="region",
        )


def phone_normalised(value: str, *, region: str = DEFAULT_REGION) -> str:
    """The number in E.164, or "" for an empty value; a ValidationError for anything that is not a
    valid phone number (in ``region`` when it has no country code)."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, region or DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("Enter a valid phone number, such as 138 0013 8000 (from abroad with its country code)."),
            code="phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_can_text(value: str) -> bool:
    """Whether a text message can reach this number: a valid mobile number (not a landline)."""
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in _TEXTABLE
