"""Demo data of the incidents app (the two seeders seed_demo runs, registered in apps.py).

Reports (``seed_demo_reports``): half a year of them for a station, clustered in space around a few
hot spots (a market, a bike shed, a bar street) and in time like a real station's: busier on Fridays
and Saturdays, quieter on Sundays, peaking in the evening, with a fraud wave (four weeks, two months
ago, when phone-fraud reports tripled around one community). Each report's story (triage, the
officer's work, resolution, the return visit within the deadline or late, the resident's rating)
is written through the services, then backdated to its own moments with .update(); the first
reports fall on today, last week and last month, so the dashboard's figures count something in
each. One in twenty has a neighbour's report joined to it. Skipped when the station already has
reports.

Mediations (``seed_demo_mediations``, after the reports): neighbours' noise and leaks, rent
deposits, family quarrels, shop refunds and property fees, mediated by the community officers and
the station's mediation volunteers. Most are settled (the field reports count hundreds of disputes
settled a year), a few partly, some fail or go to court; the last weeks' are still open. Written
through the mediation services; skipped when the station already has mediations (idempotent)."""

import datetime
import math
import random

from django.db.models import Case, Value, When
from django.utils import timezone

from jointdefense.core.periods import local_midnight
from jointdefense.tenancy.models import Community

from .models import Category, Mediation, Report, ReportEvent, ReturnVisit
from .selectors.mediation import DISPUTE_CATEGORY, mediator_officers, mediator_volunteers
from .services.clues import report_mark_clue
from .services.mediation import mediation_open, mediation_record_outcome, mediation_session_add
from .services.reports import parse_point, report_submit, station_defaults_ensure
from .services.return_visits import return_visit_rate, return_visit_record
from .services.triage import report_assign, report_transition

DESCRIPTIONS = {
    "theft": [
        "E-bike battery stolen from the bike shed overnight.",
        "Parcel taken from the doorstep.",
        "Someone tried the car doors along the lane.",
        "Phone snatched near the market entrance.",
    ],
    "fraud": [
        "A caller claiming to be from the bank asked my mother for a verification code.",
        "Flyers for a 'guaranteed return' investment club in the lobby.",
        "Door-to-door sellers of 'health' water filters pressuring old residents.",
    ],
    "hazard": [
        "Street light at the north gate has been out for a week.",
        "Manhole cover missing on the side road.",
        "Fire exit on the 3rd floor blocked by furniture.",
        "Loose cables hanging over the pavement.",
    ],
    "dispute": [
        "Noise from the flat above every night after midnight.",
        "Neighbours quarrelling over parking spaces.",
        "Water leaking from the flat above, the owner does not answer.",
    ],
    "suspicious": [
        "A man photographing the school gate for several days.",
        "Strangers loitering at the car park.",
        "A flat rented for a week with many people coming and going at night.",
    ],
    "fire": [
        "E-bikes charging in the corridor.",
        "Smell of gas in stairwell 2.",
        "Rubbish piled against the boiler room.",
    ],
    "other": ["Stray dogs chasing children near the playground.", "Graffiti on the community notice board."],
}
WEIGHTS = {"theft": 30, "fraud": 12, "hazard": 22, "dispute": 14, "suspicious": 8, "fire": 9, "other": 5}


# the station's week: busier on Fridays and Saturdays, quieter on Sundays (Monday first)
WEEKDAY_WEIGHTS = [1.0, 0.95, 1.0, 1.1, 1.6, 1.75, 0.55]
# the day: a morning bump, and the evening peak from 18:00 to 22:00
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 1, 2, 3, 4, 4, 3, 3, 3, 3, 3, 3, 4, 5, 7, 8, 8, 7, 4, 2]
WEEKS = 26  # half a year of reports
FRAUD_WAVE = range(8, 12)  # weeks before this one when phone fraud hit the old residents: tripled
FRAUD_WAVE_FACTOR = 3


