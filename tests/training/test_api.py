"""The training API: every route with the roles of the pages, another station's ids 404, refusals
answer 400 with their code and change nothing, and the schema lists the routes."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from tests.factories import active_volunteer, certificate_made, course_made, enrolled, session_made
from training.models import Certificate, Course, Enrolment


def api(name, station, **kwargs):
    return reverse(f"api:{name}", kwargs={"station": station.slug, **kwargs})


@pytest.fixture
def course_a(station_a):
    return course_made(station_a, "Patrol basics", valid_months=12)


@pytest.fixture
def session_a(course_a):
    return session_made(course_a)


@pytest.fixture
def session_b(station_b):
    return session_made(course_made(station_b, "River safety"))


def test_lists_answer_the_roles_and_outsiders_get_404(
    login, officer_a, officer_b, patroller_a, station_a, session_a
):
    for name in ("course-list", "session-list", "enrolment-list", "result-list", "certificate-list"):
        assert login(officer_a).get(api(name, station_a)).status_code == 200, name
        assert login(patroller_a.user).get(api(name, station_a)).status_code == 200, name
        assert login(officer_b).get(api(name, station_a)).status_code == 404, name


def test_another_stations_ids_are_404(
    login, officer_b, station_b, station_a, session_a, course_a, patroller_a
):
    enrolment = enrolled(session_a, patroller_a)
    certificate = certificate_made(patroller_a, course_a)
    client = login(officer_b)
    for name, pk in (
        ("course-detail", course_a.pk),
        ("session-detail", session_a.pk),
        ("enrolment-detail", enrolment.pk),
        ("certificate-detail", certificate.pk),
    ):
        assert client.get(api(name, station_b, pk=pk)).status_code == 404, name
    assert client.post(api("session-cancel", station_b, pk=session_a.pk)).status_code == 404
    assert (
        client.post(api("certificate-revoke", station_b, pk=certificate.pk), {"reason": "x"}).status_code
        == 404
    )


def test_officer_creates_a_course_and_a_pass_mark_off_the_scale_is_400(login, officer_a, station_a):
    client = login(officer_a)
    body = {"name": "Scored", "topic": "first_aid", "assessment": "score", "max_score": 50, "pass_mark": 80}
    refused = client.post(api("course-list", station_a), body, content_type="application/json")
    assert refused.status_code == 400 and "code" in refused.json()
    body["pass_mark"] = 30
    created = client.post(api("course-list", station_a), body, content_type="application/json")
    assert created.status_code == 201 and created.json()["pass_mark"] == 30
    with scopes_disabled():
        assert Course.objects.filter(name="Scored").count() == 1


def test_volunteer_may_not_create_a_course(login, patroller_a, station_a):
    body = {"name": "Mine", "topic": "other"}
    assert login(patroller_a.user).post(api("course-list", station_a), body).status_code == 403


def test_officer_creates_a_session_with_a_location(login, officer_a, station_a, course_a):
    starts = timezone.now() + datetime.timedelta(days=2)
    centre = station_a.boundary.centroid
    body = {
        "course": course_a.pk,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + datetime.timedelta(hours=1)).isoformat(),
        "capacity": 5,
        "lat": centre.y,
        "lng": centre.x,
    }
    response = login(officer_a).post(api("session-list", station_a), body, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["lat"] == pytest.approx(centre.y) and response.json()["enrolled"] == 0


def test_session_of_another_stations_course_is_refused(login, officer_a, station_a, station_b):
    other = course_made(station_b, "River safety")
    starts = timezone.now() + datetime.timedelta(days=2)
    body = {
        "course": other.pk,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + datetime.timedelta(hours=1)).isoformat(),
        "capacity": 5,
        "place_name": "Hall",
    }
    response = login(officer_a).post(api("session-list", station_a), body, content_type="application/json")
    assert response.status_code == 400 and "course" in response.json()


def test_volunteer_enrols_twice_gets_400_with_code_and_withdraws(login, patroller_a, station_a, session_a):
    client = login(patroller_a.user)
    first = client.post(api("session-enrol", station_a, pk=session_a.pk))
    assert first.status_code == 201 and first.json()["status"] == "enrolled"
    again = client.post(api("session-enrol", station_a, pk=session_a.pk))
    assert again.status_code == 400 and again.json()["code"] == "already_enrolled"
    withdrawn = client.post(api("enrolment-withdraw", station_a, pk=first.json()["id"]))
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"


def test_volunteer_may_not_enrol_someone_else(login, patroller_a, officer_a, station_a, session_a):
    other = active_volunteer(station_a, officer_a, full_name="Other One")
    response = login(patroller_a.user).post(
        api("session-enrol", station_a, pk=session_a.pk), {"volunteer": other.pk}
    )
    assert response.status_code == 403
    with scopes_disabled():
        assert not Enrolment.objects.exists()


def test_officer_enrols_a_team_and_gets_the_counts(
    login, officer_a, station_a, session_a, team_a, patroller_a
):
    from django_scopes import scope

    from teams.services.teams import team_member_add

    with scope(tenant=station_a):
        team_member_add(team=team_a, volunteer=patroller_a, actor=officer_a)
    response = login(officer_a).post(api("session-enrol", station_a, pk=session_a.pk), {"team": team_a.pk})
    assert response.status_code == 200 and response.json() == {"enrolled": 1, "waiting": 0, "skipped": 0}


def test_bulk_attendance_all_or_nothing(login, officer_a, station_a, patroller_a):
    course = course_made(station_a, "Scored", assessment="score", max_score=100, pass_mark=60)
    session = session_made(course, starts_in=-datetime.timedelta(hours=3))
    enrolment = enrolled(session, patroller_a)
    client = login(officer_a)
    bad = {"rows": [{"enrolment": enrolment.pk, "attendance": "present", "score": 101}]}
    response = client.post(
        api("session-attendance", station_a, pk=session.pk), bad, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "score_out_of_scale"
    with scopes_disabled():
        enrolment.refresh_from_db()
        assert enrolment.attendance == "unrecorded"
    good = {"rows": [{"enrolment": enrolment.pk, "attendance": "present", "score": 90}]}
    response = client.post(
        api("session-attendance", station_a, pk=session.pk), good, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()[0]["result"] == "passed"
    results = client.get(api("result-list", station_a), {"session": session.pk}).json()
    assert [r["id"] for r in results["results"]] == [enrolment.pk]
    assert client.get(api("result-detail", station_a, pk=enrolment.pk)).json()["score"] == 90
    assert (
        login(patroller_a.user)
        .post(api("session-attendance", station_a, pk=session.pk), good, content_type="application/json")
        .status_code
        == 403
    )


def test_qr_check_in_by_api_outside_time_is_400(login, patroller_a, station_a, session_a):
    enrolled(session_a, patroller_a)
    response = login(patroller_a.user).post(
        api("session-check-in", station_a), {"code": session_a.checkin_code}
    )
    assert response.status_code == 400 and response.json()["code"] == "checkin_outside_time"


def test_certificates_own_or_all_and_revoke(login, officer_a, patroller_a, station_a, course_a):
    mine = certificate_made(patroller_a, course_a)
    certificate_made(active_volunteer(station_a, officer_a, full_name="Other One"), course_a)
    assert login(patroller_a.user).get(api("certificate-list", station_a)).json()["count"] == 1
    client = login(officer_a)
    assert client.get(api("certificate-list", station_a)).json()["count"] == 2
    assert client.post(api("certificate-revoke", station_a, pk=mine.pk), {"reason": ""}).status_code == 400
    revoked = client.post(api("certificate-revoke", station_a, pk=mine.pk), {"reason": "Forged"})
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert (
        login(patroller_a.user)
        .post(api("certificate-revoke", station_a, pk=mine.pk), {"reason": "x"})
        .status_code
        == 403
    )


def test_public_verify_shows_name_course_and_state_only(
    anonymous, station_a, station_b, patroller_a, course_a
):
    certificate = certificate_made(
        patroller_a, course_a, expires_at=timezone.now() + datetime.timedelta(days=30)
    )
    body = anonymous.get(api("certificate-verify", station_a, code=certificate.code)).json()
    assert body["holder"] == "Patroller A" and body["course"] == "Patrol basics" and body["state"] == "valid"
    assert set(body) == {"holder", "course", "station", "issued_at", "expires_at", "revoked_at", "state"}
    assert anonymous.get(api("certificate-verify", station_b, code=certificate.code)).status_code == 404
    assert anonymous.get(api("certificate-verify", station_a, code="nope")).status_code == 404


def test_quiz_by_api_refused_after_attempts_ran_out(login, officer_a, patroller_a, station_a):
    from django_scopes import scope

    from training.services.courses import quiz_question_save

    quiz = course_made(station_a, "Quiz", assessment="quiz", pass_mark=100, quiz_attempts=1)
    with scope(tenant=station_a):
        question = quiz_question_save(
            course=quiz, actor=officer_a, text="Q?", choices=[("Yes", True), ("No", False)]
        )
        wrong = question.choices.get(text="No")
    client = login(patroller_a.user)
    body = {"answers": {str(question.pk): [wrong.pk]}}
    first = client.post(api("course-quiz", station_a, pk=quiz.pk), body, content_type="application/json")
    assert first.status_code == 201 and first.json()["passed"] is False
    again = client.post(api("course-quiz", station_a, pk=quiz.pk), body, content_type="application/json")
    assert again.status_code == 400 and again.json()["code"] == "no_attempts_left"
    with scopes_disabled():
        assert not Certificate.objects.exists()


def test_schema_lists_the_training_routes(client, db):
    paths = client.get(reverse("api-schema"), {"format": "json"}).json()["paths"]
    for path in (
        "/api/s/{station}/training/courses/",
        "/api/s/{station}/training/sessions/{id}/attendance/",
        "/api/s/{station}/training/sessions/{id}/enrol/",
        "/api/s/{station}/training/enrolments/{id}/withdraw/",
        "/api/s/{station}/training/results/",
        "/api/s/{station}/training/certificates/{id}/revoke/",
        "/api/s/{station}/training/verify/{code}/",
    ):
        assert path in paths, path
