"""Calendar feeds: ``calendar/<secret>.ics``, the RFC 5545 document a calendar app subscribes to
(no login: the address is the credential), and ``volunteer/me/calendar/``, where a volunteer (and
a team leader, for their teams) gets, replaces or turns off the address."""

import datetime

import icalendar
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from jointdefense.core.errors import DomainError
from jointdefense.core.registry import CalendarEntry

from ..forms.calendars import CalendarFeedForm
from ..models import CalendarFeed
from ..selectors.calendars import feed_entries, feeds_of, live_feed, teams_led
from ..services.calendars import calendar_feed_renew, calendar_feed_revoke
from .points import OwnVolunteerMixin

FEED_TTL = datetime.timedelta(hours=1)  # how often calendar apps are asked to fetch again


def ics_document(*, name: str, tz: datetime.tzinfo, entries: list[CalendarEntry], base_url: str) -> bytes:
    """The feed as iCalendar (RFC 5545): each event in the station's time zone, with its
    VTIMEZONE, a stable UID and its status (a cancelled shift stays, marked cancelled)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Joint Defense Portal//Calendar feed//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", str(tz))
    calendar.add("x-published-ttl", FEED_TTL)
    stamp = timezone.now()
    for entry in entries:
        event = icalendar.Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.starts_at.astimezone(tz))
        event.add("dtend", entry.ends_at.astimezone(tz))
        event.add("summary", entry.summary)
        event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
        if entry.location:
            event.add("location", entry.location)
        if entry.description:
            event.add("description", entry.description)
        if entry.path:
            event.add("url", base_url + entry.path)
        if entry.geo:
            event.add("geo", entry.geo)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


class CalendarFeedView(View):
    """The feed behind a secret address, for a calendar app (404 once turned off or replaced)."""

    http_method_names = ["get", "head"]

    def get(self, request, station, token):
        tenant = request.tenant
        feed = live_feed(tenant=tenant, token=token[:64])
        if feed is None:
            raise Http404
        feed.volunteer.tenant = tenant
        if feed.team is not None:
            feed.team.tenant = tenant
        name = (
            _("%(team)s · %(station)s") % {"team": feed.team.name, "station": tenant.name}
            if feed.team is not None
            else _("My shifts and training · %(station)s") % {"station": tenant.name}
        )
        body = ics_document(
            name=name,
            tz=tenant.zoneinfo,
            entries=feed_entries(feed, timezone.now()),
            base_url=request.build_absolute_uri("/")[:-1],
        )
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="calendar.ics"'
        response["Cache-Control"] = "private, max-age=900"
        response["X-Robots-Tag"] = "noindex"
        return response


class MyCalendarView(OwnVolunteerMixin, TemplateView):
    """The volunteer's calendar addresses: their own, and each team's they lead."""

    template_name = "teams/my_calendar.html"

    def get_context_data(self, **kwargs):
        feeds = feeds_of(volunteer=self.volunteer)
        teams = teams_led(volunteer=self.volunteer)

        def address(feed: CalendarFeed | None) -> dict[str, str] | None:
            if feed is None:
                return None
            url = self.request.build_absolute_uri(
                reverse("teams:calendar-feed", kwargs={"station": self.tenant.slug, "token": feed.token})
            )
            return {"https": url, "webcal": "webcal://" + url.split("://", 1)[1]}

        rows = [{"team": None, "label": _("My shifts and training"), "address": address(feeds.get(None))}]
        rows += [
            {
                "team": team,
                "label": _("Shifts of %(team)s") % {"team": team.name},
                "address": address(feeds.get(team.pk)),
            }
            for team in teams
        ]
        return super().get_context_data(tenant=self.tenant, volunteer=self.volunteer, rows=rows, **kwargs)

    def post(self, request, station):
        teams = teams_led(volunteer=self.volunteer)
        form = CalendarFeedForm(request.POST, teams=teams)
        if not form.is_valid():
            return HttpResponseBadRequest(" ".join(" ".join(e) for e in form.errors.values()))
        team = form.cleaned_data["team"]
        try:
            if form.cleaned_data["action"] == "renew":
                had_one = (team.pk if team else None) in feeds_of(volunteer=self.volunteer)
                calendar_feed_renew(volunteer=self.volunteer, actor=request.user, team=team)
                messages.success(
                    request,
                    _("Your calendar has a new address; the old one no longer works.")
                    if had_one
                    else _("Your calendar address is ready: add it to your calendar app."),
                )
            else:
                feed = feeds_of(volunteer=self.volunteer).get(team.pk if team else None)
                if feed is not None:
                    calendar_feed_revoke(feed=feed, actor=request.user)
                messages.success(request, _("The calendar address is turned off."))
        except DomainError as err:
            messages.error(request, err.message)
        return redirect("teams:my-calendar", station=self.tenant.slug)