def _local_days(station, now):
    """The days of the last ``WEEKS`` weeks (the station's local dates) and how busy each is."""
    today = timezone.localtime(now, station.zoneinfo).date()
    monday = today - datetime.timedelta(days=today.weekday())
    days, weights = [], []
    for back in range(WEEKS * 7):
        day = today - datetime.timedelta(days=back)
        weeks_ago = (monday - (day - datetime.timedelta(days=day.weekday()))).days // 7
        busier = 1 + 0.12 * math.sin(weeks_ago / 4)  # a slow swell over the months
        wave = 1 + WEIGHTS["fraud"] * (FRAUD_WAVE_FACTOR - 1) / 100 if weeks_ago in FRAUD_WAVE else 1
        days.append((day, weeks_ago))
        weights.append(WEEKDAY_WEIGHTS[day.weekday()] * busier * wave)
    return today, days, weights


def _anchor_day(n, today):
    """The first reports fall on days the dashboard compares (today, earlier this week, the same
    week last week, the last days of last month), so each figure counts something in the current
    and the previous week and month; the rest follow the station's rhythm."""
    month_before = today.replace(day=1) - datetime.timedelta(days=1)
    if n == 27:  # a neighbour's report joined to another, last week
        return today - datetime.timedelta(days=7)
    offsets = {
        0: today,
        1: today - datetime.timedelta(days=1),
        2: today - datetime.timedelta(days=7),
        3: today - datetime.timedelta(days=2),
        4: month_before,
        5: today - datetime.timedelta(days=8),
        6: today - datetime.timedelta(days=3),
        7: today,
        8: month_before - datetime.timedelta(days=3),
        9: today - datetime.timedelta(days=9),
    }
    return offsets[n % 10] if n < 30 else None


# told stories of some anchored reports (``_anchor_day``), so every status and the valuable clues
# show in the current and the previous week and month: n → category, the status it ends in, quick
STORIES = {
    10: {"stop": "triaged"},  # today
    11: {"stop": "rejected"},  # yesterday
    15: {"stop": "rejected"},  # last week
    16: {"stop": "overdue", "fast": True},  # three days ago: its return visit is late now
    12: {"stop": "new"},  # last week, still waiting: overdue
    13: {"slug": "suspicious", "stop": "assigned", "valuable": True},  # two days ago
    14: {"stop": "triaged"},  # last month
    17: {"slug": "suspicious", "stop": "assigned", "valuable": True, "fast": True},  # today
    20: {"stop": "resolved", "fast": True},  # today
    22: {"slug": "suspicious", "stop": "assigned", "valuable": True},  # last week
    24: {"stop": "new"},  # last month
    25: {"stop": "triaged"},  # last week
    28: {"slug": "suspicious", "stop": "assigned", "valuable": True},  # last month
}


