"""Reads for patrols in the field: the volunteer's shifts and patrols, a patrol's checkpoints with
which are done, the duty board, the officers' patrol list and review queue. Each is a fixed number
of queries, whatever the number of rows."""

import datetime
from collections.abc import Collection, Iterable
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.db.models import PointField
from django.db.models import CharField, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from jointdefense.accounts.models import User
from jointdefense.tenancy.models import Role, Tenant
from jointdefense.tenancy.roles import STAFF, has_station_perm, roles_for
from teams.models import Volunteer
from teams.selectors.teams import teams_led_by

from ..models import CheckIn, Checkpoint, Patrol, PatrolPhoto, Shift
from .hours import COUNTED, patrols_with_hours

UPCOMING_DAYS = 14
# a patrol may start this long before its shift, and until the shift ends
START_EARLY = datetime.timedelta(minutes=30)
# check-ins this close outside the shift's hours are still in the window (clocks, stairwells)
CHECK_IN_GRACE = datetime.timedelta(minutes=15)


def shift_start_window(shift: Shift) -> tuple[datetime.datetime, datetime.datetime]:
    """When a patrol for ``shift`` may start: from half an hour before it until its end."""
    return shift.starts_at - START_EARLY, shift.ends_at


def my_shifts(*, volunteer: Volunteer, now: datetime.datetime | None = None) -> list[Shift]:
    """The volunteer's active sign-ups for shifts not yet over (next two weeks), each shift with
    ``.can_start`` and ``.my_patrol`` (the patrol they started for it, if any). Two queries."""
    now = now or timezone.now()
    shifts: list[Any] = list(  # each with .my_patrol, .opens_at, .can_start
        Shift.objects.filter(
            tenant=volunteer.tenant_id,
            is_cancelled=False,
            ends_at__gt=now,
            starts_at__lt=now + datetime.timedelta(days=UPCOMING_DAYS),
            signups__volunteer=volunteer,
            signups__withdrawn_at__isnull=True,
        )
        .select_related("route", "team")
        .order_by("starts_at")
    )
    patrols = {
        p.shift_id: p
        for p in Patrol.objects.filter(
            tenant=volunteer.tenant_id, volunteer=volunteer, shift_id__in=[s.pk for s in shifts]
        )
    }
    for shift in shifts:
        opens, closes = shift_start_window(shift)
        shift.my_patrol = patrols.get(shift.pk)
        shift.opens_at = opens
        shift.can_start = shift.my_patrol is None and opens <= now < closes
    return shifts


def active_patrol(*, volunteer: Volunteer) -> Patrol | None:
    return (
        Patrol.objects.filter(tenant=volunteer.tenant_id, volunteer=volunteer, status=Patrol.Status.ACTIVE)
        .select_related("route", "shift")
        .first()
    )


def my_recent_patrols(*, volunteer: Volunteer, limit: int = 10) -> list[Patrol]:
    qs = Patrol.objects.filter(tenant=volunteer.tenant_id, volunteer=volunteer).select_related(
        "route", "shift"
    )
    return list(patrols_with_hours(qs).order_by("-started_at")[:limit])


def patrol_checkpoints(*, patrol: Patrol) -> list[Checkpoint]:
    """The route's checkpoints in order, each with ``.done`` (a check-in of this patrol there that is
    not rejected) and ``.flagged``. Two queries."""
    checkpoints: list[Any] = list(  # each with .done and .flagged
        Checkpoint.objects.filter(tenant=patrol.tenant_id, route_id=patrol.route_id, is_active=True).order_by(
            "position"
        )
    )
    states: dict[int, set[str]] = {}
    for checkpoint_id, review in CheckIn.objects.filter(tenant=patrol.tenant_id, patrol=patrol).values_list(
        "checkpoint_id", "review"
    ):
        states.setdefault(checkpoint_id, set()).add(review)
    for cp in checkpoints:
        reviews = states.get(cp.pk, set())
        cp.done = bool(reviews & set(COUNTED))
        cp.flagged = CheckIn.Review.FLAGGED in reviews
    return checkpoints


def patrol_check_ins(*, patrol: Patrol) -> QuerySet[CheckIn]:
    return (
        CheckIn.objects.filter(tenant=patrol.tenant_id, patrol=patrol)
        .select_related("checkpoint", "reviewed_by")
        .order_by("device_time")
    )


