"""Patrols in the field: starting a patrol for a shift, checking in at checkpoints (also late, from
the phone's offline queue), notes and photos, ending the patrol, and the officer's review of flagged
check-ins. Writes are atomic and audited; the integrity rules live here, in one place.

A check-in that breaks a rule is kept, with every flag and a readable reason per flag
(``CheckIn.flag_details``), and waits for an officer. Only check-ins in order or cleared count
towards hours and points (``patrols.selectors.hours``).
"""

import datetime
import logging
import math
import uuid
import zoneinfo
from decimal import Decimal
from typing import Any

from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from jointdefense.core import rollups
from jointdefense.core.outbox import outbox_add
from jointdefense.core.photos import PhotoError, photo_reencode
from jointdefense.core.services import audit
from jointdefense.tenancy import geo
from teams.errors import PointsError
from teams.models import ContributionKind, PointEntry, Volunteer
from teams.services.points import points_award

from ..errors import PatrolError
from ..models import CheckIn, CheckInFlag, Checkpoint, Patrol, PatrolPhoto, Shift, Signup, Tier
from ..selectors.eligibility import patrol_refusal
from ..selectors.field import CHECK_IN_GRACE, shift_start_window
from ..selectors.hours import COUNTED, patrol_hours
from ..selectors.rollups import (
    CHECK_INS,
    CHECKPOINTS,
    PLANNED,
    WALKED,
    PatrolCounts,
    patrol_counts_bumps,
    patrol_counts_now,
)
from .planning import Actor

log = logging.getLogger(__name__)

# a phone clock this far ahead of the server is not believed
CLOCK_AHEAD_TOLERANCE = datetime.timedelta(minutes=5)
# nor a check-in that happened longer before the server got it than a phone plausibly stays offline
# on a round: without this, scans sent together could claim any times and so any hours
OFFLINE_QUEUE_MAX = datetime.timedelta(minutes=60)
# the same checkpoint again within this time of an earlier check-in at it is flagged
REPEAT_WINDOW = datetime.timedelta(minutes=30)
# fastest plausible speed between two check-ins, by tier: brigade members may ride e-bikes,
# community patrols walk briskly, compound guards walk their rounds
MAX_SPEED_KMH: dict[str, int] = {Tier.BRIGADE: 25, Tier.COMMUNITY: 12, Tier.COMPOUND: 8}
# metres of slack added to the distance allowed between two check-ins (GPS scatter), beyond the
# reported accuracies (each capped at MAX_ACCURACY_SLACK_M)
SPEED_SLACK_M = 30
MAX_ACCURACY_SLACK_M = 100
MAX_NOTE_LENGTH = 2000
MAX_BATCH = 100

EARTH_RADIUS_M = 6_371_008.8


def distance_m(a: Point, b: Point) -> float:
    """Great-circle distance in metres between two WGS 84 points (haversine; well under 0.5 %
    from the ellipsoid over the distances of a patrol)."""
    lng1, lat1, lng2, lat2 = map(math.radians, (a.x, a.y, b.x, b.y))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


# ---- starting a patrol ---------------------------------------------------------------------------


def patrol_start_refusal(
    *, shift: Shift, volunteer: Volunteer, now: datetime.datetime | None = None
) -> str | None:
    """Why ``volunteer`` may not start a patrol for ``shift`` now (the eligibility rule, the shift
    cancelled, too early or over), or None. The sign-up is checked by :func:`patrol_start`."""
    now = now or timezone.now()
    refusal = patrol_refusal(volunteer)
    if refusal:
        return refusal
    if shift.is_cancelled:
        return _("This shift is cancelled.")
    opens, closes = shift_start_window(shift)
    if now < opens:
        return _("You can start this patrol from %(time)s, half an hour before the shift.") % {
            "time": _hhmm(opens, shift.tenant.zoneinfo)
        }
    if now >= closes:
        return _("This shift is over.")
    return None


