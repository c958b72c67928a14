"""Demo training for a station (called by seed_demo inside the station's scope, after the teams and
patrols seeders): an induction (pre-job) every volunteer holds, "Patrol basics" (scored, a year's
validity, needed by the patrol role) held once a month for the past 13 months with attendance and
scores, "Patrol leader" (which includes it), a quiz with questions, and a few sessions ahead.

Who holds what follows from the past sessions: most patrol volunteers passed a recent session;
those of the sessions 11–12 months ago hold certificates about to expire (the expiry notices and
the "due soon" list show them); three were at the session 13 months ago and their certificate has
lapsed, so the gates refuse them a shift with the message naming the course and the next session.

Idempotent (courses by name; the sessions, enrolments and certificates only when the course has
no sessions yet) and fast: bulk inserts, no e-mails.
"""

import datetime

from django.utils import timezone
from django_scopes import scopes_disabled

from teams.models import Volunteer, VolunteerRole

from .models import Certificate, Course, CourseInclusion, Enrolment, QuizAttempt, QuizChoice, QuizQuestion
from .models import TrainingSession as Session
from .services.certificates import certificate_expiry

QUIZ = [
    (
        "A resident asks a patrol volunteer to search a neighbour's flat. What do you do?",
        [
            ("Refuse and report it to the station", True),
            ("Search it together", False),
            ("Ask another volunteer", False),
        ],
    ),
    (
        "Which of these must a volunteer carry on patrol?",
        [("The volunteer card", True), ("The patrol phone or a charged phone", True), ("Handcuffs", False)],
    ),
    (
        "You see a fight outside a restaurant. First step?",
        [("Call the station and keep a safe distance", True), ("Step in between them", False)],
    ),
    (
        "Personal information collected on a home visit may be shared with…",
        [("The station only", True), ("The building manager", False), ("The team chat", False)],
    ),
]


def _course(station, name, **fields):
    course, _ = Course.objects.get_or_create(tenant=station, name=name, defaults=fields)
    return course