def seed_station(*, station, officer, count: int, now=None):
    if count <= 0 or Report.objects.filter(tenant=station).exists():
        return
    now = now or timezone.now()
    rng = random.Random(f"reports:{station.slug}")
    categories = {c.slug: c for c in Category.objects.filter(tenant=station)}
    communities = list(Community.objects.filter(tenant=station).order_by("slug"))
    # hot spots: a point in each community (a market, a bike shed, a bar street), the busiest
    # first; the fraud wave is near the old residents' compounds of one community
    hot_spots = [c.boundary.point_on_surface for c in communities] + [
        communities[0].boundary.centroid,
        communities[-1].boundary.point_on_surface,
    ]
    spot_weights = [5, 3, 4, 2, 3, 4, 2][: len(hot_spots)] + [1] * max(0, len(hot_spots) - 7)
    fraud_spot = communities[-1].boundary.centroid
    slugs = [s for s in WEIGHTS if s in categories]
    today, days, day_weights = _local_days(station, now)
    for n in range(count):
        day = _anchor_day(n, today)
        weeks_ago = None
        if day is None:
            day, weeks_ago = rng.choices(days, weights=day_weights)[0]
        in_wave = weeks_ago in FRAUD_WAVE
        weights = [WEIGHTS[s] * (FRAUD_WAVE_FACTOR if in_wave and s == "fraud" else 1) for s in slugs]
        slug = rng.choices(slugs, weights=weights)[0]
        story = STORIES.get(n, {})
        slug = story.get("slug", slug) if story.get("slug") in categories else slug
        spot = (
            fraud_spot
            if slug == "fraud" and in_wave and rng.random() < 0.7
            else rng.choices(hot_spots, weights=spot_weights)[0]
        )
        # about 150 m around a hot spot, and kept inside the station
        for _try in range(10):
            lat = spot.y + rng.gauss(0, 0.0013)
            lng = spot.x + rng.gauss(0, 0.0013 / math.cos(math.radians(spot.y)))
            if station.boundary.intersects(parse_point(lat, lng)):
                break
        else:
            lat, lng = spot.y, spot.x
        start = local_midnight(day, station.zoneinfo)
        when = start + datetime.timedelta(
            hours=rng.choices(range(24), weights=HOUR_WEIGHTS)[0], minutes=rng.randrange(60)
        )
        if when > now - datetime.timedelta(minutes=5):  # today's: some time before now
            when = start + (now - start) * rng.uniform(0.05, 0.95)
        report = report_submit(
            tenant=station,
            category=categories[slug],
            description=rng.choice(DESCRIPTIONS[slug]),
            lat=lat,
            lng=lng,
            contact_phone="" if rng.random() < 0.4 else f"1355555{n:04d}",
            anonymous=rng.random() < 0.1,
        )
        if n % 20 == 7:  # a neighbour saw the same thing and added to the open report nearby
            again = report_submit(
                tenant=station,
                category=categories[slug],
                description=rng.choice(DESCRIPTIONS[slug]),
                lat=lat + rng.uniform(-0.0003, 0.0003),
                lng=lng + rng.uniform(-0.0003, 0.0003),
                contact_phone=f"1366666{n:04d}",
                add_to=report,
            )
            _backdate(again, when + min((now - when) * rng.uniform(0.1, 0.9), datetime.timedelta(hours=20)))
        _backdate(report, when)
        _progress(report, officer, when, now, rng, **{k: v for k, v in story.items() if k != "slug"})


def _backdate(report, when):
    """The report and what its filing wrote, moved back to ``when`` with .update() (the services
    stamp "now"; the demo tells a half year's story)."""
    Report.objects.filter(pk=report.pk).update(created_at=when, updated_at=when)
    ReportEvent.objects.filter(tenant=report.tenant_id, report=report).update(created_at=when)


class _Clock:
    """The steps of one report's story, each at its own moment. What a step's services write is
    stamped "now" (the real clock); ``stamp()`` notes the real moment with the story's, and
    ``flush()`` backdates the report's events to their steps' moments with one .update()."""

    def __init__(self, report, when, now, rng, scale):
        self.report, self.at, self.now, self.rng, self.scale = report, when, now, rng, scale
        self.started = timezone.now()
        self.stamps: list[tuple[datetime.datetime, datetime.datetime]] = []

    def step(self, low_hours, high_hours):
        """The moment of the next step, or None when it has not happened yet."""
        at = self.at + datetime.timedelta(hours=self.rng.uniform(low_hours, high_hours) * self.scale)
        if at >= self.now - datetime.timedelta(minutes=2):
            return None
        self.at = at
        return at

    def stamp(self):
        self.stamps.append((timezone.now(), self.at))

    def flush(self):
        if not self.stamps:
            return
        ReportEvent.objects.filter(
            tenant=self.report.tenant_id, report=self.report, created_at__gt=self.started
        ).update(
            created_at=Case(
                *[When(created_at__lte=real, then=Value(story)) for real, story in self.stamps],
                default=Value(self.stamps[-1][1]),
            )
        )
        Report.objects.filter(pk=self.report.pk).update(updated_at=self.stamps[-1][1])


def _progress(report, officer, when, now, rng, stop=None, fast=None, valuable=False):
    fast = rng.random() < 0.15 if fast is None else fast
    clock = _Clock(report, when, now, rng, scale=0.06 if fast else 1)
    _story(report, officer, clock, rng, stop=stop, valuable=valuable)
    clock.flush()


