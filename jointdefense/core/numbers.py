"""How the station's figures are written for people: on the dashboard, in the weekly summary, in
the bureau's tables (counts whole, hours, percents and minutes to one decimal, in the reader's
language's number format)."""

import functools

from django.utils.formats import get_format, number_format
from django.utils.translation import get_language, gettext_lazy

UNIT_SUFFIX = {"count": "", "hours": " h", "percent": " %", "minutes": " min", "days": " d"}
UNIT_LABELS = {
    "count": gettext_lazy("count"),
    "hours": gettext_lazy("hours"),
    "percent": gettext_lazy("percent"),
    "minutes": gettext_lazy("minutes"),
    "days": gettext_lazy("days"),
}


def shown(value: float | int | None, unit: str, signed: bool = False) -> str:
    """A figure as the page and the CSV show it: counts whole, the others to one decimal."""
    if value is None:
        return "—"
    places = 0 if unit == "count" or (unit == "minutes" and value == int(value)) else 1
    text = grouped(round(value, places), places)
    if signed and value > 0:
        text = "+" + text
    return text + UNIT_SUFFIX[unit]


@functools.lru_cache(maxsize=32)
def _separators(language: str | None) -> tuple[str, str, object]:
    return (
        str(get_format("DECIMAL_SEPARATOR", language)),
        str(get_format("THOUSAND_SEPARATOR", language)),
        get_format("NUMBER_GROUPING", language),
    )


def grouped(value: float | int, places: int) -> str:
    """``number_format(value, places, force_grouping=True)`` in the active language, written by
    Python's own formatting where the language groups by threes or not at all (every language of
    the portal): a dashboard writes some six hundred numbers, and Django's general formatter
    looks up the language's separators for each."""
    decimal, thousands, grouping = _separators(get_language())
    value = abs(value) if value == 0 else value  # never "-0"
    if grouping == 3:
        text = format(value, f",.{places}f")
        return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)
    if not thousands:
        return format(value, f".{places}f").replace(".", decimal)
    return number_format(value, places, force_grouping=True)