def seed_demo_station(ctx) -> None:
    station, now = ctx.station, timezone.now().replace(minute=0, second=0, microsecond=0)
    roles = [r for r in VolunteerRole.values if r != VolunteerRole.TRAINER]
    induction = _course(
        station,
        "Volunteer induction",
        kind=Course.Kind.PRE_JOB,
        topic="discipline",
        assessment=Course.Assessment.ATTENDANCE,
        valid_months=None,
        required_for_roles=roles,
        description="Discipline and conduct, the volunteer's duties and rights, using the portal.",
    )
    basics = _course(
        station,
        "Patrol basics",
        topic="security_patrol",
        assessment=Course.Assessment.SCORE,
        max_score=100,
        pass_mark=60,
        valid_months=12,
        required_for_roles=[VolunteerRole.PATROL],
        description="Routes, check-ins, observing and reporting, personal safety.",
    )
    leader = _course(
        station,
        "Patrol leader",
        topic="security_patrol",
        assessment=Course.Assessment.PASS_FAIL,
        valid_months=24,
    )
    CourseInclusion.objects.get_or_create(tenant=station, course=leader, included=basics)
    quiz = _course(
        station, "Law and conduct quiz", topic="discipline", assessment=Course.Assessment.QUIZ, pass_mark=75
    )
    if not QuizQuestion.objects.filter(tenant=station, course=quiz).exists():
        for position, (text, choices) in enumerate(QUIZ, start=1):
            question = QuizQuestion.objects.create(tenant=station, course=quiz, position=position, text=text)
            QuizChoice.objects.bulk_create(
                QuizChoice(tenant=station, question=question, position=n, text=t, is_correct=right)
                for n, (t, right) in enumerate(choices, start=1)
            )
    if Session.objects.filter(tenant=station, course=basics).exists():
        return
    volunteers = list(Volunteer.objects.filter(tenant=station, status=Volunteer.Status.ACTIVE).order_by("pk"))
    patrollers = [v for v in volunteers if VolunteerRole.PATROL in v.roles]
    hall = "Station training room"

    def session(course, starts, capacity=30):
        return Session(
            tenant=station,
            course=course,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2),
            place_name=hall,
            capacity=capacity,
            trainer=ctx.officer,
        )

    # a year of monthly "Patrol basics" (13 months back to 1), inductions each quarter, and some ahead
    past_basics = [session(basics, now - datetime.timedelta(days=30 * m + 2)) for m in range(13, 0, -1)]
    inductions = [session(induction, now - datetime.timedelta(days=90 * q + 5)) for q in range(4, 0, -1)]
    ahead = [
        session(basics, now + datetime.timedelta(days=9), capacity=12),
        session(basics, now + datetime.timedelta(days=40), capacity=12),
        session(induction, now + datetime.timedelta(days=14), capacity=20),
        session(leader, now + datetime.timedelta(days=21), capacity=8),
    ]
    Session.objects.bulk_create(past_basics + inductions + ahead)
    enrolments, certificates = [], []

    def attended(s, volunteer, score=None, passed=True):
        e = Enrolment(
            tenant=station,
            session=s,
            volunteer=volunteer,
            requested_at=s.starts_at - datetime.timedelta(days=7),
            enrolled_at=s.starts_at - datetime.timedelta(days=7),
            attendance=Enrolment.Attendance.PRESENT,
            checkin_method=Enrolment.CheckInMethod.QR,
            checked_in_at=s.starts_at,
            result=Enrolment.Result.PASSED if passed else Enrolment.Result.FAILED,
            score=score,
            recorded_by=ctx.officer,
            recorded_at=s.ends_at,
        )
        enrolments.append(e)
        return e

    for n, volunteer in enumerate(volunteers):  # everyone active took the induction
        attended(inductions[n % len(inductions)], volunteer)
    # three lapsed (13 months ago), a few about to lapse (12 and 11 months ago), the rest recent
    for n, volunteer in enumerate(patrollers):
        if n < 3:
            index = 0
        elif n < 7:
            index = 1 + n % 2
        else:
            index = 3 + n % 10
        attended(past_basics[index], volunteer, score=60 + (n * 7) % 40)
    if len(patrollers) > 8:  # one failed once, passed the next month
        attended(past_basics[2], patrollers[8], score=45, passed=False)
    Enrolment.objects.bulk_create(enrolments)
    for e in enrolments:
        if e.result == Enrolment.Result.PASSED:
            certificates.append(
                Certificate(
                    tenant=station,
                    course=e.session.course,
                    volunteer=e.volunteer,
                    enrolment=e,
                    issued_at=e.session.ends_at,
                    expires_at=certificate_expiry(e.session.course, e.session.ends_at),
                )
            )
    # upcoming: a few enrolled in the next "Patrol basics", the lapsed ones first
    Enrolment.objects.bulk_create(
        Enrolment(tenant=station, session=ahead[0], volunteer=v, enrolled_at=now) for v in patrollers[:2]
    )
    # the quiz: two volunteers passed it
    for volunteer in patrollers[-2:]:
        attempt = QuizAttempt.objects.create(
            tenant=station,
            course=quiz,
            volunteer=volunteer,
            number=1,
            score_percent=100,
            passed=True,
            submitted_at=now - datetime.timedelta(days=20),
        )
        certificates.append(
            Certificate(
                tenant=station,
                course=quiz,
                volunteer=volunteer,
                quiz_attempt=attempt,
                issued_at=attempt.submitted_at,
            )
        )
    Certificate.objects.bulk_create(certificates)


def demo_summary() -> list[tuple[str, int]]:
    with scopes_disabled():
        return [
            ("training sessions", Session.objects.count()),
            ("certificates", Certificate.objects.count()),
        ]
