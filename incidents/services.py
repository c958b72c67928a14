"""Writes of the incidents app: each one atomic and audited, with an explicit actor."""

import math
import secrets

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from jointdefense.core.photos import PhotoError, photo_reencode
from jointdefense.core.services import audit
from jointdefense.tenancy import geo
from jointdefense.tenancy.models import Community, GridCell, Tenant

from .errors import ReportError
from .models import DEFAULT_CATEGORIES, Category, Report, ReportEvent, ReportPhoto
from .selectors import NEARBY_METRES, OPEN

MAX_PHOTOS = 5
MAX_DESCRIPTION = 2000
# public locations are snapped to a grid of this many degrees of latitude (about 100 m)
BLUR_DEGREES = 0.001
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read out over the phone
TRACKING_LENGTH = 10  # 31^10 ≈ 8×10^14 codes


def station_defaults_ensure(*, tenant: Tenant) -> None:
    from django.utils import translation

    for position, (slug, name, kind, description) in enumerate(DEFAULT_CATEGORIES):
        with translation.override(tenant.default_language):
            Category.objects.get_or_create(
                tenant=tenant,
                slug=slug,
                defaults={
                    "name": str(name),
                    "kind": kind,
                    "description": str(description),
                    "position": position,
                },
            )


def parse_point(lat, lng) -> Point:
    """Coordinates are numbers, parsed as numbers (never handed to GDAL as text)."""
    try:
        float(lat), float(lng)
    except (TypeError, ValueError, OverflowError):
        raise ReportError(
            _("Place the pin on the map where it happened."), field="location", code="location"
        ) from None
    try:
        return geo.point(lng, lat)
    except ValueError:
        raise ReportError(
            _("The location is not a valid map position."), field="location", code="location"
        ) from None


def blur(point: Point) -> Point:
    """Snap to the centre of a ~100 m grid square: close enough to find, too coarse to find a door."""
    lat_step = BLUR_DEGREES
    lat = (math.floor(point.y / lat_step) + 0.5) * lat_step
    lng_step = BLUR_DEGREES / max(math.cos(math.radians(lat)), 0.1)  # the row's own width
    lng = (math.floor(point.x / lng_step) + 0.5) * lng_step
    return Point(round(lng, 6), round(lat, 6), srid=4326)


def station_covering(point: Point) -> Tenant | None:
    return Tenant.objects.filter(kind=Tenant.Kind.STATION, is_active=True, boundary__intersects=point).first()


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


@transaction.atomic
def report_submit(
    *,
    tenant: Tenant,
    category: Category,
    description: str,
    lat,
    lng,
    photos=(),
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    anonymous: bool = False,
    reporter=None,
    source: str = Report.Source.WEB,
    add_to: Report | None = None,
) -> Report:
    """File a report. Everything is checked before anything is written; photos are re-encoded.

    ``add_to``: the resident saw an open report of the same incident near their pin and adds to it
    instead of filing a duplicate. Their report is kept (with its own tracking code, photos and
    contact) joined to that one, and follows its public timeline."""
    if category is None or category.tenant_id != tenant.pk or not category.is_active:
        raise ReportError(_("Choose what you are reporting."), field="category", code="category")
    description = (description or "").strip()
    if not description:
        raise ReportError(_("Say in a few words what happened."), field="description", code="description")
    if len(description) > MAX_DESCRIPTION:
        raise ReportError(
            _("Keep the description under %(max)d characters.") % {"max": MAX_DESCRIPTION},
            field="description",
            code="description",
        )
    point = parse_point(lat, lng)
    if not tenant.boundary or not tenant.boundary.intersects(point):
        other = station_covering(point)
        raise ReportError(
            _("This place is outside the area of %(station)s.") % {"station": tenant.name},
            field="location",
            code="outside",
            other_station=other,
        )
    photos = list(photos)
    if len(photos) > MAX_PHOTOS:
        raise ReportError(
            _("Send at most %(max)d photos.") % {"max": MAX_PHOTOS}, field="photos", code="photos"
        )
    if add_to is not None:
        add_to = _joinable(add_to, tenant=tenant, category=category, point=point)
    clean_photos = _photos_reencoded(photos)  # all checked before the report is written
    if anonymous:
        contact_name = contact_phone = contact_email = ""
    community = Community.objects.filter(tenant=tenant, boundary__intersects=point).first()
    cell = GridCell.objects.filter(tenant=tenant, boundary__intersects=point).first()
    report = Report(
        tenant=tenant,
        tracking_code=_unique_code(tenant),
        category=category,
        description=description,
        location=point,
        public_location=blur(point),
        community=community,
        grid_cell=cell,
        reporter=reporter if getattr(reporter, "is_authenticated", False) else None,
        anonymous=anonymous,
        contact_name=contact_name.strip()[:100],
        contact_phone=contact_phone.strip()[:30],
        contact_email=contact_email.strip(),
        source=source,
    )
    report.full_clean(exclude=["public_location", "location"])
    report.save()
    for content, width, height in clean_photos:
        ReportPhoto.objects.create(tenant=tenant, report=report, image=content, width=width, height=height)
    ReportEvent.objects.create(
        tenant=tenant,
        report=report,
        kind=ReportEvent.Kind.SUBMITTED,
        public=True,
        to_status=Report.Status.NEW,
        actor=report.reporter,
    )
    audit(tenant=tenant, actor=reporter, action="report.submitted", target=report, source=source)
    if add_to is not None:
        _join(report, add_to, actor=None)
    _notify_receipt(report)
    return report