@transaction.atomic
def patrol_start(
    *, shift: Shift, volunteer: Volunteer, actor: Actor, now: datetime.datetime | None = None
) -> Patrol:
    """Start ``volunteer``'s patrol for ``shift``: they must be signed up (and not withdrawn), may
    patrol (:func:`patrols.selectors.eligibility.patrol_refusal`), and it must be between half an
    hour before the shift and its end. One patrol per shift and volunteer, one active patrol per volunteer.
    The route's checkpoints in use now are the ones planned for the patrol (checkpoint compliance
    counts against them, whatever becomes of the route later)."""
    now = now or timezone.now()
    if shift.tenant_id != volunteer.tenant_id:
        raise PatrolError(_("This shift belongs to another station."))
    if not Signup.objects.filter(
        tenant=shift.tenant_id, shift=shift, volunteer=volunteer, withdrawn_at__isnull=True
    ).exists():
        raise PatrolError(_("You are not signed up for this shift."))
    refusal = patrol_start_refusal(shift=shift, volunteer=volunteer, now=now)
    if refusal:
        raise PatrolError(refusal)
    if Patrol.objects.filter(tenant=shift.tenant_id, shift=shift, volunteer=volunteer).exists():
        raise PatrolError(_("You have already started a patrol for this shift."))
    patrols_ended_after_shift(tenant_id=shift.tenant_id, now=now, volunteer=volunteer)
    if Patrol.objects.filter(
        tenant=shift.tenant_id, volunteer=volunteer, status=Patrol.Status.ACTIVE
    ).exists():
        raise PatrolError(_("You are already on patrol: end that patrol first."))
    planned = Checkpoint.objects.filter(tenant=shift.tenant_id, route=shift.route_id, is_active=True).count()
    try:
        with transaction.atomic():
            patrol = Patrol.objects.create(
                tenant_id=shift.tenant_id,
                shift=shift,
                route_id=shift.route_id,
                volunteer=volunteer,
                started_at=now,
                checkpoints_planned=planned,
            )
    except IntegrityError:  # a second tap of the button, at the same moment
        raise PatrolError(_("You have already started a patrol for this shift.")) from None
    rollups.bump_all(
        shift.tenant,
        [
            rollups.Bump(WALKED, patrol.started_at),
            rollups.Bump(CHECKPOINTS, patrol.started_at, planned, dimension=PLANNED),
        ],
    )
    audit(tenant=shift.tenant, actor=actor, action="patrol.started", target=patrol, shift=shift.pk)
    return patrol


def patrols_ended_after_shift(
    *, now: datetime.datetime, tenant_id: int | None = None, volunteer: Volunteer | None = None
) -> list[int]:
    """End the patrols nobody ended, once their shift is over (with the check-in grace): ended at
    the shift's end. One UPDATE; returns the ids (their points follow through the sweep)."""
    stale = Patrol.objects.filter(
        status=Patrol.Status.ACTIVE, shift__isnull=False, shift__ends_at__lt=now - CHECK_IN_GRACE
    )
    if tenant_id is not None:
        stale = stale.filter(tenant=tenant_id)
    if volunteer is not None:
        stale = stale.filter(volunteer=volunteer)
    ids = list(
        Patrol.objects.filter(pk__in=stale.values("pk"))
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)
    )
    if ids:
        Patrol.objects.filter(pk__in=ids, status=Patrol.Status.ACTIVE).update(
            status=Patrol.Status.ENDED,
            ended_at=Subquery(Shift.objects.filter(pk=OuterRef("shift_id")).values("ends_at")[:1]),
        )
    return ids


# ---- checking in -----------------------------------------------------------------------------------


def _hhmm(value: datetime.datetime, tz: zoneinfo.ZoneInfo | None = None) -> str:
    """Wall-clock time in ``tz`` (the current time zone when None)."""
    return timezone.localtime(value, tz).strftime("%H:%M")