def patrol_map_data(
    *, patrol: Patrol, checkpoints: Iterable[Checkpoint], check_ins: Iterable[CheckIn] = ()
) -> dict[str, Any]:
    """GeoJSON of the route line, its checkpoints (done or not) and the check-ins' positions."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [list(c) for c in patrol.route.path.coords]},
            "properties": {"layer": "route", "name": patrol.route.name},
        }
    ]
    for cp in checkpoints:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [cp.location.x, cp.location.y]},
                "properties": {
                    "layer": "checkpoint",
                    "name": f"{cp.position}. {cp.name}",
                    "radius": cp.radius_m,
                    "done": getattr(cp, "done", False),
                    "flagged": getattr(cp, "flagged", False),
                },
            }
        )
    for ci in check_ins:
        if ci.location is not None:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [ci.location.x, ci.location.y]},
                    "properties": {
                        "layer": "check_in",
                        "name": timezone.localtime(ci.device_time).strftime("%H:%M"),
                        "flagged": bool(ci.flags),
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}


def board_patrols(*, tenant: Tenant) -> list[Patrol]:
    """Every active patrol of the station, all tiers, with its route, volunteer, shift, the last
    check-in's position, time and checkpoint, and how many checkpoints are done. One query."""
    last = (
        CheckIn.objects.filter(patrol=OuterRef("pk"))
        .exclude(review=CheckIn.Review.REJECTED)
        .order_by("-device_time")
    )
    return list(
        Patrol.objects.filter(tenant=tenant, status=Patrol.Status.ACTIVE)
        .select_related("route", "volunteer", "shift", "shift__team")
        .annotate(
            last_location=Subquery(last.values("location")[:1], output_field=PointField(srid=4326)),
            last_time=Subquery(last.values("device_time")[:1]),
            last_checkpoint=Subquery(last.values("checkpoint__name")[:1], output_field=CharField()),
            checkpoints_done=Count(
                "check_ins__checkpoint", filter=Q(check_ins__review__in=COUNTED), distinct=True
            ),
            checkpoints_total=Subquery(
                Checkpoint.objects.filter(route=OuterRef("route"), is_active=True)
                .values("route")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
        )
        .order_by("route__tier", "route__name", "started_at")
    )


def board_data(*, tenant: Tenant) -> dict[str, Any]:
    """The duty board as GeoJSON: each active patrol's route and last position, with its details."""
    features: list[dict[str, Any]] = []
    patrols: list[Any] = board_patrols(tenant=tenant)  # annotated: last_location, last_time, ...
    for p in patrols:
        props = {
            "patrol": p.pk,
            "volunteer": p.volunteer.full_name,
            "route": p.route.name,
            "tier": p.route.tier,
            "tier_label": p.route.get_tier_display(),
            "team": p.shift.team.name if p.shift and p.shift.team else "",
            "started_at": p.started_at.isoformat(),
            "last_check_in_at": p.last_time.isoformat() if p.last_time else None,
            "last_check_in_local": timezone.localtime(p.last_time).strftime("%H:%M") if p.last_time else None,
            "last_checkpoint": p.last_checkpoint or "",
            "checkpoints_done": p.checkpoints_done,
            "checkpoints_total": p.checkpoints_total or 0,
        }
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [list(c) for c in p.route.path.coords]},
                "properties": {**props, "layer": "route"},
            }
        )
        if p.last_location is not None:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [p.last_location.x, p.last_location.y]},
                    "properties": {**props, "layer": "position"},
                }
            )
    return {"type": "FeatureCollection", "features": features, "generated_at": timezone.now().isoformat()}


def team_ids_visible_to(*, tenant: Tenant, user: AbstractBaseUser | AnonymousUser) -> list[int] | None:
    """None when ``user`` sees every patrol of the station (officers, chief, bureau); else the ids
    of the teams they lead: a team leader sees the patrols of their teams' shifts."""
    if roles_for(user, tenant) & (STAFF | {Role.BUREAU_VIEWER}):
        return None
    if not isinstance(user, User):  # anonymous: leads nothing
        return []
    return teams_led_by(tenant=tenant, user=user)


