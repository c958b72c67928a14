"""The training pages: each renders for the roles that use it, 403 for a member without the role,
404 for another station (and for another station's ids through one's own), and a refusal is a
translated 400 that changes nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from jointdefense.tenancy.models import Role
from tests.factories import certificate_made, course_made, enrolled, member, session_made
from training.models import Certificate, Course, Enrolment, TrainingSession


def url(name, station, **kwargs):
    return reverse(f"training:{name}", kwargs={"station": station.slug, **kwargs})


@pytest.fixture
def course_a(station_a):
    return course_made(station_a, "Patrol basics", valid_months=12)


@pytest.fixture
def session_a(course_a):
    return session_made(course_a)


@pytest.fixture
def course_b(station_b):
    return course_made(station_b, "River safety")


@pytest.fixture
def session_b(course_b):
    return session_made(course_b)


def enrolment_count(session):
    with scopes_disabled():
        return Enrolment.objects.filter(session=session).exclude(status="withdrawn").count()


# ---- who sees what -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("course-list", {}),
        ("course-create", {}),
        ("course-detail", {"pk": "course"}),
        ("course-edit", {"pk": "course"}),
        ("course-roster", {"pk": "course"}),
        ("session-list", {}),
        ("session-create", {}),
        ("session-detail", {"pk": "session"}),
        ("session-edit", {"pk": "session"}),
        ("session-attendance", {"pk": "session"}),
        ("session-qr", {"pk": "session"}),
        ("certificate-list", {}),
        ("record-list", {}),
        ("compliance", {}),
    ],
)
def test_officer_pages_render_and_other_stations_ids_are_404(
    name, kwargs, login, officer_a, officer_b, station_a, station_b, course_a, session_a
):
    objects = {"course": course_a.pk, "session": session_a.pk}
    kwargs = {k: objects[v] for k, v in kwargs.items()}
    officer = login(officer_a)
    response = officer.get(url(name, station_a, **kwargs))
    assert response.status_code == 200
    # another station's officer: 404 on A's page, and 404 for A's ids through B's own pages
    assert login(officer_b).get(url(name, station_a, **kwargs)).status_code == 404
    if kwargs:
        assert login(officer_b).get(url(name, station_b, **kwargs)).status_code == 404


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("course-create", {}),
        ("course-edit", {"pk": "course"}),
        ("session-create", {}),
        ("session-attendance", {"pk": "session"}),
        ("certificate-list", {}),
        ("compliance", {}),
        ("record-list", {}),
    ],
)
def test_volunteer_gets_403_on_officer_pages(
    name, kwargs, login, patroller_a, station_a, course_a, session_a
):
    objects = {"course": course_a.pk, "session": session_a.pk}
    kwargs = {k: objects[v] for k, v in kwargs.items()}
    assert login(patroller_a.user).get(url(name, station_a, **kwargs)).status_code == 403


def test_volunteer_sees_their_training_page_with_the_course_they_need_and_where_to_enrol(
    login, patroller_a, station_a, officer_a
):
    course = course_made(station_a, "Patrol basics", required_for_roles=["patrol"])
    session = session_made(course)
    page = login(patroller_a.user).get(url("my-training", station_a))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Patrol basics" in text
    assert url("session-detail", station_a, pk=session.pk) in text
    # officers have no training page of their own
    assert login(officer_a).get(url("my-training", station_a)).status_code == 403


def test_course_list_shows_volunteers_only_courses_on_offer(login, patroller_a, station_a):
    course_made(station_a, "Patrol basics")
    course_made(station_a, "Old first aid", is_active=False)
    text = login(patroller_a.user).get(url("course-list", station_a)).content.decode()
    assert "Patrol basics" in text and "Old first aid" not in text


# ---- courses -------------------------------------------------------------------------------------------


def course_post(**overrides):
    data = {
        "name": "Patrol leader",
        "kind": "regular",
        "topic": "security_patrol",
        "assessment": "score",
        "max_score": "100",
        "pass_mark": "60",
        "quiz_attempts": "3",
        "valid_months": "24",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_officer_creates_a_course_that_includes_another(login, officer_a, station_a, course_a):
    response = login(officer_a).post(url("course-create", station_a), course_post(includes=[course_a.pk]))
    assert response.status_code == 302
    with scope(tenant=station_a):
        leader = Course.objects.get(tenant=station_a, name="Patrol leader")
        assert list(leader.includes.all()) == [course_a]


def test_pass_mark_above_the_scale_is_refused_and_nothing_is_saved(login, officer_a, station_a):
    response = login(officer_a).post(url("course-create", station_a), course_post(pass_mark="150"))
    assert response.status_code == 400
    assert "pass mark" in response.content.decode().lower()
    with scopes_disabled():
        assert not Course.objects.filter(name="Patrol leader").exists()


def test_a_cycle_of_inclusions_is_refused_naming_it_and_changes_nothing(
    login, officer_a, station_a, course_a
):
    leader = course_made(station_a, "Patrol leader")
    with scope(tenant=station_a):
        from training.services.courses import course_set_includes

        course_set_includes(course=leader, included=[course_a], actor=officer_a)
    data = course_post(name="Patrol basics", assessment="attendance", pass_mark="", includes=[leader.pk])
    response = login(officer_a).post(url("course-edit", station_a, pk=course_a.pk), data)
    assert response.status_code == 400
    assert "Patrol leader" in response.content.decode()
    with scope(tenant=station_a):
        assert not course_a.includes.exists()
        course_a.refresh_from_db()
        assert course_a.valid_months == 12  # the edit was not saved either


def test_another_stations_course_is_an_invalid_include(login, officer_a, station_a, course_b):
    response = login(officer_a).post(url("course-create", station_a), course_post(includes=[course_b.pk]))
    assert response.status_code == 400
    with scopes_disabled():
        assert not Course.objects.filter(name="Patrol leader").exists()


def test_quiz_question_needs_a_right_answer(login, officer_a, station_a):
    quiz = course_made(station_a, "Conduct quiz", assessment="quiz", pass_mark=60)
    client = login(officer_a)
    bad = client.post(
        url("question-create", station_a, pk=quiz.pk),
        {"text": "Who leads?", "choice_1": "A", "choice_2": "B"},
    )
    assert bad.status_code == 400 and "Mark at least one answer as right." in bad.content.decode()
    good = client.post(
        url("question-create", station_a, pk=quiz.pk),
        {"text": "Who leads?", "choice_1": "The officer", "correct_1": "on", "choice_2": "Anyone"},
    )
    assert good.status_code == 302
    with scope(tenant=station_a):
        question = quiz.questions.get()
        assert [(c.text, c.is_correct) for c in question.choices.all()] == [
            ("The officer", True),
            ("Anyone", False),
        ]


def test_volunteer_takes_a_quiz_and_sees_attempts_left(login, patroller_a, station_a, officer_a):
    quiz = course_made(station_a, "Conduct quiz", assessment="quiz", pass_mark=100, quiz_attempts=2)
    with scope(tenant=station_a):
        from training.services.courses import quiz_question_save

        question = quiz_question_save(
            course=quiz,
            actor=officer_a,
            text="Who leads?",
            choices=[("The officer", True), ("Anyone", False)],
        )
        right, wrong = question.choices.order_by("position")
    client = login(patroller_a.user)
    page = client.post(url("quiz", station_a, pk=quiz.pk), {f"q_{question.pk}": [wrong.pk]})
    assert page.status_code == 200 and "1 attempt left." in page.content.decode()
    page = client.post(url("quiz", station_a, pk=quiz.pk), {f"q_{question.pk}": [right.pk]})
    assert "0 attempts left." in page.content.decode()
    with scopes_disabled():
        assert Certificate.objects.filter(volunteer=patroller_a, course=quiz).count() == 1


# ---- sessions and enrolment ----------------------------------------------------------------------------


def test_officer_creates_a_session_at_a_pin_on_the_map(login, officer_a, station_a, course_a):
    starts = timezone.localtime() + datetime.timedelta(days=5)
    centre = station_a.boundary.centroid
    response = login(officer_a).post(
        url("session-create", station_a),
        {
            "course": course_a.pk,
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "capacity": "12",
            "location": f'{{"type": "Point", "coordinates": [{centre.x}, {centre.y}]}}',
            "checkin_radius_m": "200",
        },
    )
    assert response.status_code == 302, response.content.decode()
    with scope(tenant=station_a):
        session = TrainingSession.objects.get(course=course_a)
        assert session.location is not None and session.capacity == 12


def test_a_session_that_ends_before_it_starts_is_refused(login, officer_a, station_a, course_a):
    starts = timezone.localtime() + datetime.timedelta(days=5)
    response = login(officer_a).post(
        url("session-create", station_a),
        {
            "course": course_a.pk,
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "capacity": "12",
            "place_name": "Hall",
            "checkin_radius_m": "200",
        },
    )
    assert response.status_code == 400
    assert "The session must end after it starts." in response.content.decode()
    with scopes_disabled():
        assert not TrainingSession.objects.exists()


def test_volunteer_enrols_then_enrolling_again_is_a_translated_400(login, patroller_a, station_a, session_a):
    client = login(patroller_a.user)
    assert client.post(url("session-enrol", station_a, pk=session_a.pk)).status_code == 302
    assert enrolment_count(session_a) == 1
    again = client.post(url("session-enrol", station_a, pk=session_a.pk), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert again.status_code == 400
    assert enrolment_count(session_a) == 1


def test_full_session_puts_the_volunteer_on_the_waiting_list(
    login, patroller_a, station_a, officer_a, course_a
):
    from tests.factories import active_volunteer

    session = session_made(course_a, capacity=1)
    enrolled(session, active_volunteer(station_a, officer_a, full_name="First Volunteer"))
    client = login(patroller_a.user)
    client.post(url("session-enrol", station_a, pk=session.pk))
    page = client.get(url("session-detail", station_a, pk=session.pk)).content.decode()
    assert "You are number 1 on the waiting list." in page


def test_enrolling_in_another_stations_session_is_404(login, patroller_a, station_a, session_b):
    response = login(patroller_a.user).post(url("session-enrol", station_a, pk=session_b.pk))
    assert response.status_code == 404
    assert enrolment_count(session_b) == 0


def test_officer_enrols_a_whole_team(login, officer_a, station_a, session_a, team_a, patroller_a):
    from teams.services.teams import team_member_add

    with scope(tenant=station_a):
        team_member_add(team=team_a, volunteer=patroller_a, actor=officer_a)
    response = login(officer_a).post(
        url("session-enrol-others", station_a, pk=session_a.pk), {"team": team_a.pk}
    )
    assert response.status_code == 302
    assert enrolment_count(session_a) == 1


def test_another_stations_team_is_refused(login, officer_a, station_a, session_a, team_b):
    response = login(officer_a).post(
        url("session-enrol-others", station_a, pk=session_a.pk), {"team": team_b.pk}
    )
    assert response.status_code == 400
    assert enrolment_count(session_a) == 0


# ---- attendance ----------------------------------------------------------------------------------------


def attendance_post(rows):
    data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": str(len(rows))}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{i}-{key}"] = value
    return data


@pytest.fixture
def scored_session(station_a):
    course = course_made(station_a, "Mediation skills", assessment="score", max_score=100, pass_mark=60)
    return session_made(course, starts_in=-datetime.timedelta(hours=3))


def test_officer_records_the_whole_session_on_one_page(
    login, officer_a, station_a, scored_session, patroller_a
):
    from tests.factories import active_volunteer

    other = active_volunteer(station_a, officer_a, full_name="Absent Volunteer")
    first, second = enrolled(scored_session, patroller_a), enrolled(scored_session, other)
    client = login(officer_a)
    page = client.get(url("session-attendance", station_a, pk=scored_session.pk)).content.decode()
    assert "Patroller A" in page and "Absent Volunteer" in page
    response = client.post(
        url("session-attendance", station_a, pk=scored_session.pk),
        attendance_post(
            [
                {"enrolment": first.pk, "attendance": "present", "score": "75"},
                {"enrolment": second.pk, "attendance": "absent", "score": ""},
            ]
        ),
    )
    assert response.status_code == 302
    with scopes_disabled():
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.attendance, first.result, first.score) == ("present", "passed", 75)
        assert second.attendance == "absent"
        assert Certificate.objects.filter(volunteer=patroller_a).count() == 1


def test_a_score_off_the_scale_refuses_the_whole_page(
    login, officer_a, station_a, scored_session, patroller_a
):
    from tests.factories import active_volunteer

    other = active_volunteer(station_a, officer_a, full_name="Second Volunteer")
    first, second = enrolled(scored_session, patroller_a), enrolled(scored_session, other)
    response = login(officer_a).post(
        url("session-attendance", station_a, pk=scored_session.pk),
        attendance_post(
            [
                {"enrolment": first.pk, "attendance": "present", "score": "70"},
                {"enrolment": second.pk, "attendance": "present", "score": "250"},
            ]
        ),
    )
    assert response.status_code == 400
    assert "Second Volunteer" in response.content.decode()
    with scopes_disabled():
        first.refresh_from_db()
        assert first.attendance == "unrecorded" and not Certificate.objects.exists()


def test_a_volunteer_who_is_not_the_trainer_may_not_record(login, patroller_a, station_a, scored_session):
    assert (
        login(patroller_a.user).get(url("session-attendance", station_a, pk=scored_session.pk)).status_code
        == 403
    )


def test_trainer_volunteer_records_their_own_session(
    login, station_a, officer_a, patroller_a, scored_session
):
    with scopes_disabled():
        TrainingSession.objects.filter(pk=scored_session.pk).update(trainer=patroller_a.user)
    assert (
        login(patroller_a.user).get(url("session-attendance", station_a, pk=scored_session.pk)).status_code
        == 200
    )


# ---- QR check-in ---------------------------------------------------------------------------------------


def test_qr_check_in_outside_the_session_time_is_refused(login, patroller_a, station_a, session_a):
    enrolment = enrolled(session_a, patroller_a)  # the session is in three days
    client = login(patroller_a.user)
    assert client.get(url("check-in", station_a, code=session_a.checkin_code)).status_code == 200
    response = client.post(url("check-in", station_a, code=session_a.checkin_code), {})
    assert response.status_code == 400
    with scopes_disabled():
        enrolment.refresh_from_db()
        assert enrolment.attendance == "unrecorded"


def test_qr_check_in_during_an_online_session(login, patroller_a, station_a, course_a):
    session = session_made(
        course_a,
        starts_in=-datetime.timedelta(minutes=10),
        place_name="",
        online_url="https://meet.example/x",
    )
    enrolment = enrolled(session, patroller_a)
    response = login(patroller_a.user).post(url("check-in", station_a, code=session.checkin_code), {})
    assert response.status_code == 302
    with scopes_disabled():
        enrolment.refresh_from_db()
        assert (enrolment.attendance, enrolment.checkin_method) == ("present", "qr")


def test_another_stations_check_in_code_is_404(login, patroller_a, station_a, session_b):
    assert (
        login(patroller_a.user).get(url("check-in", station_a, code=session_b.checkin_code)).status_code
        == 404
    )


# ---- certificates --------------------------------------------------------------------------------------


def test_public_verification_shows_the_course_validity_and_name_only(
    anonymous, station_a, patroller_a, course_a
):
    certificate = certificate_made(
        patroller_a, course_a, expires_at=timezone.now() + datetime.timedelta(days=300)
    )
    page = anonymous.get(url("verify", station_a, code=certificate.code))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Valid certificate" in text and "Patroller A" in text and "Patrol basics" in text
    assert patroller_a.phone not in text and patroller_a.id_number not in text


def test_unknown_certificate_code_is_a_404_saying_so(anonymous, station_a):
    page = anonymous.get(url("verify", station_a, code="no-such-code"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 404
    assert "No such certificate" in page.content.decode()


def test_a_certificate_is_verified_only_on_its_own_station(anonymous, station_b, patroller_a, course_a):
    certificate = certificate_made(patroller_a, course_a)
    assert anonymous.get(url("verify", station_b, code=certificate.code)).status_code == 404


def test_volunteer_prints_their_certificate_but_not_anothers(
    login, station_a, officer_a, patroller_a, course_a
):
    from tests.factories import active_volunteer

    mine = certificate_made(patroller_a, course_a)
    theirs = certificate_made(active_volunteer(station_a, officer_a, full_name="Other One"), course_a)
    client = login(patroller_a.user)
    page = client.get(url("certificate", station_a, pk=mine.pk))
    assert page.status_code == 200
    assert url("verify", station_a, code=mine.code) in page.content.decode()
    assert client.get(url("certificate", station_a, pk=theirs.pk)).status_code == 404


def test_officer_revokes_with_a_reason_and_verification_says_revoked(
    login, anonymous, officer_a, station_a, patroller_a, course_a
):
    certificate = certificate_made(patroller_a, course_a)
    client = login(officer_a)
    refused = client.post(url("certificate-revoke", station_a, pk=certificate.pk), {"reason": ""})
    assert refused.status_code == 400
    with scopes_disabled():
        certificate.refresh_from_db()
        assert certificate.revoked_at is None
    assert (
        client.post(url("certificate-revoke", station_a, pk=certificate.pk), {"reason": "Forged"}).status_code
        == 302
    )
    assert (
        "Revoked certificate"
        in anonymous.get(url("verify", station_a, code=certificate.code)).content.decode()
    )
    assert (
        login(patroller_a.user)
        .post(url("certificate-revoke", station_a, pk=certificate.pk), {"reason": "x"})
        .status_code
        == 403
    )


# ---- records -------------------------------------------------------------------------------------------


def test_officer_reads_a_volunteers_record_and_the_compliance(
    login, officer_a, chief_a, station_a, patroller_a
):
    course = course_made(station_a, "Patrol basics", required_for_roles=["patrol"])
    record = login(officer_a).get(url("volunteer-record", station_a, pk=patroller_a.pk))
    assert record.status_code == 200 and "Patrol basics" in record.content.decode()
    compliance = login(chief_a).get(url("compliance", station_a)).content.decode()
    assert "0 / 1" in compliance
    certificate_made(patroller_a, course)
    assert "1 / 1" in login(chief_a).get(url("compliance", station_a)).content.decode()


def test_team_leader_reads_only_their_teams_records(login, station_a, officer_a, team_a, patroller_a):
    from teams.services.teams import team_member_add
    from tests.factories import active_volunteer

    leader_user = member(station_a, Role.TEAM_LEADER, username="leader_a")
    leader = active_volunteer(station_a, officer_a, user=leader_user, full_name="Leader A")
    outsider = active_volunteer(station_a, officer_a, full_name="Not In Team")
    with scope(tenant=station_a):
        team_member_add(team=team_a, volunteer=leader, actor=officer_a, is_leader=True)
        team_member_add(team=team_a, volunteer=patroller_a, actor=officer_a)
    client = login(leader_user)
    assert client.get(url("volunteer-record", station_a, pk=patroller_a.pk)).status_code == 200
    assert client.get(url("volunteer-record", station_a, pk=outsider.pk)).status_code == 403