def _joinable(primary: Report, *, tenant, category, point) -> Report:
    """The open report a resident adds to: of this station and category, open, near the pin."""
    from django.contrib.gis.measure import D

    ok = Report.objects.filter(
        pk=primary.pk,
        tenant=tenant,
        category=category,
        status__in=OPEN,
        public_location__distance_lte=(point, D(m=NEARBY_METRES)),
    )
    primary = ok.select_for_update(of=("self",)).first()
    if primary is None:
        raise ReportError(
            _("That report is closed or not near your pin any more. File yours on its own."),
            field="add_to",
            code="add_to",
        )
    return primary


def _join(duplicate: Report, primary: Report, *, actor) -> None:
    """Join ``duplicate`` to ``primary``: its own duplicates follow, so chains never form."""
    Report.objects.filter(tenant=primary.tenant_id, duplicate_of=duplicate).update(duplicate_of=primary)
    previous = duplicate.status
    duplicate.status, duplicate.duplicate_of = S.MERGED, primary
    duplicate.save(update_fields=["status", "duplicate_of", "updated_at"])
    ReportEvent.objects.create(
        tenant_id=duplicate.tenant_id,
        report=duplicate,
        kind=ReportEvent.Kind.MERGED,
        public=True,
        from_status=previous,
        to_status=S.MERGED,
        text=_("Joined to report %(code)s of the same incident; its updates show here.")
        % {"code": primary.tracking_code},
        actor=actor,
    )
    ReportEvent.objects.create(
        tenant_id=primary.tenant_id,
        report=primary,
        kind=ReportEvent.Kind.MERGED,
        public=True,
        text=_("Another resident reported the same incident."),
        actor=actor,
    )
    Report.objects.filter(pk=primary.pk).update(updated_at=duplicate.updated_at)


@transaction.atomic
def report_merge(*, duplicate: Report, into: Report, actor) -> Report:
    """An officer merges a duplicate into the report that stays (``into``); the duplicate's
    reporter follows ``into`` from then on and hears of it on their tracking page."""
    if duplicate.tenant_id != into.tenant_id or duplicate.pk == into.pk:
        raise ReportError(_("Choose another report of this station to merge with."), code="merge")
    first, second = sorted([duplicate, into], key=lambda r: r.pk)  # lock in a fixed order
    locked = {r.pk: _locked_report(r) for r in (first, second)}
    duplicate, into = locked[duplicate.pk], locked[into.pk]
    if S.MERGED in (duplicate.status, into.status):
        raise ReportError(_("One of these reports is already joined to another."), code="merge")
    if duplicate.status in (S.CLOSED, S.REJECTED) or into.status == S.REJECTED:
        raise ReportError(_("Closed and rejected reports are not merged."), code="merge")
    _join(duplicate, into, actor=actor)
    audit(tenant=into.tenant, actor=actor, action="report.merged", target=into, duplicate=duplicate.pk)
    _notify_reporter(
        duplicate,
        _("Your report is joined to report %(code)s of the same incident.") % {"code": into.tracking_code},
        f"merge:{duplicate.pk}",
        followers=False,
    )
    return into


