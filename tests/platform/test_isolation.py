"""Every station URL so far, pages and API: another station's member gets 404 exactly like a
missing object; an anonymous visitor is sent to log in; too little role is a 403."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

# Each station URL: the kwargs it needs beyond the station (objects come from station A, "x.pk" names
# an object of the ``objects`` fixture), the method to ask with, who in station A may use it, and what
# that member gets (None: tested in the app's own tests, for actions that need form data).
OFFICER, CHIEF = "officer_a", "chief_a"


def url(kwargs=None, method="get", member=OFFICER, ok=200, public=False):
    return {"kwargs": kwargs or {}, "method": method, "member": member, "ok": ok, "public": public}


STATION_URLS = {
    "tenancy:home": url(),
    "tenancy:community-list": url(),
    "tenancy:community-detail": url({"community": "garden"}),
    "tenancy:member-list": url(),
    "tenancy:dashboard": url(member=CHIEF),
    "tenancy:dashboard-csv": url(member=CHIEF),
    "tenancy:rankings": url(member=CHIEF),
    "tenancy:rankings-csv": url(member=CHIEF),
    "api:figures": url(member=CHIEF),
    "api:rankings": url(member=CHIEF),
    "tenancy:dashboard-heat": url(member=CHIEF),
    "tenancy:dashboard-map-csv": url(member=CHIEF),
    "tenancy:desk": url(),
    # the weekly summaries' archive (tests/platform/test_summary.py): the chief reads and resends
    "tenancy:summary-list": url(member=CHIEF),
    "tenancy:summary-detail": url({"week": "summary.week_start"}, member=CHIEF),
    "tenancy:summary-pdf": url({"week": "summary.week_start"}, member=CHIEF),
    "tenancy:summary-resend": url({"week": "summary.week_start"}, "post", member=CHIEF, ok=302),
    "api:summary-list": url(member=CHIEF),
    "api:summary-detail": url({"week_start": "summary.week_start"}, member=CHIEF),
    "api:desk": url(),
    "api:community-list": url(),
    "api:community-detail": url({"pk": "community_a.pk"}),
    "api:gridcell-list": url(),
    "api:gridcell-detail": url({"pk": "cell_a.pk"}),
    # teams: public pages
    "teams:apply": url(public=True),
    "teams:my-volunteering": url(member="patroller", public=True),
    "teams:my-email": url(member="patroller"),
    "teams:my-calendar": url(member="patroller"),
    # the address is the credential (tests/teams/test_views_calendars.py: another station's is 404)
    "teams:calendar-feed": url({"token": "calendar_feed.token"}, member="patroller", public=True),
    "teams:redemption-request": url({"pk": "reward.pk"}, "post", member="patroller", ok=302),
    "teams:redemption-cancel": url({"pk": "redemption.pk"}, "post", member="patroller", ok=302),
    # teams: screening, roster, teams
    "teams:volunteer-list": url(),
    "teams:application-list": url(),
    "teams:volunteer-export": url(),
    "teams:volunteer-import": url(),
    # incidents: public pages (a resident needs no account)
    "incidents:report": url(public=True),
    "incidents:report-nearby": url(public=True, ok=400),
    "incidents:track-lookup": url(public=True),
    "incidents:track": url({"code": "report.tracking_code"}, public=True),
    "incidents:triage": url(),
    "incidents:triage-map": url(),
    "incidents:return-visit-list": url(),
    "api:report-list": url(),
    "api:report-detail": url({"pk": "report.pk"}),
    "api:returnvisit-list": url(),
    # reports API actions (bodies and refusals in tests/incidents/test_api.py)
    "api:report-transition": url({"pk": "report.pk"}, "post", ok=None),
    "api:report-assign": url({"pk": "report.pk"}, "post", ok=None),
    "api:report-comment": url({"pk": "report.pk"}, "post", ok=None),
    "api:report-merge": url({"pk": "report.pk"}, "post", ok=None),
    "api:returnvisit-record": url({"pk": "visit.pk"}, "post", ok=None),
    "incidents:case": url({"pk": "report.pk"}),
    # photos answer everyone without access with 404, anonymous visitors too (no login page that
    # confirms a photo exists): tests/incidents/test_views_photos.py, tests/patrols/test_views_field_photos.py
    "incidents:photo": url({"pk": "report_photo.pk"}, public=True),
    "patrols:photo": url({"pk": "patrol_photo.pk"}, member="patroller", public=True),
    # incidents: dispute mediation
    "incidents:mediation-list": url(),
    "incidents:mediation-open": url(),
    "incidents:mediation-detail": url({"pk": "mediation.pk"}),
    "incidents:mediation-session-add": url({"pk": "mediation.pk"}),
    "incidents:mediation-outcome": url({"pk": "mediation.pk"}),
    "incidents:mediation-party-add": url({"pk": "mediation.pk"}),
    "incidents:mediation-party-edit": url({"pk": "mediation.pk", "party": "party.pk"}),
    "api:mediation-list": url(),
    "api:mediation-detail": url({"pk": "mediation.pk"}),
    "api:mediation-sessions": url({"pk": "mediation.pk"}, "post", ok=None),
    "api:mediation-outcome": url({"pk": "mediation.pk"}, "post", ok=None),
    "teams:background-groups": url(),
    "teams:volunteer-import-job": url({"pk": "import_job.pk"}),
    "teams:volunteer-detail": url({"pk": "volunteer.pk"}),
    "teams:volunteer-action": url({"pk": "volunteer.pk", "action": "approve"}, "post", ok=None),
    "teams:points-award": url({"pk": "volunteer.pk"}, "post", ok=None),
    "teams:team-list": url(),
    "teams:team-create": url(),
    "teams:team-detail": url({"pk": "team.pk"}),
    "teams:team-edit": url({"pk": "team.pk"}),
    "teams:team-member-add": url({"pk": "team.pk"}, "post", ok=None),
    "teams:team-member-remove": url({"pk": "team.pk", "volunteer": "volunteer.pk"}, "post", ok=302),
    # teams: points and rewards
    "teams:leaderboard": url(),
    "teams:ledger": url(),
    "teams:point-rules": url(),
    "teams:reward-list": url(),
    "teams:reward-create": url(member=CHIEF),
    "teams:reward-edit": url({"pk": "reward.pk"}, member=CHIEF),
    "teams:redemption-list": url(member=CHIEF),
    "teams:redemption-decide": url(
        {"pk": "redemption.pk", "decision": "approve"}, "post", member=CHIEF, ok=302
    ),
    "teams:points-reverse": url({"pk": "entry.pk"}, "post", member=CHIEF, ok=None),
    # teams API (actions that need a body are tested in tests/teams/test_api.py: ok=None)
    "api:volunteer-list": url(),
    "api:volunteer-detail": url({"pk": "volunteer.pk"}),
    "api:volunteer-classify": url({"pk": "volunteer.pk"}, "patch", ok=None),
    "api:application-list": url(),
    "api:application-detail": url({"pk": "applicant.pk"}),
    "api:application-start-review": url({"pk": "applicant.pk"}, "post"),
    "api:application-review": url({"pk": "applicant.pk"}, "post", ok=None),
    "api:application-approve": url({"pk": "applicant.pk"}, "post", ok=None),
    "api:application-reject": url({"pk": "applicant.pk"}, "post", ok=None),
    "api:application-activate": url({"pk": "applicant.pk"}, "post", ok=None),
    "api:team-list": url(),
    "api:team-detail": url({"pk": "team.pk"}),
    "api:team-members": url({"pk": "team.pk"}, "post", ok=None),
    "api:team-remove-member": url({"pk": "team.pk", "volunteer_id": "volunteer.pk"}, "delete", ok=204),
    "api:ledger-list": url(),
    "api:ledger-detail": url({"pk": "entry.pk"}),
    "api:ledger-award": url(method="post", ok=None),
    "api:ledger-reverse": url({"pk": "entry.pk"}, "post", member=CHIEF, ok=None),
    "api:reward-list": url(),
    "api:redemption-list": url(member=CHIEF),
    "api:redemption-detail": url({"pk": "redemption.pk"}, member=CHIEF),
    "api:redemption-approve": url({"pk": "redemption.pk"}, "post", member=CHIEF),
    "api:redemption-refuse": url({"pk": "redemption.pk"}, "post", member=CHIEF, ok=None),
    # patrols in the field: the volunteer's phone pages
    "patrols:my-patrol": url(member="patroller"),
    "patrols:patrol-start": url({"pk": "shift.pk"}, "post", member="patroller", ok=302),
    "patrols:patrol": url({"pk": "patrol.pk"}, member="patroller"),
    "patrols:patrol-note": url({"pk": "patrol.pk"}, "post", member="patroller", ok=302),
    "patrols:patrol-photo": url({"pk": "patrol.pk"}, "post", member="patroller", ok=302),
    "patrols:patrol-end": url({"pk": "patrol.pk"}, "post", member="patroller", ok=302),
    "patrols:check-in": url({"qr_token": "checkpoint.qr_token"}, member="patroller"),
    "patrols:check-in-offline": url(member="patroller"),
    "patrols:service-worker": url(member="patroller"),
    # patrols in the field: officers
    "patrols:board": url(),
    "patrols:board-data": url(),
    "patrols:patrol-list": url(),
    "patrols:patrol-detail": url({"pk": "patrol.pk"}),
    "patrols:review-queue": url(),
    "patrols:check-in-review": url({"pk": "check_in.pk"}, "post", ok=302),
    "api:checkin-list": url(),
    "api:checkin-detail": url({"pk": "check_in.pk"}),
    "api:checkin-batch": url(method="post", member="patroller", ok=None),
    "api:checkin-review": url({"pk": "check_in.pk"}, "post", ok=None),
    "api:patrol-list": url(),
    "api:patrol-detail": url({"pk": "patrol.pk"}),
    "api:patrol-board": url(),
    # patrols: planning (routes, checkpoints, schedules, coverage, assignments, hot spots)
    "patrols:route-list": url(),
    "patrols:route-create": url(),
    "patrols:route-detail": url({"pk": "route.pk"}),
    "patrols:route-edit": url({"pk": "route.pk"}),
    "patrols:route-qr": url({"pk": "route.pk"}),
    "patrols:checkpoint-create": url({"pk": "route.pk"}),
    "patrols:checkpoint-edit": url({"pk": "route.pk", "checkpoint": "checkpoint.pk"}),
    "patrols:schedule-list": url(),
    "patrols:schedule-create": url(),
    "patrols:schedule-edit": url({"pk": "schedule.pk"}),
    "patrols:coverage": url(),
    "patrols:shift-create": url(),
    "patrols:shift-detail": url({"pk": "shift.pk"}),
    "patrols:shift-cancel": url({"pk": "shift.pk"}, "post", ok=302),
    "patrols:shift-assign": url({"pk": "shift.pk"}, "post", ok=None),
    "patrols:signup-remove": url({"pk": "shift.pk", "signup": "signup.pk"}, "post", ok=302),
    "patrols:hotspots": url(),
    # patrols: the volunteer's shifts
    "patrols:shifts": url(member="patroller"),
    "patrols:shift-signup": url({"pk": "shift.pk"}, "post", member="patroller", ok=302),
    "patrols:shift-withdraw": url({"pk": "shift.pk"}, "post", member="patroller", ok=302),
    # patrols API
    "api:route-list": url(),
    "api:route-detail": url({"pk": "route.pk"}),
    "api:checkpoint-list": url(),
    "api:checkpoint-detail": url({"pk": "checkpoint.pk"}),
    "api:schedule-list": url(),
    "api:schedule-detail": url({"pk": "schedule.pk"}),
    "api:shift-list": url(),
    "api:shift-detail": url({"pk": "shift.pk"}),
    "api:shift-assign": url({"pk": "shift.pk"}, "post", ok=None),
    "api:signup-list": url(),
    "api:signup-detail": url({"pk": "signup.pk"}),
    "api:signup-withdraw": url({"pk": "signup.pk"}, "post", member="patroller"),
    # training (bodies and refusals in tests/training/test_pages.py and test_api.py)
    "training:course-list": url(),
    "training:course-create": url(),
    "training:course-detail": url({"pk": "course.pk"}),
    "training:course-edit": url({"pk": "course.pk"}),
    "training:course-roster": url({"pk": "course.pk"}),
    "training:quiz": url({"pk": "quiz.pk"}, member="patroller"),
    "training:question-create": url({"pk": "quiz.pk"}),
    "training:question-edit": url({"pk": "quiz.pk", "question": "question.pk"}),
    "training:session-list": url(),
    "training:session-create": url(),
    "training:session-detail": url({"pk": "training_session.pk"}),
    "training:session-edit": url({"pk": "training_session.pk"}),
    "training:session-cancel": url({"pk": "training_session.pk"}, "post", ok=302),
    "training:session-enrol": url({"pk": "training_session.pk"}, "post", member="patroller", ok=None),
    "training:session-withdraw": url({"pk": "training_session.pk"}, "post", member="patroller", ok=302),
    "training:session-enrol-others": url({"pk": "training_session.pk"}, "post", ok=None),
    "training:session-attendance": url({"pk": "training_session.pk"}),
    "training:session-qr": url({"pk": "training_session.pk"}),
    "training:check-in": url({"code": "training_session.checkin_code"}, member="patroller"),
    "training:my-training": url(member="patroller"),
    "training:certificate": url({"pk": "certificate.pk"}),
    "training:certificate-revoke": url({"pk": "certificate.pk"}, "post", ok=None),
    "training:certificate-list": url(),
    "training:verify": url({"code": "certificate.code"}, public=True),
    "training:record-list": url(),
    "training:volunteer-record": url({"pk": "volunteer.pk"}),
    "training:compliance": url(),
    "api:course-list": url(),
    "api:course-detail": url({"pk": "course.pk"}),
    "api:course-quiz": url({"pk": "quiz.pk"}, "post", member="patroller", ok=None),
    "api:session-list": url(),
    "api:session-detail": url({"pk": "training_session.pk"}),
    "api:session-cancel": url({"pk": "training_session.pk"}, "post"),
    "api:session-enrol": url({"pk": "training_session.pk"}, "post", ok=None),
    "api:session-attendance": url({"pk": "training_session.pk"}, "post", ok=None),
    "api:session-check-in": url(method="post", member="patroller", ok=None),
    "api:enrolment-list": url(),
    "api:enrolment-detail": url({"pk": "training_enrolment.pk"}),
    "api:enrolment-withdraw": url({"pk": "training_enrolment.pk"}, "post", member="patroller"),
    "api:result-list": url(),
    "api:result-detail": url({"pk": "training_enrolment.pk"}, ok=None),  # once recorded: test_api.py
    "api:certificate-list": url(),
    "api:certificate-detail": url({"pk": "certificate.pk"}),
    "api:certificate-revoke": url({"pk": "certificate.pk"}, "post", ok=None),
    "api:certificate-verify": url({"code": "certificate.code"}, public=True),
}
API = {n for n in STATION_URLS if n.startswith("api:")}
PRIVATE = sorted(n for n, spec in STATION_URLS.items() if not spec["public"])


def station_url_names():
    """Every named URL pattern whose route contains <station>."""
    names = set()

    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and "<slug:station>" in prefix + str(p.pattern) and p.name:
                names.add(namespace + p.name)

    walk(get_resolver().url_patterns, "", "")
    return names


def test_every_station_url_is_covered_here():
    assert station_url_names() == set(STATION_URLS), "add new station URLs to STATION_URLS"


def url_for(name, station, objects):
    kwargs = {}
    for key, value in STATION_URLS[name]["kwargs"].items():
        name_, _dot, attribute = value.partition(".")
        kwargs[key] = getattr(objects[name_], attribute) if attribute else value
    return reverse(name, kwargs={"station": station.slug, **kwargs})


def ask(client, name, station, objects):
    return getattr(client, STATION_URLS[name]["method"])(url_for(name, station, objects))


@pytest.fixture
def objects(community_a, cell_a, patroller_a, team_a, officer_a, station_a):
    from django_scopes import scope

    from teams.models import ImportJob, Reward
    from teams.services import points as point_services
    from teams.services import rewards as reward_services
    from teams.services import teams as team_services
    from tests.factories import VolunteerFactory

    with scope(tenant=station_a):
        team_services.team_member_add(team=team_a, volunteer=patroller_a, actor=officer_a)
        entry, _ = point_services.points_award(
            tenant=station_a, volunteer=patroller_a, kind="case_assisted", idempotency_key="case:1"
        )
        reward = Reward.objects.create(tenant=station_a, kind="item", name="Thermos", cost_points=50, stock=5)
        redemption = reward_services.redemption_request(volunteer=patroller_a, reward=reward, actor=None)
        from teams.services.calendars import calendar_feed_renew

        calendar_feed = calendar_feed_renew(volunteer=patroller_a, actor=patroller_a.user)
        applicant = VolunteerFactory(tenant=station_a, full_name="Applicant A")
        from incidents.models import Category, Report

        report = Report.objects.create(
            tenant=station_a,
            tracking_code="TRACK23456",
            category=Category.objects.get(tenant=station_a, slug="theft"),
            description="Bike stolen",
            location=community_a.boundary.centroid,
            public_location=community_a.boundary.centroid,
        )
        import_job = ImportJob.objects.create(tenant=station_a, created_by=officer_a, total=0, status="done")
        from incidents.models import ReturnVisit

        visit = ReturnVisit.objects.create(
            tenant=station_a, report=report, level="officer", assignee=officer_a, due_at=report.created_at
        )
        from incidents.services.mediation import mediation_open

        mediation = mediation_open(
            tenant=station_a,
            actor=officer_a,
            kind="neighbours",
            summary="Noise from the flat above",
            mediator_officer=officer_a,
            parties=[("Zhang San", "applicant", "13800001111")],
        )
        party = mediation.parties.get()
        patrol_objects = _patrol_objects(station_a, patroller_a, team_a)
        from incidents.models import ReportPhoto
        from jointdefense.core.photos import photo_reencode
        from patrols.services.field import patrol_photo_add
        from tests.factories import jpeg_with_gps

        content, width, height = photo_reencode(jpeg_with_gps())
        report_photo = ReportPhoto.objects.create(
            tenant=station_a, report=report, image=content, width=width, height=height
        )
        patrol_photo = patrol_photo_add(
            patrol=patrol_objects["patrol"], volunteer=patroller_a, upload=jpeg_with_gps()
        )
        training_objects = _training_objects(station_a, patroller_a, officer_a)
        from jointdefense.tenancy.models import StationSummary
        from jointdefense.tenancy.summaries import due_week

        summary = StationSummary.objects.create(
            tenant=station_a, week_start=due_week(station_a, timezone.now()), content={}
        )
    return {
        "summary": summary,
        **patrol_objects,
        **training_objects,
        "report_photo": report_photo,
        "patrol_photo": patrol_photo,
        "visit": visit,
        "mediation": mediation,
        "party": party,
        "import_job": import_job,
        "report": report,
        "applicant": applicant,
        "community_a": community_a,
        "cell_a": cell_a,
        "volunteer": patroller_a,
        "team": team_a,
        "reward": reward,
        "redemption": redemption,
        "entry": entry,
        "calendar_feed": calendar_feed,
    }


def _training_objects(station, patroller, officer):
    """A course with a session in three days the patroller is on, a quiz with a question, and a
    certificate the patroller holds."""
    from tests.factories import certificate_made, course_made, enrolled, session_made
    from training.services.courses import quiz_question_save

    course = course_made(station, "Patrol basics")
    session = session_made(course)
    quiz = course_made(station, "Conduct quiz", assessment="quiz", pass_mark=60)
    question = quiz_question_save(
        course=quiz, actor=officer, text="Who leads?", choices=[("Us", True), ("No", False)]
    )
    return {
        "course": course,
        "training_session": session,
        "training_enrolment": enrolled(session, patroller),
        "quiz": quiz,
        "question": question,
        "certificate": certificate_made(patroller, course),
    }


def _patrol_objects(station, patroller, team):
    """A route with a checkpoint and a schedule; a shift on now with the patroller on patrol and a
    flagged check-in; a shift in two days the patroller signed up for."""
    import datetime
    import uuid

    from django.utils import timezone

    from patrols.models import Schedule, Signup
    from patrols.services import field, signups
    from tests.factories import CheckpointFactory, RouteFactory, ShiftFactory

    route = RouteFactory(tenant=station, name="Garden loop")
    checkpoint = CheckpointFactory(route=route, tenant=station, position=1)
    schedule = Schedule.objects.create(
        tenant=station,
        name="Evenings",
        kind="daily",
        route=route,
        start_time=datetime.time(19),
        duration_minutes=120,
        valid_from=datetime.date(2026, 1, 1),
        team=team,
    )
    now = timezone.now()
    current = ShiftFactory(route=route, starts_at=now - datetime.timedelta(minutes=5))
    Signup.objects.create(tenant=station, shift=current, volunteer=patroller)
    patrol = field.patrol_start(shift=current, volunteer=patroller, actor=None)
    check_in, _ = field.check_in_submit(
        volunteer=patroller, qr_token=checkpoint.qr_token, client_id=uuid.uuid4(), device_time=now
    )  # no location: flagged, waiting for review
    shift = ShiftFactory(tenant=station, route=route, team=team, starts_at=now + datetime.timedelta(days=2))
    signup = signups.shift_signup(shift=shift, volunteer=patroller)
    return {
        "route": route,
        "checkpoint": checkpoint,
        "schedule": schedule,
        "shift": shift,
        "signup": signup,
        "patrol": patrol,
        "check_in": check_in,
    }


@pytest.fixture
def member_of_a(officer_a, chief_a, patroller_a):
    return {"officer_a": officer_a, "chief_a": chief_a, "patroller": patroller_a.user}


@pytest.mark.parametrize("name", sorted(n for n, spec in STATION_URLS.items() if spec["ok"]))
def test_member_with_the_role_uses_it(name, login, member_of_a, station_a, objects):
    spec = STATION_URLS[name]
    assert ask(login(member_of_a[spec["member"]]), name, station_a, objects).status_code == spec["ok"]


@pytest.mark.parametrize("name", PRIVATE)
def test_outsider_gets_404(name, login, officer_b, station_a, objects):
    """Station B's officer asking for station A's pages and objects."""
    assert ask(login(officer_b), name, station_a, objects).status_code == 404


@pytest.mark.parametrize("name", [n for n in PRIVATE if STATION_URLS[n]["kwargs"]])
def test_other_stations_object_through_own_station_is_404(
    name, login, officer_b, chief_b, patroller_b, station_b, objects
):
    """Station B's people using B's own URLs with A's object ids: the same 404 as a missing one."""
    user = {"officer_a": officer_b, "chief_a": chief_b, "patroller": patroller_b.user}[
        STATION_URLS[name]["member"]
    ]
    assert ask(login(user), name, station_b, objects).status_code == 404


