"""A year of demo mediations for a station (called by seed_demo after the reports): neighbours'
noise and leaks, rent deposits, family quarrels, shop refunds and property fees, mediated by the
community officers and the station's mediation volunteers. Most are settled (the field reports
count hundreds of disputes settled a year), a few partly, some fail or go to court; the last weeks'
are still open. Written through incidents.mediation's services; skipped when the station already
has mediations (idempotent)."""

import datetime
import random

from django.utils import timezone

from jointdefense.tenancy.models import Community

from . import mediation as svc
from .models import Category, Mediation, Report

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
    officers = list(svc.mediator_officers(tenant=station))
    volunteers = list(svc.mediator_volunteers(tenant=station))
    communities = list(Community.objects.filter(tenant=station).order_by("slug"))
    dispute = Category.objects.filter(tenant=station, slug=svc.DISPUTE_CATEGORY).first()
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
        mediation = svc.mediation_open(
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
            svc.mediation_session_add(
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
        svc.mediation_record_outcome(
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


def seed_demo_station(ctx) -> None:
    """The mediation seeder of ``seed_demo``: a year of mediations at the main station."""
    if ctx.main:
        seed_mediations(station=ctx.station, officer=ctx.officer, count=ctx.options["mediations"])