def _unique_code(tenant) -> str:
    while True:
        code = new_tracking_code()
        with scopes_disabled():
            if not Report.objects.filter(tenant=tenant, tracking_code=code).exists():
                return code


@transaction.atomic
def report_add_information(*, report: Report, text: str, photos=()) -> ReportEvent:
    """The reporter (holding the tracking code) adds information or photos, or answers a question."""
    text = (text or "").strip()
    photos = list(photos)
    if not text and not photos:
        raise ReportError(_("Write something or add a photo."), field="text", code="empty")
    if len(text) > MAX_DESCRIPTION:
        raise ReportError(
            _("Keep the text under %(max)d characters.") % {"max": MAX_DESCRIPTION}, field="text", code="text"
        )
    if report.duplicate_of_id:  # the officers work on the report it is joined to
        report = report.duplicate_of
    if report.status in (Report.Status.CLOSED, Report.Status.REJECTED):
        raise ReportError(
            _("This report is closed. File a new report if something happened again."), code="closed"
        )
    if report.photos.count() + len(photos) > MAX_PHOTOS * 2:
        raise ReportError(_("This report has all the photos it can take."), field="photos", code="photos")
    clean_photos = _photos_reencoded(photos)
    for content, width, height in clean_photos:
        ReportPhoto.objects.create(
            tenant_id=report.tenant_id, report=report, image=content, width=width, height=height
        )
    event = ReportEvent.objects.create(
        tenant_id=report.tenant_id,
        report=report,
        kind=ReportEvent.Kind.REPORTER_INFO,
        public=True,
        text=text or _("Added %(n)d photo(s).") % {"n": len(photos)},
    )
    Report.objects.filter(pk=report.pk).update(updated_at=event.created_at)
    return event


# ---- triage (officers) -------------------------------------------------------------------------------

S = Report.Status
TRANSITIONS = {
    S.NEW: {S.TRIAGED, S.ASSIGNED, S.REJECTED},
    S.TRIAGED: {S.ASSIGNED, S.REJECTED},
    S.ASSIGNED: {S.IN_PROGRESS, S.RESOLVED, S.REJECTED},
    S.IN_PROGRESS: {S.RESOLVED},
    S.RESOLVED: {S.CLOSED, S.IN_PROGRESS},
    S.CLOSED: set(),
    S.REJECTED: set(),
    S.MERGED: set(),  # only report_merge joins a report to another; it never comes back
}


def _locked_report(report: Report) -> Report:
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("tenant")
        .get(pk=report.pk, tenant=report.tenant_id)
    )


@transaction.atomic
def report_transition(
    *, report: Report, actor, to: str, public_text: str = "", priority: str | None = None
) -> Report:
    """Move a report along its flow; the change and its public text appear on the tracking page."""
    report = _locked_report(report)
    if to not in TRANSITIONS[report.status]:
        raise ReportError(
            _("A report that is “%(status)s” cannot become “%(to)s”.")
            % {"status": report.get_status_display(), "to": S(to).label if to in S.values else to},
            code="transition",
        )
    public_text = (public_text or "").strip()
    if to == S.REJECTED and not public_text:
        raise ReportError(
            _("Tell the reporter why the report is rejected."), field="public_text", code="reason"
        )
    fields = ["status", "updated_at"]
    previous, report.status = report.status, to
    if to == S.REJECTED:
        report.rejection_reason = public_text
        fields.append("rejection_reason")
    if priority:
        if priority not in Report.Priority.values:
            raise ReportError(_("Unknown priority."), field="priority")
        report.priority = priority
        fields.append("priority")
    report.save(update_fields=fields)
    event = ReportEvent.objects.create(
        tenant_id=report.tenant_id,
        report=report,
        kind=ReportEvent.Kind.STATUS,
        public=True,
        from_status=previous,
        to_status=to,
        text=public_text[:MAX_DESCRIPTION],
        actor=actor,
    )
    audit(tenant=report.tenant, actor=actor, action=f"report.{to}", target=report)
    _notify_reporter(report, " ".join(filter(None, [str(S(to).label), public_text])), event.pk)
    if to == S.RESOLVED:
        _open_visit(report, "officer", actor)  # the resident is visited within the station's deadline
    return report


