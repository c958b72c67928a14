"""The weekly station summary: built once per station and week, kept in an archive, e-mailed.

Every Monday from 08:00 in the station's own time zone, ``summaries_send_due`` (beat, every
15 minutes, ``tenancy.weekly_summaries``) builds each active station's summary of the week before
(Monday to Sunday, local midnights): the week's figures (``core.registry.figures``, through
``selectors.station_figure_table``) with the week before and the change, and the rows of each
section the apps register (``core.registry.summary_sections``) as things stood at the week's end.
The whole is frozen as JSON in a :class:`~jointdefense.tenancy.models.StationSummary`, with its
labels in every language of the portal, so the archive shows what was sent, whatever happens to
the rows or the figures later.

Once per station and week: the row's unique key (tenant, week_start) decides. The row and the
e-mails to the station's chiefs and officers (HTML and text, each in the person's language) are
written in one transaction, the e-mails through the outbox to core's ``send_email``, which sends
each key once. Two beats firing together both build, and the second one's INSERT waits for the
first to commit, then fails on the unique key and rolls back with its e-mails; a retried task
finds the row; a worker that dies mid-run leaves no row and no e-mail, and the next beat builds
it. ``summary_resend`` sends an archived summary again under new keys (one per resend, from its
audit row) without touching the archive.

Bounded work: at most ``BATCH`` stations per run (the next run takes the rest), and a fixed number
of queries per station whatever its rows; the rollups, the weeks before's figures, the recipients
and the sections' rows of ``PREFETCH_STATIONS`` stations are read at once.
"""

import datetime
import logging
import zoneinfo
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django_scopes import scope, scopes_disabled

from jointdefense.core import rollups
from jointdefense.core.numbers import shown
from jointdefense.core.outbox import outbox_add_many, relayed_together
from jointdefense.core.periods import Period
from jointdefense.core.services import audit

from .models import Membership, Role, StationSummary, Tenant
from .roles import PERMISSIONS
from .selectors import (
    SummaryPart,
    station_figure_table,
    summary_figures_of_week,
    summary_figures_of_weeks,
    summary_parts,
    summary_parts_of,
)

log = logging.getLogger(__name__)

SEND_AT = datetime.time(8, 0)  # Monday, station time
BATCH = 200  # stations per run; the next run (or the run it queues) takes the rest
PREFETCH_STATIONS = 50  # stations whose rollups are read in one query
RECIPIENT_ROLES = [Role.CHIEF, Role.OFFICER]
CONTENT_VERSION = 1


# ---- which week ------------------------------------------------------------------------------------


def week_period(tenant: Tenant, week_start: datetime.date) -> Period:
    """The week (Monday to Sunday, the station's local midnights) starting on ``week_start``."""
    return Period.containing("week", week_start, tenant.zoneinfo)


def due_week(tenant: Tenant, now: datetime.datetime) -> datetime.date:
    """The Monday of the latest week whose summary is due at ``now``: last week's from Monday
    08:00 station time on, the week before's until then."""
    local = timezone.localtime(now, tenant.zoneinfo)
    monday = local.date() - datetime.timedelta(days=local.weekday())
    if local < datetime.datetime.combine(monday, SEND_AT, tzinfo=tenant.zoneinfo):
        monday -= datetime.timedelta(days=7)
    return monday - datetime.timedelta(days=7)


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


# ---- what it holds ---------------------------------------------------------------------------------


# the labels written out in every language, kept by the label's identity (the entry holds the
# label, so its id is never reused while cached): the registered figures and sections have the
# same labels for every station, and a run of a thousand summaries translates them once
_TEXTS: dict[int, tuple[Any, dict[str, str]]] = {}
_TEXTS_KEPT = 2000


def _texts(text: Any) -> dict[str, str]:
    """A label in every language of the portal, so the stored summary reads in each."""
    if (known := _TEXTS.get(id(text))) is not None and known[0] is text:
        return known[1]
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = str(text)
    if len(_TEXTS) >= _TEXTS_KEPT:
        _TEXTS.clear()
    _TEXTS[id(text)] = (text, texts)
    return texts


