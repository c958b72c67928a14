"""Demo data of the incidents app (the two seeders seed_demo runs, registered in apps.py).

Reports (``seed_demo_reports``): a year of them for a station, clustered in space around a few hot
spots (a market, a bike shed, a bar street) and in time (evenings, weekends), in every state, older
ones mostly closed after a return visit; one in twenty has a neighbour's report joined to it.
Skipped when the station already has reports.

Mediations (``seed_demo_mediations``, after the reports): neighbours' noise and leaks, rent
deposits, family quarrels, shop refunds and property fees, mediated by the community officers and
the station's mediation volunteers. Most are settled (the field reports count hundreds of disputes
settled a year), a few partly, some fail or go to court; the last weeks' are still open. Written
through the mediation services; skipped when the station already has mediations (idempotent)."""

import datetime
import math
import random

from django.utils import timezone

from jointdefense.tenancy.models import Community

from .models import Category, Mediation, Report, ReportEvent, ReturnVisit
from .selectors.mediation import DISPUTE_CATEGORY, mediator_officers, mediator_volunteers
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


def seed_station(*, station, officer, count: int, now=None):
    if count <= 0 or Report.objects.filter(tenant=station).exists():
        return
    now = now or timezone.now()
    rng = random.Random(f"reports:{station.slug}")
    categories = {c.slug: c for c in Category.objects.filter(tenant=station)}
    communities = list(Community.objects.filter(tenant=station).order_by("slug"))
    hot_spots = [c.boundary.point_on_surface for c in communities] + [
        communities[0].boundary.centroid,
        communities[-1].boundary.point_on_surface,
    ]
    slugs = [s for s in WEIGHTS if s in categories]
    for n in range(count):
        slug = rng.choices(slugs, weights=[WEIGHTS[s] for s in slugs])[0]
        spot = rng.choice(hot_spots)
        # about 150 m around a hot spot, and kept inside the station
        for _try in range(10):
            lat = spot.y + rng.gauss(0, 0.0013)
            lng = spot.x + rng.gauss(0, 0.0013 / math.cos(math.radians(spot.y)))
            if station.boundary.intersects(parse_point(lat, lng)):
                break
        else:
            lat, lng = spot.y, spot.x
        days_ago = rng.uniform(0, 8) if n % 5 == 0 else rng.triangular(0, 365, 30)  # a steady recent flow
        hour = rng.choices(
            range(24), weights=[1, 1, 1, 1, 1, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 5, 6, 7, 7, 6, 4, 2]
        )[0]
        local_day = timezone.localtime(now - datetime.timedelta(days=days_ago), station.zoneinfo)
        when = local_day.replace(hour=hour, minute=rng.randrange(60))  # evenings in the station's own time
        when = min(when, now - datetime.timedelta(minutes=5))
        report = report_submit(
            tenant=station,
            category=categories[slug],
            description=rng.choice(DESCRIPTIONS[slug]),
            lat=lat,
            lng=lng,
            contact_phone="" if rng.random() < 0.4 else f"1355555{n:04d}",
            anonymous=rng.random() < 0.1,
        )
        again = None
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
        _progress(report, officer, days_ago, rng)
        _backdate(report, when, rng)
        if again is not None:
            _backdate(again, min(when + datetime.timedelta(hours=rng.uniform(1, 20)), now), rng)


def _progress(report, officer, days_ago, rng):
    """Older reports went further: most are closed after a satisfied return visit."""
    t = report_transition
    if days_ago < 1 and rng.random() < 0.7:
        return
    if rng.random() < 0.06:
        t(
            report=report,
            actor=officer,
            to="rejected",
            public_text="This is for the property management office.",
        )
        return
    report_assign(report=report, actor=officer, officer=officer)
    if days_ago < 3:
        return
    t(report=report, actor=officer, to="in_progress")
    if days_ago < 7 and rng.random() < 0.5:
        return
    t(report=report, actor=officer, to="resolved", public_text="Handled by the community police.")
    if days_ago < 10:
        return
    visit = ReturnVisit.objects.get(tenant=report.tenant_id, report=report, level="officer")
    return_visit_record(visit=visit, actor=officer, notes="Visited the resident at home.")
    return_visit_rate(report=report, rating="satisfied" if rng.random() < 0.9 else "unsatisfied")


def _backdate(report, when, rng):
    Report.objects.filter(pk=report.pk).update(created_at=when, updated_at=when)
    step = when
    for event in ReportEvent.objects.filter(tenant=report.tenant_id, report=report).order_by("pk"):
        ReportEvent.objects.filter(pk=event.pk).update(created_at=step)
        step += datetime.timedelta(hours=rng.randrange(2, 30))
    ReturnVisit.objects.filter(tenant=report.tenant_id, report=report).update(
        created_at=when, due_at=when + datetime.timedelta(days=3)
    )


def seed_demo_reports(ctx) -> None:
    """The reports seeder of ``seed_demo``: the station's categories; a year of reports at the
    main station, a tenth as many at the others (so that the bureau compares stations)."""
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
    for n in range(count):
        kind = _weighted(rng, kinds)
        report = reports.pop() if reports and rng.random() < 0.4 else None
        days_ago = rng.triangular(0, 365, 60)
        opened_at = now - datetime.timedelta(days=days_ago, hours=rng.randrange(0, 10))
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


def seed_demo_mediations(ctx) -> None:
    """The mediation seeder of ``seed_demo``: a year of mediations at the main station."""
    if ctx.main:
        seed_mediations(station=ctx.station, officer=ctx.officer, count=ctx.options["mediations"])