@transaction.atomic
def report_assign(*, report: Report, actor, officer=None, team=None, grid_worker=None) -> Report:
    """Give the case to an officer, a team and/or a grid worker of the station."""
    from jointdefense.tenancy.models import Role
    from jointdefense.tenancy.roles import roles_for

    report = _locked_report(report)
    if not (officer or team or grid_worker):
        raise ReportError(_("Choose who takes the case."), field="officer", code="assignee")
    if officer is not None and not ({Role.OFFICER, Role.CHIEF} & roles_for(officer, report.tenant)):
        raise ReportError(_("Choose an officer of this station."), field="officer", code="assignee")
    if grid_worker is not None and Role.GRID_WORKER not in roles_for(grid_worker, report.tenant):
        raise ReportError(_("Choose a grid worker of this station."), field="grid_worker", code="assignee")
    if team is not None and team.tenant_id != report.tenant_id:
        raise ReportError(_("Choose a team of this station."), field="team", code="assignee")
    if report.status not in (S.NEW, S.TRIAGED, S.ASSIGNED, S.IN_PROGRESS):
        raise ReportError(_("A finished report is not assigned."), code="transition")
    report.assigned_officer, report.assigned_team, report.assigned_grid_worker = officer, team, grid_worker
    report.save(update_fields=["assigned_officer", "assigned_team", "assigned_grid_worker", "updated_at"])
    if report.status in (S.NEW, S.TRIAGED):
        report_transition(report=report, actor=actor, to=S.ASSIGNED)
    audit(
        tenant=report.tenant,
        actor=actor,
        action="report.assigned",
        target=report,
        officer=getattr(officer, "pk", None),
        team=getattr(team, "pk", None),
        grid_worker=getattr(grid_worker, "pk", None),
    )
    report.refresh_from_db()
    return report


@transaction.atomic
def report_comment(*, report: Report, actor, text: str, public: bool) -> ReportEvent:
    """A public update (shown to the reporter) or an internal note (officers only)."""
    text = (text or "").strip()
    if not text:
        raise ReportError(_("Write the update first."), field="text", code="empty")
    if len(text) > MAX_DESCRIPTION:
        raise ReportError(
            _("Keep the text under %(max)d characters.") % {"max": MAX_DESCRIPTION}, field="text"
        )
    event = ReportEvent.objects.create(
        tenant_id=report.tenant_id,
        report=report,
        public=public,
        text=text,
        actor=actor,
        kind=ReportEvent.Kind.PUBLIC_UPDATE if public else ReportEvent.Kind.INTERNAL_NOTE,
    )
    Report.objects.filter(pk=report.pk).update(updated_at=event.created_at)
    if public:
        _notify_reporter(report, text, event.pk)
    return event


def report_contact_for(*, report: Report, viewer) -> dict | None:
    """The reporter's contact, for an officer handling the case; every view is logged."""
    from .models import ContactAccess

    if report.anonymous or not report.has_contact:
        return None
    ContactAccess.objects.create(tenant_id=report.tenant_id, report=report, viewer=viewer)
    return {"name": report.contact_name, "phone": report.contact_phone, "email": report.contact_email}


# ---- return visits ---------------------------------------------------------------------------------------

VISIT_LEVELS = ["officer", "chief", "bureau"]