def check_in_flags(
    *,
    patrol: Patrol,
    shift: Shift | None,
    checkpoint: Checkpoint,
    location: Point | None,
    accuracy_m: float | None,
    device_time: datetime.datetime,
    now: datetime.datetime,
    earlier: list[CheckIn],
    tz: zoneinfo.ZoneInfo | None = None,
) -> tuple[list[str], list[str], float | None]:
    """The flags of a check-in and a readable reason for each, and its distance from the checkpoint.
    Times in the reasons are wall-clock times in ``tz`` (the station's time zone).

    ``earlier`` are the patrol's other check-ins (any order). Pure: no queries."""
    flags: list[str] = []
    reasons: list[str] = []
    distance = None

    if checkpoint.route_id != patrol.route_id:
        flags.append(CheckInFlag.OTHER_ROUTE)
        reasons.append(
            _("“%(checkpoint)s” is a checkpoint of another route, not of “%(route)s”.")
            % {"checkpoint": checkpoint.name, "route": patrol.route.name}
        )

    if location is None:
        flags.append(CheckInFlag.NO_LOCATION)
        reasons.append(_("The phone sent no location."))
    else:
        distance = distance_m(location, checkpoint.location)
        if distance > checkpoint.radius_m:
            flags.append(CheckInFlag.OUTSIDE_RADIUS)
            reasons.append(
                _("%(distance)d m from the checkpoint; its radius is %(radius)d m.")
                % {"distance": round(distance), "radius": checkpoint.radius_m}
            )

    if device_time > now + CLOCK_AHEAD_TOLERANCE:
        flags.append(CheckInFlag.OUTSIDE_WINDOW)
        reasons.append(
            _("The phone's clock says %(device)s, ahead of the server's %(server)s.")
            % {"device": _hhmm(device_time, tz), "server": _hhmm(now, tz)}
        )
    if device_time < now - OFFLINE_QUEUE_MAX:
        flags.append(CheckInFlag.DEVICE_CLOCK)
        reasons.append(
            _(
                "The phone says this check-in happened at %(device)s, but it reached the server at "
                "%(server)s: longer than a phone stays offline on a round."
            )
            % {"device": _hhmm(device_time, tz), "server": _hhmm(now, tz)}
        )
    elif shift is not None and not (
        shift.starts_at - CHECK_IN_GRACE <= device_time <= shift.ends_at + CHECK_IN_GRACE
    ):
        flags.append(CheckInFlag.OUTSIDE_WINDOW)
        reasons.append(
            _("Checked in at %(time)s, outside the shift's hours %(start)s–%(end)s.")
            % {
                "time": _hhmm(device_time, tz),
                "start": _hhmm(shift.starts_at, tz),
                "end": _hhmm(shift.ends_at, tz),
            }
        )

    same = [
        c
        for c in earlier
        if c.checkpoint_id == checkpoint.pk
        and c.review != CheckIn.Review.REJECTED
        and abs(c.device_time - device_time) < REPEAT_WINDOW
    ]
    if same:
        flags.append(CheckInFlag.REPEATED)
        reasons.append(
            _("Already checked in here at %(time)s.")
            % {"time": _hhmm(min(same, key=lambda c: c.device_time).device_time, tz)}
        )

    if location is not None:
        # the neighbours in time, with a location: the check-in just before and just after
        located = [c for c in earlier if c.location is not None and c.review != CheckIn.Review.REJECTED]
        before = max(
            (c for c in located if c.device_time <= device_time), key=lambda c: c.device_time, default=None
        )
        after = min(
            (c for c in located if c.device_time > device_time), key=lambda c: c.device_time, default=None
        )
        limit_kmh = MAX_SPEED_KMH.get(patrol.route.tier, MAX_SPEED_KMH[Tier.COMMUNITY])
        for other in (before, after):
            if other is None or other.location is None or other.checkpoint_id == checkpoint.pk:
                continue
            metres = distance_m(location, other.location)
            slack = (
                SPEED_SLACK_M
                + min(accuracy_m or 0, MAX_ACCURACY_SLACK_M)
                + min(other.accuracy_m or 0, MAX_ACCURACY_SLACK_M)
            )
            seconds = abs((device_time - other.device_time).total_seconds())
            allowed = limit_kmh / 3.6 * seconds + slack
            if metres > allowed:
                flags.append(CheckInFlag.TOO_FAST)
                speed = metres / seconds * 3.6 if seconds else None
                reasons.append(
                    (
                        _(
                            "%(distance)d m from the check-in at %(time)s in %(minutes)s min "
                            "(%(speed)d km/h; at most %(limit)d km/h on this route)."
                        )
                        if speed is not None
                        else _("%(distance)d m from the check-in at %(time)s at the same moment.")
                    )
                    % {
                        "distance": round(metres),
                        "time": _hhmm(other.device_time, tz),
                        "minutes": f"{seconds / 60:.1f}",
                        "speed": round(speed or 0),
                        "limit": limit_kmh,
                    }
                )
                break
    return flags, reasons, distance


