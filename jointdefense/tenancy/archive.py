"""The weekly summaries' archive (``/s/<station>/summaries/``): the list, one week's summary with
its printable stylesheet, its PDF, and "Send again" for the chief. Everything shown comes from the
stored summary (``tenancy.summaries.summary_display``), never from today's rows.

On a bureau the list holds its stations' summaries, each opened in its station (read-only: the
bureau viewer holds ``summary.view`` there, not ``summary.resend``)."""

import datetime

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import ListView, TemplateView

from .roles import has_station_perm, require_station_perm
from .selectors import summary_for_week, summary_list
from .summaries import monday_of, summary_display, summary_resend
from .views import StationViewMixin


def week_from_url(value: str) -> datetime.date:
    """The day a summary URL names (YYYY-MM-DD); anything else is a missing page."""
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise Http404 from None


class SummaryListView(StationViewMixin, ListView):
    permission_required = "summary.view"
    template_name = "tenancy/summary_list.html"
    context_object_name = "summaries"
    paginate_by = 52

    def get_queryset(self):
        return summary_list(tenant=self.tenant)


class SummaryMixin(StationViewMixin):
    """One week's stored summary of the station; another station's or a missing week is a 404,
    a day inside a week leads to its Monday."""

    permission_required = "summary.view"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        # who may read comes first: an outsider learns nothing from the date, not even a redirect
        require_station_perm(request.user, request.tenant, self.permission_required)
        day = week_from_url(kwargs["week"])
        if monday_of(day) != day:
            return redirect(request.resolver_match.view_name, station=kwargs["station"], week=monday_of(day))
        self.week = day
        return super().dispatch(request, *args, **kwargs)

    def summary(self):
        summary = summary_for_week(tenant=self.tenant, week_start=self.week)
        if summary is None:
            raise Http404
        return summary


class SummaryDetailView(SummaryMixin, TemplateView):
    template_name = "tenancy/summary_detail.html"

    def get_context_data(self, **kwargs):
        summary = self.summary()
        return {
            **super().get_context_data(**kwargs),
            "summary": summary,
            "shown": summary_display(summary.content),
            "can_resend": has_station_perm(self.request.user, self.tenant, "summary.resend"),
        }


class SummaryPdfView(SummaryMixin, View):
    """The week's summary as a PDF (WeasyPrint; the CJK font comes from the system's fonts)."""

    def get(self, request, *args, **kwargs):
        from weasyprint import HTML  # imported here: loading pango costs every other request nothing

        summary = self.summary()
        html = render_to_string(
            "tenancy/summary_pdf.html",
            {"summary": summary, "shown": summary_display(summary.content), "tenant": self.tenant},
            request=request,
        )
        pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
        response = HttpResponse(pdf, content_type="application/pdf")
        filename = f"{self.tenant.slug}-summary-{summary.week_start.isoformat()}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class SummaryResendView(SummaryMixin, View):
    """POST: e-mail the archived summary again to the station's chiefs and officers."""

    permission_required = "summary.resend"

    def post(self, request, *args, **kwargs):
        summary = self.summary()
        sent = summary_resend(summary=summary, actor=request.user)
        if sent:
            text = ngettext(
                "The summary is on its way again to %(count)s person.",
                "The summary is on its way again to %(count)s people.",
                sent,
            )
            messages.success(request, text % {"count": sent})
        else:
            messages.warning(request, _("Nobody at the station has an e-mail address to send it to."))
        return redirect(
            "tenancy:summary-detail", station=self.tenant.slug, week=summary.week_start.isoformat()
        )