def _visit_assignee(report, level):
    from jointdefense.tenancy.models import Membership, Role

    if level == "officer":
        return report.assigned_officer or report.assigned_grid_worker
    tenant_id = report.tenant_id if level == "chief" else report.tenant.parent_id
    if tenant_id is None:
        return None
    role = Role.CHIEF if level == "chief" else Role.BUREAU_VIEWER
    with scopes_disabled():
        m = (
            Membership.objects.filter(tenant_id=tenant_id, is_active=True, roles__contains=[role])
            .select_related("user")
            .order_by("pk")
            .first()
        )
    return m.user if m else None


def _open_visit(report, level, actor):
    from datetime import timedelta

    from django.utils import timezone

    from .models import ReturnVisit

    visit, created = ReturnVisit.objects.get_or_create(
        tenant_id=report.tenant_id,
        report=report,
        level=level,
        defaults={
            "assignee": _visit_assignee(report, level),
            "due_at": timezone.now() + timedelta(days=report.tenant.return_visit_days),
        },
    )
    if created:
        audit(tenant=report.tenant, actor=actor, action="return_visit.opened", target=visit, level=level)
    return visit


@transaction.atomic
def return_visit_record(*, visit, actor, notes: str):
    """The visitor records the visit; the resident can then rate it on the tracking page."""
    from django.utils import timezone

    from .models import ReturnVisit

    visit = ReturnVisit.objects.select_for_update().get(pk=visit.pk, tenant=visit.tenant_id)
    if visit.visited_at is not None:
        raise ReportError(_("This visit is recorded already."), code="visited")
    notes = (notes or "").strip()
    if not notes:
        raise ReportError(_("Write what was said at the visit."), field="notes", code="notes")
    visit.visited_at, visit.notes = timezone.now(), notes[:MAX_DESCRIPTION]
    visit.save(update_fields=["visited_at", "notes"])
    ReportEvent.objects.create(
        tenant_id=visit.tenant_id,
        report=visit.report,
        kind=ReportEvent.Kind.PUBLIC_UPDATE,
        public=True,
        actor=actor,
        text=_("A return visit took place. Please tell us whether you are satisfied."),
    )
    audit(tenant=visit.report.tenant, actor=actor, action="return_visit.recorded", target=visit)
    return visit


@transaction.atomic
def return_visit_rate(*, report: Report, rating: str):
    """The resident rates the latest visit: satisfied closes the case; unsatisfied opens a visit one
    level up (the chief, then the bureau) until the resident is satisfied."""
    from django.utils import timezone

    from .models import ReturnVisit

    if rating not in ReturnVisit.Rating.values:
        raise ReportError(_("Choose whether you are satisfied."), field="rating", code="rating")
    visit = (
        ReturnVisit.objects.select_for_update()
        .filter(tenant=report.tenant_id, report=report, visited_at__isnull=False, rating="")
        .order_by("-created_at")
        .first()
    )
    if visit is None:
        raise ReportError(_("There is no return visit to rate yet."), code="no_visit")
    visit.rating, visit.rated_at = rating, timezone.now()
    visit.save(update_fields=["rating", "rated_at"])
    report = _locked_report(report)
    ReportEvent.objects.create(
        tenant_id=report.tenant_id,
        report=report,
        kind=ReportEvent.Kind.REPORTER_INFO,
        public=True,
        text=visit.get_rating_display(),
    )
    if rating == ReturnVisit.Rating.SATISFIED:
        return report_transition(report=report, actor=None, to=S.CLOSED)
    level = VISIT_LEVELS[min(VISIT_LEVELS.index(visit.level) + 1, len(VISIT_LEVELS) - 1)]
    if level == visit.level:  # the bureau visits again until the resident is satisfied
        ReturnVisit.objects.filter(pk=visit.pk).update(
            visited_at=None, rating="", rated_at=None, due_soon_alert_sent_at=None, overdue_alert_sent_at=None
        )
        return report
    _open_visit(report, level, actor=None)
    return report


# ---- clues and points ------------------------------------------------------------------------------------