def summary_content(
    *,
    tenant: Tenant,
    week_start: datetime.date,
    known_before: dict[str, Any] | None = None,
    parts: list[SummaryPart] | None = None,
) -> dict[str, Any]:
    """What the summary of the week starting on ``week_start`` holds, JSON-serialisable: the
    figures keyed by figure key (unit, the week's value, the week before's and the change), their
    order and sections, and each summary section's count and first rows. One selector per figure
    and week, one query per section (``parts``: read by the caller for a batch of stations)."""
    period = week_period(tenant, week_start)
    before = period.previous()
    figures: dict[str, dict[str, Any]] = {}
    groups: dict[str, dict[str, str]] = {}
    # the week before as its own summary gave it, when there is one: the two summaries agree, and
    # each figure is computed once a week instead of twice
    known = (
        known_before
        if known_before is not None
        else summary_figures_of_week(tenant=tenant, week_start=before.first_day)
    )
    for row in station_figure_table(tenant=tenant, period=period, known_before=known):
        figure = row.figure
        figures[figure.key] = {
            "label": _texts(figure.label),
            "group": figure.group,
            "unit": figure.unit,
            "value": row.value,
            "previous": row.previous,
            "change": row.change,
        }
        if figure.group not in groups:
            groups[figure.group] = _texts(row.group)
    sections = [
        {
            "key": part.section.key,
            "title": _texts(part.section.title),
            "empty": _texts(part.section.empty),
            "columns": [
                {"key": c.key, "label": _texts(c.label), "kind": c.kind} for c in part.section.columns
            ],
            "count": part.count,
            "rows": part.rows,
        }
        for part in (summary_parts(tenant=tenant, as_of=period.end) if parts is None else parts)
    ]
    return {
        "version": CONTENT_VERSION,
        "station": {"slug": tenant.slug, "name": str(tenant.name)},
        "time_zone": tenant.time_zone,
        "week": {"first_day": period.first_day.isoformat(), "last_day": period.last_day.isoformat()},
        "before": {"first_day": before.first_day.isoformat(), "last_day": before.last_day.isoformat()},
        "as_of": period.end.isoformat(),
        "figures": figures,
        # JSON objects keep no order in PostgreSQL (jsonb): the dashboard's order, kept apart
        "figure_order": list(figures),
        "groups": groups,
        "sections": sections,
    }


# ---- how it reads ----------------------------------------------------------------------------------


def _pick(texts: dict[str, str], language: str) -> str:
    if not texts:
        return ""
    return (
        texts.get(language)
        or texts.get(language.split("-")[0])
        or texts.get("en")
        or next(iter(texts.values()))
    )


def _cell(value: Any, kind: str, tz: datetime.tzinfo) -> str:
    if value is None or value == "":
        return ""
    if kind == "datetime":
        return datetime.datetime.fromisoformat(value).astimezone(tz).strftime("%Y-%m-%d %H:%M")
    if kind == "count":
        return shown(value, "count")
    return str(value)


def summary_display(content: dict[str, Any], language: str | None = None) -> dict[str, Any]:
    """The stored content as the page, the PDF and the e-mail show it, in ``language`` (the active
    one by default): figures by section with their numbers written for people, each section's
    table with its cells written out. Reads nothing but ``content``."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    tz = zoneinfo.ZoneInfo(content.get("time_zone") or settings.TIME_ZONE)
    base = str(settings.PORTAL_BASE_URL).rstrip("/")
    with translation.override(language):
        groups: dict[str, dict[str, Any]] = {}
        for key in content.get("figure_order", []):
            figure = content["figures"][key]
            unit = figure["unit"]
            change = figure.get("change")
            groups.setdefault(
                figure["group"],
                {"label": _pick(content["groups"].get(figure["group"], {}), language), "rows": []},
            )["rows"].append(
                {
                    "key": key,
                    "label": _pick(figure["label"], language),
                    "value": shown(figure.get("value"), unit),
                    "previous": shown(figure.get("previous"), unit),
                    "change": shown(change, unit, signed=True),
                    "trend": "up" if change and change > 0 else "down" if change and change < 0 else "",
                }
            )
        sections = []
        for section in content.get("sections", []):
            columns = section["columns"]
            sections.append(
                {
                    "key": section["key"],
                    "title": _pick(section["title"], language),
                    "empty": _pick(section["empty"], language),
                    "count": section["count"],
                    "more": max(0, section["count"] - len(section["rows"])),
                    "headings": [_pick(c["label"], language) for c in columns],
                    "rows": [
                        {
                            "cells": [_cell(row.get(c["key"]), c["kind"], tz) for c in columns],
                            "url": base + row["url"] if row.get("url") else "",
                        }
                        for row in section["rows"]
                    ],
                }
            )
    return {
        "station": content.get("station", {}),
        "week": content.get("week", {}),
        "before": content.get("before", {}),
        "figure_groups": list(groups.values()),
        "sections": sections,
    }


def summary_data(content: dict[str, Any], language: str | None = None) -> dict[str, Any]:
    """The stored content for the API: the figures in order with their numbers as stored, the
    sections with their rows as stored, the labels in ``language``."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    return {
        "as_of": content.get("as_of"),
        "figures": [
            {
                "key": key,
                "label": _pick(content["figures"][key]["label"], language),
                "group": content["figures"][key]["group"],
                "unit": content["figures"][key]["unit"],
                "value": content["figures"][key].get("value"),
                "previous": content["figures"][key].get("previous"),
                "change": content["figures"][key].get("change"),
            }
            for key in content.get("figure_order", [])
        ],
        "sections": [
            {
                "key": section["key"],
                "title": _pick(section["title"], language),
                "count": section["count"],
                "columns": [
                    {"key": c["key"], "label": _pick(c["label"], language), "kind": c["kind"]}
                    for c in section["columns"]
                ],
                "rows": section["rows"],
            }
            for section in content.get("sections", [])
        ],
    }