def _find_patrol(
    *, volunteer: Volunteer, device_time: datetime.datetime, patrol_id: int | None = None
) -> Patrol:
    patrols = Patrol.objects.filter(tenant=volunteer.tenant_id, volunteer=volunteer).select_related(
        "route", "shift"
    )
    if patrol_id is not None:
        patrol = patrols.filter(pk=patrol_id).first()
        if patrol is None:
            raise PatrolError(_("That patrol is not yours."), field="patrol", code="patrol_unknown")
        return patrol
    # the patrol under way when the phone checked in (an offline check-in may arrive after its end)
    patrol = (
        patrols.filter(started_at__lte=device_time + CHECK_IN_GRACE)
        .filter(ended_at__isnull=True)
        .order_by("-started_at")
        .first()
    ) or (
        patrols.filter(
            started_at__lte=device_time + CHECK_IN_GRACE, ended_at__gte=device_time - CHECK_IN_GRACE
        )
        .order_by("-started_at")
        .first()
    )
    if patrol is None:
        patrol = patrols.filter(status=Patrol.Status.ACTIVE).first()
    if patrol is None:
        raise PatrolError(_("You are not on patrol: start your patrol first."), code="no_patrol")
    return patrol


def check_in_submit(
    *,
    volunteer: Volunteer,
    qr_token: str,
    client_id: uuid.UUID | str,
    device_time: datetime.datetime,
    lat: float | None = None,
    lng: float | None = None,
    accuracy_m: float | None = None,
    patrol_id: int | None = None,
    now: datetime.datetime | None = None,
) -> tuple[CheckIn, bool]:
    """Record a check-in of ``volunteer`` at the checkpoint whose QR code carries ``qr_token``.

    Sent again with the same ``client_id`` (the phone's offline queue retrying), it returns the
    first one and ``False``. ``device_time`` is when the phone checked in; the server's time is
    ``received_at``. Breaking a rule flags the check-in, it is never refused for that."""
    now = now or timezone.now()
    tenant_id = volunteer.tenant_id
    try:
        client_id = uuid.UUID(str(client_id))
    except ValueError:
        raise PatrolError(_("The check-in id is not valid."), field="client_id", code="client_id") from None
    existing = _existing(tenant_id, client_id, volunteer)
    if existing is not None:
        return existing, False
    if timezone.is_naive(device_time):
        raise PatrolError(_("The phone's time has no time zone."), field="device_time")
    checkpoint = (
        Checkpoint.objects.filter(tenant=tenant_id, qr_token=qr_token).select_related("route").first()
    )
    if checkpoint is None:
        raise PatrolError(
            _("This QR code is not a checkpoint of this station."), field="checkpoint", code="unknown"
        )
    location = None
    if lat is not None and lng is not None:
        try:
            location = geo.point(lng, lat)
        except (TypeError, ValueError, OverflowError):
            raise PatrolError(_("The location is not a valid coordinate."), field="lat") from None
    if accuracy_m is not None:
        accuracy_m = max(0.0, float(accuracy_m))
    with transaction.atomic():
        patrol = _find_patrol(volunteer=volunteer, device_time=device_time, patrol_id=patrol_id)
        # one check-in of a patrol at a time, so each is judged against all the earlier ones; the
        # fields another request may have changed meanwhile (ended it, checked in) are read locked
        locked = (
            Patrol.objects.select_for_update()
            .only("status", "ended_at", "last_check_in_at")
            .get(pk=patrol.pk)
        )
        patrol.status, patrol.ended_at = locked.status, locked.ended_at
        patrol.last_check_in_at = locked.last_check_in_at
        if patrol.ended_at is not None and device_time > patrol.ended_at + CHECK_IN_GRACE:
            raise PatrolError(_("This patrol has ended; start a new one to check in."), code="ended")
        earlier = list(CheckIn.objects.filter(tenant=tenant_id, patrol=patrol))
        flags, reasons, distance = check_in_flags(
            patrol=patrol,
            shift=patrol.shift,
            checkpoint=checkpoint,
            location=location,
            accuracy_m=accuracy_m,
            device_time=device_time,
            now=now,
            earlier=earlier,
            tz=volunteer.tenant.zoneinfo,
        )
        counts_before = None if flags else patrol_counts_now(patrol)
        try:
            with transaction.atomic():
                check_in = CheckIn.objects.create(
                    tenant_id=tenant_id,
                    patrol=patrol,
                    checkpoint=checkpoint,
                    client_id=client_id,
                    location=location,
                    accuracy_m=accuracy_m,
                    distance_m=distance,
                    device_time=device_time,
                    received_at=now,
                    flags=flags,
                    flag_details="\n".join(reasons),
                    review=CheckIn.Review.FLAGGED if flags else CheckIn.Review.OK,
                )
        except IntegrityError:  # the same check-in, sent twice at the same moment
            existing = _existing(tenant_id, client_id, volunteer)
            if existing is None:
                raise
            return existing, False
        _bump_check_in(volunteer.tenant, patrol, check_in.review, counts_before)
        if patrol.last_check_in_at is None or device_time > patrol.last_check_in_at:
            Patrol.objects.filter(pk=patrol.pk).update(last_check_in_at=device_time)
            patrol.last_check_in_at = device_time
        if patrol.status == Patrol.Status.ENDED:
            # sent late from the phone's queue after the patrol ended: its points may follow now
            _award_later(patrol)
    return check_in, True


