"""Tables downloaded as CSV for Excel: UTF-8 with a byte-order mark (so Excel reads Chinese right),
and text cells a spreadsheet would run as a formula defused with a leading quote."""

import csv
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(cell: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading quote (numbers stay numbers)."""
    if isinstance(cell, str) and cell.startswith(FORMULA_START):
        return "'" + cell
    return cell


def csv_cell(value: Any) -> Any:
    """A cell as written: numbers as numbers (floats to two places), nothing as empty, the rest as
    formula-safe text (lazy translations included)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, int):
        return value
    return formula_safe(str(value))


def csv_download(header: Sequence[Any], rows: Iterable[Sequence[Any]], filename: str) -> HttpResponse:
    """An attachment ``filename`` holding ``header`` and ``rows``, each cell through ``csv_cell``."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([csv_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return response