def _story(report, officer, clock, rng, stop=None, valuable=False):
    """The report's story up to now: triaged (a few first as "triaged", most straight to an
    officer), worked on, resolved, visited within the station's deadline (some late), and rated;
    a few rejected, some still waiting. One in seven is a quick case (a light out, fixed in an
    hour), so even today's reports reach every state. ``stop``: the status a told story ends in
    (``STORIES``), with no chance stop before it."""
    t = report_transition
    told = stop is not None

    def chance(p):
        return not told and rng.random() < p

    if stop == "new" or chance(0.04) or clock.step(0.2, 6) is None:
        return  # still new
    if stop == "rejected" or chance(0.06):
        t(
            report=report,
            actor=officer,
            to="rejected",
            public_text="This is for the property management office.",
        )
        clock.stamp()
        return
    if stop == "triaged" or chance(0.3):
        t(report=report, actor=officer, to="triaged")
        clock.stamp()
        if stop == "triaged" or chance(0.1) or clock.step(0.5, 8) is None:
            return
    report_assign(report=report, actor=officer, officer=officer)
    clock.stamp()
    if report.category.kind == Category.Kind.CLUE and (valuable or chance(0.5)):
        report_mark_clue(report=report, actor=officer, value="case" if rng.random() < 0.2 else "valuable")
        clock.stamp()
    if stop == "assigned" or chance(0.06) or clock.step(1, 20) is None:
        return
    t(report=report, actor=officer, to="in_progress")
    clock.stamp()
    if stop == "in_progress" or chance(0.08) or clock.step(6, 96) is None:
        return
    t(report=report, actor=officer, to="resolved", public_text="Handled by the community police.")
    clock.stamp()
    resolved_at = clock.at
    deadline = datetime.timedelta(days=report.tenant.return_visit_days)
    ReturnVisit.objects.filter(tenant=report.tenant_id, report=report).update(
        created_at=resolved_at, due_at=resolved_at + deadline
    )
    if stop == "resolved":
        return
    if stop == "overdue":  # nobody went: the visit fell due an hour ago, a shorter deadline set by hand
        ReturnVisit.objects.filter(tenant=report.tenant_id, report=report).update(
            due_at=max(resolved_at + datetime.timedelta(minutes=30), clock.now - datetime.timedelta(hours=1))
        )
        return
    # most visits within the deadline, one in five after it
    hours = deadline.total_seconds() / 3600
    late = rng.random() < 0.2
    visited = clock.step(hours * 1.05, hours * 1.6) if late else clock.step(2, hours * 0.9)
    if visited is None:
        return
    visit = ReturnVisit.objects.get(tenant=report.tenant_id, report=report, level="officer")
    return_visit_record(visit=visit, actor=officer, notes="Visited the resident at home.")
    ReturnVisit.objects.filter(pk=visit.pk).update(visited_at=clock.at)
    clock.stamp()
    if rng.random() < 0.1 or clock.step(0.2, 30) is None:
        return  # not rated yet
    satisfied = rng.random() < 0.88
    return_visit_rate(report=report, rating="satisfied" if satisfied else "unsatisfied")
    ReturnVisit.objects.filter(pk=visit.pk).update(rated_at=clock.at)
    clock.stamp()
    if not satisfied:  # escalated: the chief visits and the resident is satisfied then
        ReturnVisit.objects.filter(tenant=report.tenant_id, report=report, level="chief").update(
            created_at=clock.at, due_at=clock.at + deadline
        )
        if clock.step(12, hours * 0.9) is None:
            return
        chief_visit = ReturnVisit.objects.get(tenant=report.tenant_id, report=report, level="chief")
        return_visit_record(visit=chief_visit, actor=officer, notes="The chief visited with the officer.")
        ReturnVisit.objects.filter(pk=chief_visit.pk).update(visited_at=clock.at)
        clock.stamp()
        if clock.step(0.2, 24) is None:
            return
        return_visit_rate(report=report, rating="satisfied")
        ReturnVisit.objects.filter(pk=chief_visit.pk).update(rated_at=clock.at)
        clock.stamp()


