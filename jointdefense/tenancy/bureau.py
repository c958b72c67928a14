"""The bureau's side by side (``/s/<bureau>/dashboard/`` on a bureau): the dashboard's figures for
each of the bureau's stations with the bureau's totals, sortable by any figure on the server
(``?sort=<figure key>&order=asc|desc``, no JavaScript needed), and the same table as CSV.

Each station's figures are ``selectors.figure_table`` of that station (the same selectors, in the
station's own time zone); the page's query count grows with the stations and figures, never with
the rows.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from jointdefense.core.numbers import UNIT_LABELS, shown
from jointdefense.core.periods import period_from_query
from jointdefense.core.registry import FIGURE_GROUPS
from jointdefense.core.spreadsheets import csv_download

from .roles import require_station_perm
from .selectors import SideBySide, side_by_side


def _refused(request, error: ValidationError, picker, csv: bool):
    text = " ".join(error.messages)
    if csv:
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    return render(request, "tenancy/bureau_dashboard.html", {"error": text, "picker": picker}, status=400)


class BureauFiguresMixin:
    """On a bureau, the dashboard is the side by side (``bureau_csv``: its CSV); on a station the
    view goes on as before. Put it before StationViewMixin; the view gives ``picker`` and ``_next``."""

    bureau_csv = False
    # a station's map (its heat points, its breakdown's CSV) has no bureau side: not found there
    on_bureau = True

    def dispatch(self, request, *args, **kwargs):
        tenant = getattr(request, "tenant", None)
        if tenant is None or not tenant.is_bureau or not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        require_station_perm(request.user, tenant, self.permission_required)
        if not self.on_bureau:
            raise Http404
        if request.method not in ("GET", "HEAD"):
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
        self.tenant = tenant
        sort, order = request.GET.get("sort", "")[:80], request.GET.get("order") or "asc"
        try:
            period = period_from_query(request.GET, tenant.zoneinfo, timezone.localdate())
            table = side_by_side(user=request.user, bureau=tenant, period=period, sort=sort, order=order)
        except ValidationError as error:
            return _refused(request, error, self.picker(request.GET, None), self.bureau_csv)
        if self.bureau_csv:
            return self.csv(table, period)
        return render(
            request, "tenancy/bureau_dashboard.html", self.context(request, table, period, sort, order)
        )

    def context(self, request, table: SideBySide, period, sort: str, order: str) -> dict[str, Any]:
        keep = period.picker()
        columns = []
        for figure in table.figures:
            sorted_here = sort == figure.key
            flip = "asc" if sorted_here and order == "desc" else "desc"
            columns.append(
                {
                    "figure": figure,
                    "group": FIGURE_GROUPS[figure.group],
                    "unit": UNIT_LABELS[figure.unit],
                    "aria_sort": ("descending" if order == "desc" else "ascending") if sorted_here else "",
                    "sort_url": "?" + urlencode({**keep, "sort": figure.key, "order": flip}),
                }
            )
        by_name = not sort or sort == "name"
        name_flip = "desc" if by_name and order == "asc" else "asc"
        lines = []
        for line in table.stations:
            cells = []
            for figure in table.figures:
                row = line.rows.get(figure.key)
                cells.append(
                    {
                        "key": figure.key,
                        "text": shown(row.value if row else None, figure.unit),
                        "link": row.link if row else "",
                    }
                )
            dashboard = reverse("tenancy:dashboard", kwargs={"station": line.station.slug})
            lines.append({"station": line.station, "url": dashboard + "?" + urlencode(keep), "cells": cells})
        totals = [
            {"key": t.figure.key, "text": shown(t.value, t.figure.unit), "note": t.note} for t in table.totals
        ]
        previous, following = period.previous(), self._next(period)
        ordering = {"sort": sort, "order": order} if sort else {}
        return {
            "period": period,
            "picker": self.picker(request.GET, period),
            "columns": columns,
            "lines": lines,
            "totals": totals,
            "sort": sort,
            "order": order,
            "name_aria_sort": ("descending" if order == "desc" else "ascending") if by_name else "",
            "name_sort_url": "?" + urlencode({**keep, "sort": "name", "order": name_flip}),
            "previous_url": "?" + urlencode({**previous.picker(), **ordering}),
            "next_url": "?" + urlencode({**following.picker(), **ordering}) if following else "",
            "csv_url": "csv/?" + urlencode({**keep, **ordering}),
            "rankings_url": reverse("tenancy:rankings", kwargs={"station": self.tenant.slug})
            + "?"
            + urlencode(keep),
        }

    def csv(self, table: SideBySide, period) -> HttpResponse:
        header = [_("Station")] + [f"{f.label} ({UNIT_LABELS[f.unit]})" for f in table.figures]
        rows = [[line.station.name] + [line.value(f.key) for f in table.figures] for line in table.stations]
        rows.append([_("Bureau total")] + [t.value if not t.note else t.note for t in table.totals])
        filename = (
            f"{self.tenant.slug}-stations-{period.first_day.isoformat()}-{period.last_day.isoformat()}.csv"
        )
        return csv_download(header, rows, filename)
