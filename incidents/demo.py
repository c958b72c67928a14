"""A year of demo reports for a station (called by seed_demo): clustered in space around a few hot
spots (a market, a bike shed, a bar street) and in time (evenings, weekends), in every state, older
ones mostly closed after a return visit; one in twenty has a neighbour's report joined to it.
Skipped when the station already has reports."""

import datetime
import math
import random

from django.utils import timezone

from jointdefense.tenancy.models import Community

from . import services
from .models import Category, Report, ReportEvent, ReturnVisit

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
            if station.boundary.intersects(services.parse_point(lat, lng)):
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
        report = services.report_submit(
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
            again = services.report_submit(
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
    t = services.report_transition
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
    services.report_assign(report=report, actor=officer, officer=officer)
    if days_ago < 3:
        return
    t(report=report, actor=officer, to="in_progress")
    if days_ago < 7 and rng.random() < 0.5:
        return
    t(report=report, actor=officer, to="resolved", public_text="Handled by the community police.")
    if days_ago < 10:
        return
    visit = ReturnVisit.objects.get(tenant=report.tenant_id, report=report, level="officer")
    services.return_visit_record(visit=visit, actor=officer, notes="Visited the resident at home.")
    services.return_visit_rate(report=report, rating="satisfied" if rng.random() < 0.9 else "unsatisfied")


def _backdate(report, when, rng):
    Report.objects.filter(pk=report.pk).update(created_at=when, updated_at=when)
    step = when
    for event in ReportEvent.objects.filter(tenant=report.tenant_id, report=report).order_by("pk"):
        ReportEvent.objects.filter(pk=event.pk).update(created_at=step)
        step += datetime.timedelta(hours=rng.randrange(2, 30))
    ReturnVisit.objects.filter(tenant=report.tenant_id, report=report).update(
        created_at=when, due_at=when + datetime.timedelta(days=3)
    )


def seed_demo_station(ctx) -> None:
    """The reports seeder of ``seed_demo``: the station's categories; a year of reports at the
    main station."""
    services.station_defaults_ensure(tenant=ctx.station)
    if ctx.main:
        seed_station(station=ctx.station, officer=ctx.officer, count=ctx.options["reports"])
