"""How the station's figures are written for people: on the dashboard, in the weekly summary, in
the bureau's tables (counts whole, hours, percents and minutes to one decimal, in the reader's
language's number format)."""

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy

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
    text = number_format(round(value, places), places, force_grouping=True)
    if signed and value > 0:
        text = "+" + text
    return text + UNIT_SUFFIX[unit]