def seed_demo_reports(ctx) -> None:
    """The reports seeder of ``seed_demo``: the station's categories; half a year of reports at
    the main station, a tenth as many at the others (so that the bureau compares stations)."""
    station_defaults_ensure(tenant=ctx.station)
    count = ctx.options["reports"] if ctx.main else -(-ctx.options["reports"] // 10)
    seed_station(station=ctx.station, officer=ctx.officer, count=count)


# ---- mediations ---------------------------------------------------------------------------------------

SUMMARIES = {
    "neighbours": [
        "Water leaking from the flat above into the kitchen ceiling; the owner upstairs refuses to pay.",
        "Noise from the flat above every night after midnight.",
        "Quarrel over a parking space in front of building 3.",
        "Shoes and bicycles piled in the shared corridor block the way.",
    ],
    "landlord_tenant": [
        "Landlord keeps the 3,000 yuan deposit after the tenant moved out.",
        "Tenant three months behind with the rent; landlord changed the lock.",
        "Disagreement over who pays for the broken water heater.",
    ],
    "family": [
        "Brothers disagree over caring for their elderly mother and sharing the cost.",
        "Couple quarrelling over the use of the family flat after separating.",
    ],
    "consumer": [
        "Phone repair shop refuses a refund for a repair that failed after a week.",
        "Gym closed and will not return prepaid membership fees.",
        "Restaurant and customer disagree over a bill after a complaint about the food.",
    ],
    "property": [
        "Residents refuse property fees because the lift has been out for a month.",
        "Property company towed a resident's car from the compound.",
    ],
    "other": ["Dispute between a delivery rider and a resident over a damaged parcel."],
}
KIND_WEIGHTS = {
    "neighbours": 38,
    "landlord_tenant": 18,
    "family": 12,
    "consumer": 16,
    "property": 12,
    "other": 4,
}
AGREEMENTS = {
    "neighbours": "Both parties agree: the repair is made within 7 days and the costs are shared equally; "
    "quiet hours from 22:00 to 7:00 are kept.",
    "landlord_tenant": "The landlord returns the deposit less 400 yuan for the repairs, within 5 days.",
    "family": "The brothers take turns each month and share the care costs equally.",
    "consumer": "The shop refunds 80% of the price by transfer within 3 days.",
    "property": "The property company repairs the lift by the end of the month; residents pay the fees then.",
    "other": "The rider's company pays 150 yuan for the damage.",
}
PLACES = ["Community mediation room", "Community police office", "Residents' committee office", "On site"]
SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡"]
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "霞"]
# outcome shares for mediations older than three weeks
OUTCOMES = [("settled", 78), ("partly_settled", 8), ("not_settled", 8), ("referred", 6)]