def _bump_check_in(tenant: Any, patrol: Patrol, review: str, counts_before: PatrolCounts | None) -> None:
    """Count a new check-in on its patrol's day and, when it counts, the change of the patrol's
    hours and checkpoints made (``selectors.rollups``), in the caller's transaction."""
    bumps = [rollups.Bump(CHECK_INS, patrol.started_at, dimension=review)]
    if counts_before is not None:
        bumps += patrol_counts_bumps(patrol, counts_before, patrol_counts_now(patrol))
    rollups.bump_all(tenant, bumps)


def _existing(tenant_id: int, client_id: uuid.UUID, volunteer: Volunteer) -> CheckIn | None:
    existing = CheckIn.objects.filter(tenant=tenant_id, client_id=client_id).select_related("patrol").first()
    if existing is not None and existing.patrol.volunteer_id != volunteer.pk:
        raise PatrolError(_("This check-in id is already used."), field="client_id", code="client_id")
    return existing


def check_in_submit_batch(
    *, volunteer: Volunteer, items: list[dict[str, Any]], now: datetime.datetime | None = None
) -> list[dict[str, Any]]:
    """Check-ins from the phone's offline queue, oldest first. Each is recorded on its own: one
    that is refused does not stop the others. Returns one result per item, in the given order."""
    if len(items) > MAX_BATCH:
        raise PatrolError(_("Send at most %(n)d check-ins at once.") % {"n": MAX_BATCH})
    now = now or timezone.now()
    results: list[dict[str, Any] | None] = [None] * len(items)
    for index in sorted(range(len(items)), key=lambda i: items[i]["device_time"]):
        item = items[index]
        try:
            check_in, created = check_in_submit(volunteer=volunteer, now=now, **item)
        except PatrolError as err:
            results[index] = {
                "client_id": str(item.get("client_id")),
                "status": "refused",
                "error": str(err.message),
            }
        else:
            results[index] = {
                "client_id": str(check_in.client_id),
                "status": "created" if created else "duplicate",
                "check_in": check_in,
            }
    return [r for r in results if r is not None]  # every item has its result


# ---- notes, photos, the end ----------------------------------------------------------------------------


def _own_active(patrol: Patrol, volunteer: Volunteer) -> None:
    if patrol.volunteer_id != volunteer.pk:
        raise PatrolError(_("That patrol is not yours."))
    if patrol.status != Patrol.Status.ACTIVE:
        raise PatrolError(_("This patrol has ended."))


