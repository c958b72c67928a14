"""Writes of calendar feeds (``models.CalendarFeed``): a new secret address, which replaces the
volunteer's old one of the same feed at once, and turning an address off. Audited, atomic."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jointdefense.accounts.models import User
from jointdefense.core.services import audit

from ..errors import TeamError
from ..models import CalendarFeed, Team, TeamMember, Volunteer


@transaction.atomic
def calendar_feed_renew(*, volunteer: Volunteer, actor: User, team: Team | None = None) -> CalendarFeed:
    """A new address of the volunteer's own calendar (or, for a leader of ``team``, the team's);
    the old address of the same feed stops working in the same transaction."""
    if volunteer.user_id is None or volunteer.user_id != actor.pk:
        raise TeamError(_("Only the volunteer gets their own calendar address."))
    if team is not None:
        if team.tenant_id != volunteer.tenant_id:
            raise TeamError(_("The team belongs to another station."), field="team")
        if not TeamMember.objects.filter(
            tenant=volunteer.tenant_id, team=team, volunteer=volunteer, is_leader=True
        ).exists():
            raise TeamError(_("Only the team's leaders get the team's calendar."), field="team")
    kind = CalendarFeed.Kind.TEAM if team is not None else CalendarFeed.Kind.PERSONAL
    now = timezone.now()
    CalendarFeed.objects.filter(
        tenant=volunteer.tenant_id, volunteer=volunteer, kind=kind, team=team, revoked_at__isnull=True
    ).update(revoked_at=now)
    feed = CalendarFeed.objects.create(
        tenant_id=volunteer.tenant_id, kind=kind, owner=actor, volunteer=volunteer, team=team
    )
    audit(tenant=volunteer.tenant, actor=actor, action="calendar_feed.renewed", target=feed)
    return feed


@transaction.atomic
def calendar_feed_revoke(*, feed: CalendarFeed, actor: User) -> None:
    """Turn the address off: a calendar that fetches it gets 404 from now on."""
    if feed.owner_id != actor.pk:
        raise TeamError(_("Only its owner turns a calendar address off."))
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        audit(tenant=feed.volunteer.tenant, actor=actor, action="calendar_feed.revoked", target=feed)