def _name(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")


def _weighted(rng, pairs):
    return rng.choices([k for k, _w in pairs], weights=[w for _k, w in pairs])[0]


def seed_mediations(*, station, officer, count: int = 120, now=None):
    """About ``count`` mediations over the past year at ``station`` (inside its scope)."""
    if count <= 0 or Mediation.objects.filter(tenant=station).exists():
        return
    now = now or timezone.now()
    rng = random.Random(f"mediations:{station.slug}")
    officers = list(mediator_officers(tenant=station))
    volunteers = list(mediator_volunteers(tenant=station))
    communities = list(Community.objects.filter(tenant=station).order_by("slug"))
    dispute = Category.objects.filter(tenant=station, slug=DISPUTE_CATEGORY).first()
    reports = list(
        Report.objects.filter(tenant=station, category=dispute).order_by("created_at")[: count // 3]
        if dispute
        else []
    )
    kinds = list(KIND_WEIGHTS.items())
    anchors = _mediation_anchors(station, now)
    for n in range(count):
        kind = _weighted(rng, kinds)
        anchor = anchors[n] if n < len(anchors) else None
        report = reports.pop() if reports and rng.random() < 0.4 and anchor is None else None
        days_ago = rng.triangular(0, 365, 60)
        opened_at = now - datetime.timedelta(days=days_ago, hours=rng.randrange(0, 10))
        if anchor is not None:
            opened_at = anchor[0]
        if report is not None:
            opened_at = max(opened_at, report.created_at + datetime.timedelta(hours=6))
            opened_at = min(opened_at, now - datetime.timedelta(hours=1))
            kind = "neighbours"
        # volunteers mediate about 60% of disputes (the field's mediation members), officers the rest
        by_volunteer = volunteers and rng.random() < 0.6
        mediation = mediation_open(
            tenant=station,
            actor=officer,
            kind=kind,
            summary=report.description if report else rng.choice(SUMMARIES[kind]),
            community=None if report else (rng.choice(communities) if communities else None),
            report=report,
            mediator_volunteer=rng.choice(volunteers) if by_volunteer else None,
            mediator_officer=None if by_volunteer else rng.choice(officers or [officer]),
            parties=[
                (_name(rng), "applicant", f"1356{station.pk % 100:02d}{n:03d}1"),
                (
                    _name(rng),
                    "respondent",
                    f"1356{station.pk % 100:02d}{n:03d}2" if rng.random() < 0.7 else "",
                ),
            ],
            opened_at=opened_at,
        )
        if anchor is not None:
            _mediation_settled_at(mediation, officer, *anchor, rng)
            continue
        age = (now - opened_at).days
        sessions = rng.choice([1, 1, 2, 2, 3]) if age > 2 else 0
        held_at = opened_at
        for s in range(sessions):
            held_at = min(
                held_at + datetime.timedelta(days=rng.randrange(1, 6), hours=rng.randrange(0, 6)), now
            )
            mediation_session_add(
                mediation=mediation,
                actor=mediation.mediator_volunteer.user if mediation.mediator_volunteer_id else officer,
                held_at=held_at,
                place=rng.choice(PLACES),
                attendees="Both parties" if s else "Both parties and a residents' committee member",
                notes="Heard both sides; a second meeting agreed."
                if s + 1 < sessions
                else "Terms discussed.",
            )
        if age < 21 and rng.random() < 0.7:
            continue  # recent ones are still open
        if sessions == 0:
            continue
        status = _weighted(rng, OUTCOMES)
        closed_at = min(held_at + datetime.timedelta(hours=rng.randrange(1, 48)), now)
        mediation_record_outcome(
            mediation=mediation,
            actor=officer,
            status=status,
            outcome={
                "settled": "Both parties signed the agreement.",
                "partly_settled": "Agreement on the main point; the rest is left to the parties.",
                "not_settled": "The respondent would not agree to any terms.",
                "referred": "Referred to the district people's court at the applicant's request.",
            }[status],
            agreement=AGREEMENTS[kind] if status in Mediation.SETTLED_STATUSES else "",
            closed_at=closed_at,
        )


def _mediation_anchors(station, now):
    """(opened, settled or None) of the first mediations: opened and settled today, last week and
    last month, so the dashboard's disputes mediated and settled count something in each."""
    today = timezone.localtime(now, station.zoneinfo)
    month_before = today.replace(day=1) - datetime.timedelta(days=1)
    day, hour = datetime.timedelta(days=1), datetime.timedelta(hours=1)
    opened_today = max(
        now - hour, local_midnight(today.date(), station.zoneinfo) + datetime.timedelta(minutes=1)
    )
    return [
        (min(opened_today, now), None),
        (now - 5 * day, min(opened_today + 0.5 * hour, now)),
        (today - 7 * day, None),
        (today - 13 * day, today - 7 * day + hour),
        (month_before - 2 * day, None),
        (month_before - 9 * day, month_before),
    ]


def _mediation_settled_at(mediation, officer, opened_at, settled_at, rng):
    """An anchored mediation: one session halfway, then settled at ``settled_at`` (or left open)."""
    if settled_at is None:
        return
    mediation_session_add(
        mediation=mediation,
        actor=mediation.mediator_volunteer.user if mediation.mediator_volunteer_id else officer,
        held_at=opened_at + (settled_at - opened_at) / 2,
        place=rng.choice(PLACES),
        attendees="Both parties and a residents' committee member",
        notes="Terms discussed.",
    )
    mediation_record_outcome(
        mediation=mediation,
        actor=officer,
        status="settled",
        outcome="Both parties signed the agreement.",
        agreement=AGREEMENTS[mediation.kind],
        closed_at=settled_at,
    )


def seed_demo_mediations(ctx) -> None:
    """The mediation seeder of ``seed_demo``: a year of mediations at the main station."""
    if ctx.main:
        seed_mediations(station=ctx.station, officer=ctx.officer, count=ctx.options["mediations"])