@transaction.atomic
def patrol_note_add(
    *, patrol: Patrol, volunteer: Volunteer, text: str, now: datetime.datetime | None = None
) -> Patrol:
    """Append a timestamped line to the patrol's notes."""
    _own_active(patrol, volunteer)
    text = " ".join(text.split())
    if not text:
        raise PatrolError(_("Write something first."), field="text")
    stamp = _hhmm(now or timezone.now())
    notes = f"{patrol.notes}\n{stamp} {text}".strip()
    if len(notes) > MAX_NOTE_LENGTH * 5:
        raise PatrolError(_("The patrol's notes are full."), field="text")
    patrol.notes = notes
    patrol.save(update_fields=["notes"])
    return patrol


@transaction.atomic
def patrol_photo_add(
    *, patrol: Patrol, volunteer: Volunteer, upload: "UploadedFile[Any]", caption: str = ""
) -> PatrolPhoto:
    """A photo re-encoded without metadata (no GPS, no camera) by core.photos."""
    _own_active(patrol, volunteer)
    try:
        content, _w, _h = photo_reencode(upload)
    except PhotoError as err:
        raise PatrolError(err.message, field="photo", code=err.code) from None
    return PatrolPhoto.objects.create(
        tenant_id=patrol.tenant_id, patrol=patrol, image=content, caption=caption[:200]
    )


@transaction.atomic
def patrol_end(
    *, patrol: Patrol, volunteer: Volunteer, actor: Actor, now: datetime.datetime | None = None
) -> Patrol:
    """End the patrol. Points follow once nothing of it is waiting for an officer (patrols.tasks)."""
    _own_active(patrol, volunteer)
    now = now or timezone.now()
    patrol.status = Patrol.Status.ENDED
    patrol.ended_at = now
    patrol.save(update_fields=["status", "ended_at"])
    audit(tenant=patrol.tenant, actor=actor, action="patrol.ended", target=patrol)
    _award_later(patrol)
    return patrol


def _award_later(patrol: Patrol) -> None:
    """Queue the patrol's points (the task ``patrols.award_patrol_points``) through the outbox."""
    outbox_add("patrols.award_patrol_points", {"tenant_id": patrol.tenant_id, "patrol_id": patrol.pk})


# ---- the officer's review ---------------------------------------------------------------------------


@transaction.atomic
def check_in_review(
    *, check_in: CheckIn, actor: Actor, decision: str, note: str = "", now: datetime.datetime | None = None
) -> CheckIn:
    """Clear (it counts after all) or reject (it never counts) a flagged check-in. Audited. When
    the last flag of an ended patrol is decided, its points follow."""
    if decision not in ("clear", "reject"):
        raise PatrolError(_("Choose to clear or to reject the check-in."), field="decision")
    check_in = CheckIn.objects.select_for_update().get(pk=check_in.pk)
    if check_in.review != CheckIn.Review.FLAGGED:
        raise PatrolError(_("This check-in is not waiting for a review."), code="not_flagged")
    patrol = check_in.patrol
    counts_before = patrol_counts_now(patrol) if decision == "clear" else None
    check_in.review = CheckIn.Review.CLEARED if decision == "clear" else CheckIn.Review.REJECTED
    check_in.reviewed_by = actor
    check_in.reviewed_at = now or timezone.now()
    check_in.save(update_fields=["review", "reviewed_by", "reviewed_at"])
    bumps = [
        rollups.Bump(CHECK_INS, patrol.started_at, -1, dimension=CheckIn.Review.FLAGGED),
        rollups.Bump(CHECK_INS, patrol.started_at, 1, dimension=check_in.review),
    ]
    if counts_before is not None:  # cleared: it counts now (a rejected one never did)
        bumps += patrol_counts_bumps(patrol, counts_before, patrol_counts_now(patrol))
    rollups.bump_all(check_in.tenant, bumps)
    audit(
        tenant=check_in.tenant,
        actor=actor,
        action=f"checkin.{check_in.review}",
        target=check_in,
        patrol=check_in.patrol_id,
        flags=list(check_in.flags),
        note=note[:500],
    )
    if (
        patrol.status == Patrol.Status.ENDED
        and not CheckIn.objects.filter(
            tenant=check_in.tenant_id, patrol=patrol, review=CheckIn.Review.FLAGGED
        ).exists()
    ):
        _award_later(patrol)
    return check_in


