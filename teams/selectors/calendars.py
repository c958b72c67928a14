"""Reads of calendar feeds: the live feed behind a secret address, a volunteer's feeds and the
teams they lead, and a feed's events from every app's ``core.registry.calendar_sources``."""

import datetime
from typing import Any

from jointdefense.core.registry import CalendarEntry, calendar_sources
from jointdefense.tenancy.models import Tenant

from ..models import CalendarFeed, Team, TeamMember, Volunteer

# what a feed holds: the last month and the next six
FEED_PAST = datetime.timedelta(days=31)
FEED_AHEAD = datetime.timedelta(days=183)


def live_feed(*, tenant: Tenant, token: str) -> CalendarFeed | None:
    """The feed of the station behind ``token``, or None when there is none, it was turned off or
    replaced, or (a team's) its volunteer no longer leads the team."""
    feed = (
        CalendarFeed.objects.filter(tenant=tenant, token=token, revoked_at__isnull=True)
        .select_related("volunteer", "team")
        .first()
    )
    if feed is None or feed.team_id is None:
        return feed
    leads = TeamMember.objects.filter(
        tenant=tenant, team=feed.team_id, volunteer=feed.volunteer_id, is_leader=True, team__is_active=True
    ).exists()
    return feed if leads else None


def feeds_of(*, volunteer: Volunteer) -> dict[int | None, CalendarFeed]:
    """The volunteer's live feeds by team id (None: their own calendar)."""
    return {
        feed.team_id: feed
        for feed in CalendarFeed.objects.filter(
            tenant=volunteer.tenant_id, volunteer=volunteer, revoked_at__isnull=True
        )
    }


def teams_led(*, volunteer: Volunteer) -> list[Team]:
    """The active teams the volunteer leads, by name."""
    return list(
        Team.objects.filter(
            tenant=volunteer.tenant_id,
            is_active=True,
            members__volunteer=volunteer,
            members__is_leader=True,
        ).order_by("name")
    )


def feed_entries(feed: CalendarFeed, now: datetime.datetime) -> list[CalendarEntry]:
    """The feed's events from the last month to six months ahead, by start: one query of each app
    that adds to calendars."""
    since, until = now - FEED_PAST, now + FEED_AHEAD
    entries: list[CalendarEntry] = []
    for source in calendar_sources:
        read: Any = source.for_team if feed.team_id is not None else source.for_volunteer
        if read is not None:
            entries += read(feed.team if feed.team_id is not None else feed.volunteer, since, until)
    return sorted(entries, key=lambda entry: (entry.starts_at, entry.uid))
