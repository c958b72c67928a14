"""Volunteers, their screening, teams, and reward points.

Screening: applied → under review → (background review recorded) → approved → active, or rejected
with a reason; active ⇄ suspended; active/suspended → retired. No volunteer is approved or active
without a recorded background review (the programme's 100% rule): services refuse it, and a
database constraint refuses it for any other writer too.

Points are an append-only ledger: awards, redemptions and reversing corrections. Entries are never
changed or deleted (a database trigger refuses it); a balance is the sum of a volunteer's entries.
Every entry carries an idempotency key unique in its station, so a repeated award happens once.
"""

from .calendars import CalendarFeed
from .imports import ImportJob
from .points import DEFAULT_POINT_RULES, ContributionKind, PointEntry, PointRule
from .rewards import Redemption, Reward
from .screening import BackgroundReview, ScreeningEvent
from .teams import Team, TeamGridCell, TeamMember
from .volunteers import (
    AVAILABILITY_SLOTS,
    DAYPARTS,
    DEFAULT_BACKGROUND_GROUPS,
    WEEKDAYS,
    BackgroundGroup,
    Specialty,
    Volunteer,
    VolunteerRole,
    mask_id_number,
)

__all__ = [
    "AVAILABILITY_SLOTS",
    "DAYPARTS",
    "DEFAULT_BACKGROUND_GROUPS",
    "DEFAULT_POINT_RULES",
    "WEEKDAYS",
    "BackgroundGroup",
    "BackgroundReview",
    "CalendarFeed",
    "ContributionKind",
    "ImportJob",
    "PointEntry",
    "PointRule",
    "Redemption",
    "Reward",
    "ScreeningEvent",
    "Specialty",
    "Team",
    "TeamGridCell",
    "TeamMember",
    "Volunteer",
    "VolunteerRole",
    "mask_id_number",
]