# ---- the e-mails -----------------------------------------------------------------------------------


def _recipients(tenant: Tenant) -> list[Membership]:
    """The station's chiefs and officers with an address (one query)."""
    return _recipients_of([tenant]).get(tenant.pk, [])


def _recipients_of(tenants: list[Tenant]) -> dict[int, list[Membership]]:
    """Station id → its chiefs and officers with an address, for several stations (one query)."""
    found: dict[int, list[Membership]] = {}
    for m in (
        Membership.objects.filter(
            tenant__in=tenants, is_active=True, roles__overlap=RECIPIENT_ROLES, user__is_active=True
        )
        .select_related("user")
        .order_by("tenant_id", "user_id")
    ):
        if m.user.email:
            found.setdefault(m.tenant_id, []).append(m)
    return found


def archive_url(summary: StationSummary) -> str:
    path = reverse(
        "tenancy:summary-detail",
        kwargs={"station": summary.tenant.slug, "week": summary.week_start.isoformat()},
    )
    return str(settings.PORTAL_BASE_URL).rstrip("/") + path


def _emails(summary: StationSummary, recipients: list[Membership], suffix: str) -> list[dict[str, Any]]:
    """``core.send_email`` keyword arguments for each recipient, in their language; the archive
    link only for those who may open it. Rendered once per language and link, not per person."""
    tenant = summary.tenant
    readers = PERMISSIONS["summary.view"]
    rendered: dict[tuple[str, bool], tuple[str, str, str]] = {}
    # the figures and sections, the bulk of each e-mail, once per language: with the link to the
    # archive or without, the rest of the e-mail around them
    contents: dict[str, dict[str, Any]] = {}
    emails = []
    for membership in recipients:
        user = membership.user
        language = user.language or tenant.default_language
        linked = bool(readers.intersection(membership.roles))
        if (language, linked) not in rendered:
            with translation.override(language), timezone.override(tenant.zoneinfo):
                if language not in contents:
                    shown = summary_display(summary.content, language)
                    contents[language] = {
                        "shown": shown,
                        "content_html": mark_safe(  # noqa: S308 - rendered by the template engine, escaped there
                            render_to_string("tenancy/summary/_content.html", {"shown": shown, "links": True})
                        ),
                        "content_text": render_to_string(
                            "tenancy/email/_weekly_summary_content.txt", {"shown": shown}
                        ),
                    }
                context = {
                    "tenant": tenant,
                    "summary": summary,
                    **contents[language],
                    "archive_url": archive_url(summary) if linked else "",
                }
                rendered[(language, linked)] = (
                    render_to_string("tenancy/email/weekly_summary_subject.txt", context).strip(),
                    render_to_string("tenancy/email/weekly_summary_body.txt", context),
                    render_to_string("tenancy/email/weekly_summary.html", context),
                )
        subject, body, html = rendered[(language, linked)]
        emails.append(
            {
                "key": f"weekly-summary:{tenant.pk}:{summary.week_start.isoformat()}:{user.pk}{suffix}",
                "to": [user.email],
                "subject": subject,
                "body": body,
                "html_body": html,
            }
        )
    return emails


# ---- the writes ------------------------------------------------------------------------------------


def summary_build(
    *,
    tenant: Tenant,
    week_start: datetime.date,
    checked: bool = False,
    known_before: dict[str, Any] | None = None,
    recipients: list[Membership] | None = None,
    parts: list[SummaryPart] | None = None,
) -> StationSummary | None:
    """Build, store and e-mail the station's summary of the week starting on ``week_start`` (a
    Monday); None when it exists already (built by another run). ``checked``: the caller has just
    seen that it does not (the unique key still decides). ``known_before`` (the week before's
    stored figures), ``recipients`` and ``parts`` (the sections' rows): read by the caller for a
    batch of stations. The caller
    opens the station's scope, time zone and language."""
    if monday_of(week_start) != week_start:
        raise ValueError(f"a summary's week starts on a Monday, not {week_start}")
    if not checked and StationSummary.objects.filter(tenant=tenant, week_start=week_start).exists():
        return None
    content = summary_content(tenant=tenant, week_start=week_start, known_before=known_before, parts=parts)
    recipients = _recipients(tenant) if recipients is None else recipients
    try:
        with transaction.atomic():
            summary = StationSummary.objects.create(tenant=tenant, week_start=week_start, content=content)
            audit(
                tenant=tenant, actor=None, action="summary.built", target=summary, week=week_start.isoformat()
            )
            emails = _emails(summary, recipients, "")
            if emails:
                outbox_add_many("core.send_email", emails)
    except IntegrityError:
        return None  # another run stored it first and sends it
    return summary