@pytest.mark.parametrize("name", sorted(STATION_URLS))
def test_missing_station_is_404(name, login, officer_a, station_a, objects):
    url = url_for(name, station_a, objects).replace("/station-a/", "/no-such-station/")
    assert getattr(login(officer_a), STATION_URLS[name]["method"])(url).status_code == 404


@pytest.mark.parametrize("name", sorted(n for n in PRIVATE if n not in API))
def test_anonymous_is_sent_to_log_in(name, anonymous, station_a, objects):
    response = ask(anonymous, name, station_a, objects)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", sorted(n for n in API if not STATION_URLS[n]["public"]))
def test_anonymous_api_call_is_refused(name, anonymous, station_a, objects):
    assert ask(anonymous, name, station_a, objects).status_code in (401, 403)


@pytest.mark.parametrize("name", sorted(n for n, s in STATION_URLS.items() if s["member"] == CHIEF))
def test_an_officer_may_not_do_what_only_the_chief_does(name, login, officer_a, station_a, objects):
    assert ask(login(officer_a), name, station_a, objects).status_code == 403


def test_volunteer_may_not_see_the_people_page(login, volunteer_a, station_a):
    client = login(volunteer_a)
    assert client.get(reverse("tenancy:member-list", kwargs={"station": station_a.slug})).status_code == 403
    home = client.get(reverse("tenancy:home", kwargs={"station": station_a.slug}))
    assert reverse("tenancy:member-list", kwargs={"station": station_a.slug}) not in home.content.decode()