CLUE_POINTS = {"valuable": "valuable_clue", "case": "case_assisted"}


@transaction.atomic
def report_mark_clue(*, report: Report, actor, value: str):
    """An officer marks a report as a valuable clue, or as having helped solve a case. A volunteer who
    reported it earns the station's points for that, once (teams.services.points_award)."""
    from teams.models import Volunteer
    from teams.services.points import points_award

    if value not in CLUE_POINTS:
        raise ReportError(_("Choose how the clue helped."), field="value", code="clue")
    report = _locked_report(report)
    if report.clue_value != value:
        report.clue_value = value
        report.save(update_fields=["clue_value", "updated_at"])
        audit(tenant=report.tenant, actor=actor, action="report.clue_marked", target=report, value=value)
    volunteer = (
        Volunteer.objects.filter(tenant=report.tenant_id, user=report.reporter_id, status="active").first()
        if report.reporter_id
        else None
    )
    if volunteer is None:
        return None
    entry, _created = points_award(
        tenant=report.tenant,
        volunteer=volunteer,
        kind=CLUE_POINTS[value],
        actor=actor,
        idempotency_key=f"clue:{report.pk}:{value}",
        reason=f"{report.category.name} {report.tracking_code}",
    )
    return entry


def _notify_reporter(report: Report, text: str, event_key, *, followers: bool = True) -> None:
    """Tell the reporter of ``report`` (and, with ``followers``, the reporters of the reports joined
    to it) about a public update: by e-mail, or by text message to a phone-only contact. Once per
    event and reporter, after commit, through the outbox."""
    from django.db.models import Q

    recipients = [report]
    if followers:
        recipients += list(
            Report.objects.filter(tenant=report.tenant_id, duplicate_of=report).exclude(
                Q(anonymous=True) | Q(contact_erased_at__isnull=False)
            )
        )
    _send_to_reporters(
        recipients,
        tenant=report.tenant,
        key=lambda r: f"report-update:{event_key}:{r.pk}",
        subject=lambda r: (
            _("Your report %(code)s: an update from %(station)s")
            % {"code": r.tracking_code, "station": report.tenant.name}
        ),
        text=text,
    )


def _notify_receipt(report: Report) -> None:
    """A receipt with the tracking code, so a reporter who closes the page can still follow up."""
    _send_to_reporters(
        [report],
        tenant=report.tenant,
        key=lambda r: f"report-received:{r.pk}",
        subject=lambda r: (
            _("Your report %(code)s is with %(station)s")
            % {"code": r.tracking_code, "station": report.tenant.name}
        ),
        text=_("Thank you. Keep this tracking code to follow your report: %(code)s")
        % {"code": report.tracking_code},
    )


def _send_to_reporters(reports, *, tenant, key, subject, text) -> None:
    from django.conf import settings
    from django.urls import reverse

    from jointdefense.core.tasks import send_email, send_sms

    emails, texts = [], []
    for r in reports:
        if r.anonymous or r.contact_erased_at or not (r.contact_email or r.contact_phone):
            continue
        link = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
            "incidents:track", kwargs={"station": tenant.slug, "code": r.tracking_code}
        )
        if r.contact_email:
            emails.append(
                {"key": key(r), "to": [r.contact_email], "subject": subject(r), "body": f"{text}\n\n{link}\n"}
            )
        else:  # a phone number only: a short text message
            short = text if len(text) <= SMS_TEXT_LENGTH else text[: SMS_TEXT_LENGTH - 1] + "…"
            texts.append(
                {"key": "sms:" + key(r), "to": r.contact_phone, "text": f"{tenant.name}: {short} {link}"}
            )
    if emails:
        send_email.enqueue_many_on_commit(emails)
    if texts:
        send_sms.enqueue_many_on_commit(texts)


SMS_TEXT_LENGTH = 120


def _photos_reencoded(photos) -> list:
    """Every photo checked and re-encoded before anything is written (core.photos)."""
    try:
        return [photo_reencode(p) for p in photos]
    except PhotoError as err:
        raise ReportError(err.message, field="photos", code=err.code) from None