@transaction.atomic
def summary_resend(*, summary: StationSummary, actor: Any) -> int:
    """E-mail an archived summary again to the station's chiefs and officers as it was stored
    (the archive is not touched); new keys, one set per resend. Returns how many were queued."""
    tenant = summary.tenant
    event = audit(
        tenant=tenant,
        actor=actor,
        action="summary.resent",
        target=summary,
        week=summary.week_start.isoformat(),
    )
    emails = _emails(summary, _recipients(tenant), f":resend:{event.pk}")
    if emails:
        outbox_add_many("core.send_email", emails)
    return len(emails)


def _station_context(tenant: Tenant):
    from contextlib import ExitStack

    stack = ExitStack()
    stack.enter_context(scope(tenant=tenant.scope_tenants()))
    stack.enter_context(timezone.override(tenant.zoneinfo))
    stack.enter_context(translation.override(tenant.default_language))
    return stack


def summaries_due(*, now: datetime.datetime) -> list[tuple[Tenant, datetime.date]]:
    """Each active station whose latest due summary is not built yet, with that week's Monday
    (two queries, whatever the number of stations). A station opened after that week ended has
    nothing to summarise yet."""
    with scopes_disabled():
        stations = list(Tenant.objects.filter(kind=Tenant.Kind.STATION, is_active=True).order_by("pk"))
        weeks = {}
        for station in stations:
            week = due_week(station, now)
            if station.created_at < week_period(station, week).end:
                weeks[station.pk] = week
        built = set(
            StationSummary.objects.filter(tenant_id__in=list(weeks), week_start__in=set(weeks.values()))
            .values_list("tenant_id", "week_start")
            .order_by()
        )
    return [(s, weeks[s.pk]) for s in stations if s.pk in weeks and (s.pk, weeks[s.pk]) not in built]


def summaries_send_due(*, now: datetime.datetime | None = None, limit: int = BATCH) -> tuple[int, int]:
    """Build and send the summaries due at ``now``, at most ``limit``; returns how many were built
    and how many are left for the next run."""
    now = now or timezone.now()
    due = summaries_due(now=now)
    built = 0
    taken = due[:limit]
    for start in range(0, len(taken), PREFETCH_STATIONS):
        batch = taken[start : start + PREFETCH_STATIONS]
        # the rollups of the batch's stations over their weeks and the weeks before, in one query
        weeks = [week_period(tenant, week) for tenant, week in batch]
        with scopes_disabled():
            befores = summary_figures_of_weeks(weeks=[(t, w - datetime.timedelta(days=7)) for t, w in batch])
            recipients = _recipients_of([t for t, _w in batch])
            parts = summary_parts_of(stations=[(t, w.end) for (t, _w), w in zip(batch, weeks, strict=True)])
        with (
            rollups.prefetched([t for t, _w in batch], weeks + [w.previous() for w in weeks]),
            relayed_together(),  # the batch's e-mails published at its end, not station by station
        ):
            for tenant, week in batch:
                with _station_context(tenant):
                    try:
                        built_now = summary_build(
                            tenant=tenant,
                            week_start=week,
                            checked=True,
                            known_before=befores.get(tenant.pk, {}),
                            recipients=recipients.get(tenant.pk, []),
                            parts=parts[tenant.pk],
                        )
                        if built_now is not None:
                            built += 1
                    except Exception:  # noqa: BLE001 - one station's failure must not hold up the others
                        log.exception(
                            "weekly summary of %s for %s failed; the next run tries again", tenant.slug, week
                        )
    return built, max(0, len(due) - limit)


def summaries_send(
    *, stations: list[Tenant], week_start: datetime.date | None = None, now: datetime.datetime | None = None
) -> list[tuple[Tenant, datetime.date, bool]]:
    """For operators (``manage.py send_weekly_summaries``): build and send the summary of the week
    starting on ``week_start`` (each station's due week when None) of each station, unless built
    already. Returns (station, week, built now) for each."""
    now = now or timezone.now()
    done = []
    for tenant in stations:
        week = week_start or due_week(tenant, now)
        with _station_context(tenant):
            done.append((tenant, week, summary_build(tenant=tenant, week_start=week) is not None))
    return done