def test_officer_sees_the_people_page_in_navigation(login, officer_a, volunteer_a, station_a):
    page = login(officer_a).get(reverse("tenancy:member-list", kwargs={"station": station_a.slug}))
    assert page.status_code == 200
    assert "Volunteer A" in page.content.decode()


def test_bureau_viewer_reads_its_stations_but_not_others(login, bureau_viewer, station_a, community_a):
    from tests.factories import StationFactory

    client = login(bureau_viewer)
    assert client.get(reverse("tenancy:home", kwargs={"station": station_a.slug})).status_code == 200
    assert client.get(reverse("tenancy:member-list", kwargs={"station": station_a.slug})).status_code == 200
    elsewhere = StationFactory(slug="elsewhere")
    assert client.get(reverse("tenancy:home", kwargs={"station": elsewhere.slug})).status_code == 404


def test_bureau_home_rolls_up_its_stations(login, bureau_viewer, bureau, community_a, community_b, cell_a):
    page = login(bureau_viewer).get(reverse("tenancy:home", kwargs={"station": bureau.slug}))
    assert page.status_code == 200
    rows = page.context["stations"]
    assert [(s.slug, s.community_count, s.grid_cell_count) for s in rows] == [
        ("station-a", 1, 1),
        ("station-b", 1, 0),
    ]


def test_inactive_membership_gives_no_access(login, officer_a, station_a):
    from django_scopes import scopes_disabled

    from jointdefense.tenancy.models import Membership

    with scopes_disabled():
        Membership.objects.filter(user=officer_a).update(is_active=False)
    assert (
        login(officer_a).get(reverse("tenancy:home", kwargs={"station": station_a.slug})).status_code == 404
    )


def test_a_tracking_code_only_opens_its_own_stations_report(anonymous, station_a, station_b, objects):
    code = objects["report"].tracking_code
    assert (
        anonymous.get(
            reverse("incidents:track", kwargs={"station": station_a.slug, "code": code})
        ).status_code
        == 200
    )
    assert (
        anonymous.get(
            reverse("incidents:track", kwargs={"station": station_b.slug, "code": code})
        ).status_code
        == 404
    )