def visible_patrols(*, tenant: Tenant, team_ids: Collection[int] | None = None) -> QuerySet[Patrol]:
    qs = Patrol.objects.filter(tenant=tenant)
    return qs if team_ids is None else qs.filter(shift__team_id__in=team_ids)


def patrol_photo_for_viewer(
    *, tenant: Tenant, pk: Any, user: AbstractBaseUser | AnonymousUser
) -> PatrolPhoto | None:
    """The station's patrol photo ``pk`` if ``user`` may see it, else None (a 404 for the caller):
    the volunteer who took it, and whoever sees the patrol's page (``patrol.view_records``: officers,
    the chief, the bureau, the leader of the shift's team). No patrol photo is public."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    photo = PatrolPhoto.objects.filter(tenant=tenant, pk=pk).select_related("patrol__volunteer").first()
    if photo is None or not user.is_authenticated:
        return None
    if photo.patrol.volunteer.user_id == user.pk and has_station_perm(user, tenant, "patrol.walk"):
        return photo
    if has_station_perm(user, tenant, "patrol.view_records"):
        team_ids = team_ids_visible_to(tenant=tenant, user=user)
        if visible_patrols(tenant=tenant, team_ids=team_ids).filter(pk=photo.patrol_id).exists():
            return photo
    return None


def patrol_list(
    *,
    tenant: Tenant,
    start: datetime.datetime,
    end: datetime.datetime,
    team_ids: Collection[int] | None = None,
) -> QuerySet[Patrol]:
    """Patrols started in [start, end) for officers (or a leader's teams), newest first, with hours
    and check-in counts (one query per page)."""
    flagged = CheckIn.objects.filter(patrol=OuterRef("pk"), review=CheckIn.Review.FLAGGED)
    return (
        patrols_with_hours(
            visible_patrols(tenant=tenant, team_ids=team_ids).filter(
                started_at__gte=start, started_at__lt=end
            )
        )
        .select_related("route", "volunteer", "shift", "shift__team")
        .annotate(
            check_in_count=Count("check_ins", distinct=True),
            has_flagged=Exists(flagged),
        )
        .order_by("-started_at", "-pk")
    )


def review_queue(*, tenant: Tenant) -> QuerySet[CheckIn]:
    """Flagged check-ins waiting for an officer, oldest first."""
    return (
        CheckIn.objects.filter(tenant=tenant, review=CheckIn.Review.FLAGGED)
        .select_related("checkpoint", "patrol", "patrol__route", "patrol__volunteer", "patrol__shift")
        .order_by("received_at", "pk")
    )


def check_ins_to_review(*, tenant: Tenant) -> QuerySet[CheckIn]:
    """Every check-in of the station as the review page lists them, oldest first (the page
    filters them: flagged ones by default)."""
    return (
        CheckIn.objects.filter(tenant=tenant)
        .select_related("checkpoint", "patrol", "patrol__route", "patrol__volunteer", "patrol__shift")
        .order_by("received_at", "pk")
    )


def check_in_list(*, tenant: Tenant, team_ids: Collection[int] | None = None) -> QuerySet[CheckIn]:
    """The station's check-ins, newest first; of the given teams' shifts only when ``team_ids``."""
    qs = CheckIn.objects.filter(tenant=tenant).select_related("checkpoint").order_by("-device_time", "-pk")
    return qs if team_ids is None else qs.filter(patrol__shift__team_id__in=team_ids)


def patrols_with_check_ins(
    *, tenant: Tenant, team_ids: Collection[int] | None = None, with_check_ins: bool = False
) -> QuerySet[Patrol]:
    """The station's patrols (of the given teams' shifts when ``team_ids``), newest first, with their
    hours annotated and, when ``with_check_ins``, their check-ins prefetched in time order."""
    qs = patrols_with_hours(visible_patrols(tenant=tenant, team_ids=team_ids)).select_related(
        "route", "volunteer", "shift"
    )
    if with_check_ins:
        qs = qs.prefetch_related(
            Prefetch(
                "check_ins",
                queryset=CheckIn.objects.filter(tenant=tenant)
                .select_related("checkpoint")
                .order_by("device_time"),
            )
        )
    return qs.order_by("-started_at", "-pk")