# ---- points ------------------------------------------------------------------------------------------


def patrol_points_award(*, patrol: Patrol) -> PointEntry | None:
    """Award the patrol's hours as points, once (key ``patrol:<id>``): only an ended patrol with no
    check-in waiting for an officer, and only for the hours its counted check-ins prove. Returns
    the ledger entry, or None when there is nothing (yet) to award."""
    if patrol.status != Patrol.Status.ENDED:
        return None
    if CheckIn.objects.filter(tenant=patrol.tenant_id, patrol=patrol, review=CheckIn.Review.FLAGGED).exists():
        return None
    hours = patrol_hours(patrol)
    if hours <= 0:
        return None
    try:
        with transaction.atomic():
            entry, _created = points_award(
                tenant=patrol.tenant,
                volunteer=patrol.volunteer,
                kind=ContributionKind.PATROL_HOUR,
                idempotency_key=f"patrol:{patrol.pk}",
                quantity=Decimal(str(round(hours, 2))),
                reason=_("Patrol on %(route)s, %(hours)s h")
                % {"route": patrol.route.name, "hours": f"{hours:.2f}"},
                occurred_at=patrol.ended_at,
            )
    except PointsError as err:  # the station awards nothing for patrols, or the volunteer left
        log.info("no points for patrol %s: %s", patrol.pk, err.message)
        return None
    return entry


# ---- points in the background (called by patrols.tasks) -----------------------------------------------

AWARD_BATCH = 1000  # at most this many awards per sweep; the next run takes the rest
AWARD_LOOKBACK = datetime.timedelta(days=14)


def patrol_points_award_by_id(*, tenant_id: int, patrol_id: int) -> PointEntry | None:
    """Points for one ended patrol, by id (the task queued after it ends or its last flag is
    decided). The ledger's idempotency key ``patrol:<id>`` makes a retry award nothing more."""
    patrol = (
        Patrol.objects.filter(tenant=tenant_id, pk=patrol_id)
        .select_related("route", "shift", "volunteer", "tenant")
        .first()
    )
    if patrol is None:
        return None
    return patrol_points_award(patrol=patrol)


def patrol_points_sweep(*, now: datetime.datetime | None = None) -> int:
    """End the patrols nobody ended once their shift is over, then award the patrols that ended
    with nothing waiting for review and were not awarded (a lost message, a broker outage). Two
    queries to end and one to find them; the award itself writes per patrol. Returns how many
    were awarded."""
    now = now or timezone.now()
    key = Concat(Value("patrol:"), Cast("pk", CharField()), output_field=CharField())
    with scopes_disabled():
        with transaction.atomic():  # patrols nobody ended: over with their shift
            patrols_ended_after_shift(now=now)
        patrols = list(
            Patrol.objects.filter(status=Patrol.Status.ENDED, ended_at__gt=now - AWARD_LOOKBACK)
            .annotate(points_key=key)
            .filter(
                ~Exists(CheckIn.objects.filter(patrol=OuterRef("pk"), review=CheckIn.Review.FLAGGED)),
                ~Exists(
                    PointEntry.objects.filter(
                        tenant=OuterRef("tenant"), idempotency_key=OuterRef("points_key")
                    )
                ),
                # at least two counted check-ins at different times: some hours to award
                Exists(
                    CheckIn.objects.filter(patrol=OuterRef("pk"), review__in=COUNTED).exclude(
                        device_time=Subquery(
                            CheckIn.objects.filter(patrol=OuterRef(OuterRef("pk")), review__in=COUNTED)
                            .order_by("device_time")
                            .values("device_time")[:1]
                        )
                    )
                ),
            )
            .select_related("route", "shift", "volunteer", "tenant")
            .order_by("ended_at")[:AWARD_BATCH]
        )
    awarded = 0
    for patrol in patrols:
        with scope(tenant=patrol.tenant.scope_tenants()):
            if patrol_points_award(patrol=patrol) is not None:
                awarded += 1
    return awarded
