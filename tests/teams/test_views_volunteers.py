"""Volunteer pages: applying (with or without an account), the screening queue, the roster and a
volunteer's record with its screening actions."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_scopes import scopes_disabled

from jointdefense.tenancy.models import Membership, Role
from teams.models import BackgroundGroup, BackgroundReview, Volunteer
from teams.services.screening import volunteer_retire
from teams.services.teams import team_member_add
from tests.factories import TeamFactory, UserFactory, VolunteerFactory, active_volunteer, resident_id

User = get_user_model()
PASSWORD = "a quiet street at night"


def url(name, station="station-a", **kwargs):
    return reverse(f"teams:{name}", kwargs={"station": station, **kwargs})


def group(station, slug="delivery-riders"):
    with scopes_disabled():
        return BackgroundGroup.objects.get(tenant=station, slug=slug)


def volunteers(station):
    with scopes_disabled():
        return list(Volunteer.objects.filter(tenant=station))


def fresh(volunteer):
    with scopes_disabled():
        return Volunteer.objects.select_related("user").get(pk=volunteer.pk)


@pytest.fixture
def apply_data(station_a, community_a):
    def _data(**overrides):
        data = {
            "full_name": "Wang Fang",
            "phone": "138 1234 5678",
            "id_number": resident_id(7),
            "home_community": community_a.pk,
            "background_group": group(station_a).pk,
            "specialties": ["first_aid", "driving"],
            "availability": ["sat_morning", "sun_evening"],
            "emergency_contact_name": "Wang Lei",
            "emergency_contact_phone": "13900001111",
            "consent": "on",
            "password1": PASSWORD,
            "password2": PASSWORD,
        }
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}

    return _data


@pytest.fixture
def applicant(station_a, community_a):
    """An application waiting for screening."""
    with scopes_disabled():
        return VolunteerFactory(
            tenant=station_a, full_name="Zhao Min", home_community=community_a, id_number=resident_id(42)
        )


# ---- applying ---------------------------------------------------------------------------------------


def test_apply_page_is_public_and_asks_for_a_password(anonymous, station_a):
    response = anonymous.get(url("apply"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="password1"' in body
    assert 'value="sat_morning"' in body and 'value="sun_night"' in body
    assert "Delivery riders" in body


def test_anonymous_applies_creates_account_and_application_and_is_logged_in(anonymous, station_a, apply_data):
    response = anonymous.post(url("apply"), apply_data())

    assert response.status_code == 302
    assert response["Location"] == url("my-volunteering")
    user = User.objects.get(username="13812345678")
    assert user.check_password(PASSWORD)
    assert user.full_name == "Wang Fang"
    [volunteer] = volunteers(station_a)
    assert volunteer.user == user
    assert volunteer.status == Volunteer.Status.APPLIED
    assert volunteer.availability == ["sat_morning", "sun_evening"]
    assert volunteer.specialties == ["driving", "first_aid"]
    assert volunteer.background_group_id == group(station_a).pk
    assert int(anonymous.session["_auth_user_id"]) == user.pk


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"id_number": "410105198001010012"}, "check character is wrong"),
        ({"id_number": "12"}, "Enter an 18-character ID card number"),
        ({"consent": None}, "Volunteering needs your consent to a background review."),
        ({"password2": "another quiet street"}, "The two passwords are not the same."),
        ({"password1": "123", "password2": "123"}, "This password is too short"),
        ({"availability": None}, "Tick at least one time when you can help."),
        ({"availability": ["sat_morning", "caturday"]}, "Select a valid choice"),
        ({"phone": "call me"}, "Enter a phone number of 7 to 15 digits."),
        ({"background_group": None}, "This field is required."),
    ],
    ids=[
        "id-checksum",
        "id-format",
        "no-consent",
        "passwords-differ",
        "weak-password",
        "no-availability",
        "unknown-slot",
        "bad-phone",
        "no-background",
    ],
)
def test_bad_application_shows_message_and_saves_nothing(
    anonymous, station_a, apply_data, overrides, message
):
    users_before = User.objects.count()

    response = anonymous.post(url("apply"), apply_data(**overrides))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.count() == users_before
    assert volunteers(station_a) == []
    assert "_auth_user_id" not in anonymous.session


def test_community_of_another_station_is_refused(anonymous, station_a, community_b, apply_data):
    response = anonymous.post(url("apply"), apply_data(home_community=community_b.pk))

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not User.objects.filter(username="13812345678").exists()
    assert volunteers(station_a) == []


def test_existing_phone_account_is_asked_to_log_in_first(anonymous, station_a, apply_data):
    UserFactory(username="13812345678")

    response = anonymous.post(url("apply"), apply_data())

    assert response.status_code == 400
    body = response.content.decode()
    assert "An account with this phone number exists: log in first." in body
    assert f'href="/accounts/login/?next={url("apply")}"' in body
    assert volunteers(station_a) == []


def test_phone_of_another_volunteer_here_is_refused(login, station_a, apply_data):
    with scopes_disabled():
        VolunteerFactory(tenant=station_a, phone="13812345678")
    client = login(UserFactory(username="li.lei"))

    response = client.post(url("apply"), apply_data(phone="13812345678"))

    assert response.status_code == 400
    assert "A volunteer with this phone number is already registered here." in response.content.decode()
    assert len(volunteers(station_a)) == 1


def test_logged_in_user_applies_with_their_own_account(login, station_a, apply_data):
    user = UserFactory(username="li.lei", full_name="Li Lei", phone="13700002222")
    client = login(user)
    users_before = User.objects.count()

    page = client.get(url("apply"))
    assert 'value="Li Lei"' in page.content.decode()
    assert 'name="password1"' not in page.content.decode()
    response = client.post(
        url("apply"), apply_data(full_name="Li Lei", phone="13700002222", password1=None, password2=None)
    )

    assert response.status_code == 302
    assert User.objects.count() == users_before
    [volunteer] = volunteers(station_a)
    assert volunteer.user == user


def test_who_already_applied_is_sent_to_their_volunteering(login, station_a, applicant):
    client = login(applicant.user)

    response = client.get(url("apply"))

    assert response.status_code == 302
    assert response["Location"] == url("my-volunteering")


def test_applying_to_another_station_is_separate(login, station_a, station_b, applicant, apply_data):
    client = login(applicant.user)
    with scopes_disabled():
        riders_b = BackgroundGroup.objects.get(tenant=station_b, slug="delivery-riders")

    response = client.post(
        url("apply", station="station-b"),
        apply_data(home_community=None, background_group=riders_b.pk, password1=None, password2=None),
    )

    assert response.status_code == 302
    assert [v.user for v in volunteers(station_b)] == [applicant.user]


# ---- the screening queue and the roster ------------------------------------------------------------


def test_application_queue_lists_oldest_first_and_not_active_volunteers(
    login, station_a, officer_a, patroller_a
):
    with scopes_disabled():
        first = VolunteerFactory(tenant=station_a, full_name="First Applicant")
        second = VolunteerFactory(tenant=station_a, full_name="Second Applicant")
        Volunteer.objects.filter(pk=first.pk).update(
            applied_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
        )

    body = login(officer_a).get(url("application-list")).content.decode()

    assert body.index(first.full_name) < body.index(second.full_name)
    assert "Patroller A" not in body
    assert url("volunteer-detail", pk=first.pk) in body


@pytest.mark.parametrize("name", ["application-list", "volunteer-list"])
def test_volunteer_gets_403_on_roster_pages(login, volunteer_a, name):
    assert login(volunteer_a).get(url(name)).status_code == 403


def test_anonymous_is_sent_to_login_from_the_roster(anonymous, station_a):
    response = anonymous.get(url("volunteer-list"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_roster_shows_export_and_import_links_to_officers_only(login, officer_a, bureau_viewer, station_a):
    officer_page = login(officer_a).get(url("volunteer-list")).content.decode()
    viewer_page = login(bureau_viewer).get(url("volunteer-list"))

    assert url("volunteer-export") in officer_page and url("volunteer-import") in officer_page
    assert viewer_page.status_code == 200
    assert url("volunteer-export") not in viewer_page.content.decode()


@pytest.fixture
def roster(station_a, officer_a, community_a):
    """Four volunteers who differ in status, role, community, availability and team."""
    from tests.factories import CommunityFactory

    with scopes_disabled():
        hill = CommunityFactory(tenant=station_a, slug="hill", name="Hill Community")
        team = TeamFactory(tenant=station_a, name="Night Owls")
    people = {
        "patrol": active_volunteer(
            station_a,
            officer_a,
            full_name="Pat Patrol",
            roles=["patrol"],
            home_community=community_a,
            availability=["sat_night"],
        ),
        "mediator": active_volunteer(
            station_a,
            officer_a,
            full_name="Mei Mediator",
            roles=["mediation"],
            home_community=hill,
            availability=["mon_morning"],
        ),
        "retiree": active_volunteer(
            station_a,
            officer_a,
            full_name="Ron Retired",
            roles=["publicity"],
            home_community=hill,
            availability=["sat_morning"],
        ),
    }
    with scopes_disabled():
        people["applied"] = VolunteerFactory(
            tenant=station_a,
            full_name="Amy Applied",
            roles=[],
            home_community=community_a,
            availability=["sun_night"],
        )
        volunteer_retire(volunteer=people["retiree"], actor=officer_a)
        team_member_add(team=team, volunteer=people["patrol"], actor=officer_a)
    return {"hill": hill, "team": team, **people}


def _names(response):
    body = response.content.decode()
    return {name for name in ("Pat Patrol", "Mei Mediator", "Amy Applied", "Ron Retired") if name in body}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"Pat Patrol", "Mei Mediator", "Amy Applied", "Ron Retired"}),
        ({"status": ["active"]}, {"Pat Patrol", "Mei Mediator"}),
        ({"status": ["applied", "retired"]}, {"Amy Applied", "Ron Retired"}),
        ({"role": "mediation"}, {"Mei Mediator"}),
        ({"community": "hill"}, {"Mei Mediator", "Ron Retired"}),
        ({"weekday": "sat"}, {"Pat Patrol", "Ron Retired"}),
        ({"weekday": "sat", "daypart": "night"}, {"Pat Patrol"}),
        ({"daypart": "night"}, {"Pat Patrol", "Amy Applied"}),
        ({"team": "team"}, {"Pat Patrol"}),
        ({"q": "mei"}, {"Mei Mediator"}),
    ],
    ids=[
        "all",
        "active",
        "applied-or-retired",
        "role",
        "community",
        "weekday",
        "weekday-night",
        "night",
        "team",
        "name",
    ],
)
def test_roster_filters(login, officer_a, roster, query, expected):
    query = dict(query)
    if query.get("community") == "hill":
        query["community"] = roster["hill"].pk
    if query.get("team") == "team":
        query["team"] = roster["team"].pk

    response = login(officer_a).get(url("volunteer-list"), query)

    assert response.status_code == 200
    assert _names(response) == expected


def test_roster_costs_the_same_queries_whatever_its_length(
    login, officer_a, station_a, django_assert_num_queries
):
    client = login(officer_a)
    with scopes_disabled():
        team = TeamFactory(tenant=station_a, name="Day Patrol")
    for n in range(6):
        volunteer = active_volunteer(station_a, officer_a, full_name=f"Volunteer {n}")
        with scopes_disabled():
            team_member_add(team=team, volunteer=volunteer, actor=officer_a)
        # 1 the station (middleware), 2 session, 3 user, 4 the user's roles in the station (shared by the
        # permission check and the navigation), 5 count of volunteers (paginator), 6 the user's stations
        # (station switcher in the header), 7-9 the filter's choices: communities, backgrounds, teams,
        # 10 the page of volunteers with community and background, 11 their team memberships with teams
        with django_assert_num_queries(11):
            response = client.get(url("volunteer-list"))
        assert response.status_code == 200
        assert f"Volunteer {n}" in response.content.decode()


# ---- one volunteer and the screening actions --------------------------------------------------------


def act(client, volunteer, action, **data):
    return client.post(
        url("volunteer-action", pk=volunteer.pk, action=action), {f"{action}-{k}": v for k, v in data.items()}
    )


def test_approve_without_a_recorded_review_is_refused(login, officer_a, applicant):
    client = login(officer_a)
    assert act(client, applicant, "start-review").status_code == 302

    response = act(client, applicant, "approve")

    assert response.status_code == 400
    assert "Record a background review first" in response.content.decode()
    assert fresh(applicant).status == Volunteer.Status.UNDER_REVIEW


def test_review_approve_activate_makes_a_volunteer(login, officer_a, station_a, applicant):
    client = login(officer_a)

    page = client.get(url("volunteer-detail", pk=applicant.pk)).content.decode()
    assert "Record background review" in page
    response = act(
        client, applicant, "review", result="passed", reviewed_on="2026-01-05", notes="Clean record"
    )
    assert response.status_code == 302
    assert fresh(applicant).status == Volunteer.Status.UNDER_REVIEW
    assert act(client, applicant, "approve", note="Welcome").status_code == 302
    assert fresh(applicant).status == Volunteer.Status.APPROVED
    assert act(client, applicant, "activate").status_code == 302

    volunteer = fresh(applicant)
    assert volunteer.status == Volunteer.Status.ACTIVE
    with scopes_disabled():
        membership = Membership.objects.get(tenant=station_a, user=volunteer.user)
    assert Role.VOLUNTEER in membership.roles
    page = client.get(url("volunteer-detail", pk=applicant.pk)).content.decode()
    assert "Clean record" in page and "Officer A" in page
    assert "Approved" in page and "Welcome" in page


def test_failed_review_blocks_approval(login, officer_a, applicant):
    client = login(officer_a)
    act(client, applicant, "review", result="failed", reviewed_on="2026-01-05")

    response = act(client, applicant, "approve")

    assert response.status_code == 400
    assert fresh(applicant).status == Volunteer.Status.UNDER_REVIEW


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"result": "passed", "reviewed_on": "2999-01-01"}, "cannot be in the future"),
        ({"reviewed_on": "2026-01-05"}, "Choose the result of the review."),
        ({"result": "passed", "reviewed_on": "yesterday"}, "Enter a valid date."),
    ],
)
def test_bad_review_records_nothing(login, officer_a, applicant, data, message):
    response = act(login(officer_a), applicant, "review", **data)

    assert response.status_code == 400
    assert message in response.content.decode()
    with scopes_disabled():
        assert not BackgroundReview.objects.filter(volunteer=applicant).exists()


def test_reject_needs_a_reason(login, officer_a, applicant):
    client = login(officer_a)

    response = act(client, applicant, "reject", reason="  ")
    assert response.status_code == 400
    assert "Say why the application is rejected." in response.content.decode()
    assert fresh(applicant).status == Volunteer.Status.APPLIED

    assert act(client, applicant, "reject", reason="Gave a false address").status_code == 302
    volunteer = fresh(applicant)
    assert volunteer.status == Volunteer.Status.REJECTED
    assert volunteer.rejection_reason == "Gave a false address"


def test_suspend_reinstate_retire_and_classify(login, officer_a, station_a, patroller_a):
    client = login(officer_a)

    assert act(client, patroller_a, "suspend", reason="").status_code == 400
    assert act(client, patroller_a, "suspend", reason="Missed three shifts").status_code == 302
    assert fresh(patroller_a).status == Volunteer.Status.SUSPENDED
    assert act(client, patroller_a, "reinstate").status_code == 302
    assert fresh(patroller_a).status == Volunteer.Status.ACTIVE
    assert act(client, patroller_a, "reinstate").status_code == 400  # active: nothing to reinstate
    assert act(client, patroller_a, "classify", roles=["grid", "mediation"]).status_code == 302
    assert fresh(patroller_a).roles == ["grid", "mediation"]
    assert act(client, patroller_a, "retire").status_code == 302
    assert fresh(patroller_a).status == Volunteer.Status.RETIRED


def test_action_the_status_does_not_allow_changes_nothing(login, officer_a, patroller_a):
    response = act(login(officer_a), patroller_a, "approve")

    assert response.status_code == 400
    assert "cannot become" in response.content.decode()
    assert fresh(patroller_a).status == Volunteer.Status.ACTIVE


def test_unknown_action_is_404_and_get_is_405(login, officer_a, applicant):
    client = login(officer_a)
    assert act(client, applicant, "promote").status_code == 404
    assert client.get(url("volunteer-action", pk=applicant.pk, action="approve")).status_code == 405


def test_id_number_is_masked_for_bureau_viewer_and_full_for_officer(
    login, officer_a, bureau_viewer, applicant
):
    full = login(officer_a).get(url("volunteer-detail", pk=applicant.pk)).content.decode()
    masked = login(bureau_viewer).get(url("volunteer-detail", pk=applicant.pk)).content.decode()

    assert applicant.id_number in full
    assert applicant.id_number not in masked
    assert applicant.masked_id_number in masked
    assert "Start review" not in masked  # read-only: no screening actions


def test_team_leader_cannot_open_a_volunteer_record(
    login, officer_a, station_a, team_a, patroller_a, applicant
):
    with scopes_disabled():
        team_member_add(team=team_a, volunteer=patroller_a, actor=officer_a, is_leader=True)
    client = login(patroller_a.user)

    assert client.get(url("volunteer-detail", pk=applicant.pk)).status_code == 403
    roster = client.get(url("team-detail", pk=team_a.pk)).content.decode()
    assert patroller_a.id_number not in roster and patroller_a.masked_id_number not in roster


def test_bureau_viewer_cannot_screen(login, bureau_viewer, applicant):
    assert act(login(bureau_viewer), applicant, "start-review").status_code == 403
    assert fresh(applicant).status == Volunteer.Status.APPLIED


# ---- isolation ------------------------------------------------------------------------------------


@pytest.fixture
def a_objects(station_a, officer_a, team_a, applicant):
    return {"volunteer": applicant, "team": team_a}


PAGES = [
    ("get", "application-list", {}),
    ("get", "volunteer-list", {}),
    ("get", "volunteer-detail", {"pk": "volunteer"}),
    ("post", "volunteer-action", {"pk": "volunteer", "action": "start-review"}),
    ("get", "team-list", {}),
    ("get", "team-create", {}),
    ("get", "team-detail", {"pk": "team"}),
    ("get", "team-edit", {"pk": "team"}),
    ("post", "team-member-add", {"pk": "team"}),
    ("post", "team-member-remove", {"pk": "team", "volunteer": "volunteer"}),
]


def _kwargs(spec, objects):
    return {k: (objects[v].pk if v in objects else v) for k, v in spec.items()}


@pytest.mark.parametrize(("method", "name", "spec"), PAGES, ids=[p[1] for p in PAGES])
def test_outsider_gets_404_on_station_a_pages(login, officer_b, a_objects, method, name, spec):
    response = getattr(login(officer_b), method)(url(name, **_kwargs(spec, a_objects)))
    assert response.status_code == 404
    assert fresh(a_objects["volunteer"]).status == Volunteer.Status.APPLIED


@pytest.mark.parametrize(
    ("method", "name", "spec"), [p for p in PAGES if p[2]], ids=[p[1] for p in PAGES if p[2]]
)
def test_station_a_objects_are_404_through_station_b(login, officer_b, a_objects, method, name, spec):
    response = getattr(login(officer_b), method)(url(name, station="station-b", **_kwargs(spec, a_objects)))
    assert response.status_code == 404
    assert fresh(a_objects["volunteer"]).status == Volunteer.Status.APPLIED


def test_officer_of_two_stations_sees_each_roster_apart(login, station_a, station_b, officer_a, applicant):
    with scopes_disabled():
        Membership.objects.create(tenant=station_b, user=officer_a, roles=[Role.OFFICER])
        VolunteerFactory(tenant=station_b, full_name="Bea From B")
    client = login(officer_a)

    page_a = client.get(url("volunteer-list")).content.decode()
    page_b = client.get(url("volunteer-list", station="station-b")).content.decode()

    assert "Zhao Min" in page_a and "Bea From B" not in page_a
    assert "Bea From B" in page_b and "Zhao Min" not in page_b


def test_chief_sees_the_roster(login, chief_a, applicant):
    assert "Zhao Min" in login(chief_a).get(url("volunteer-list")).content.decode()


def test_anonymous_applications_are_rate_limited(station_a, apply_data, settings):
    """Each anonymous application creates an account: one address may send only so many."""
    from django.test import Client

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "volunteer_apply": "2/hour",
        },
    }
    statuses = []
    for n in range(3):
        data = apply_data(phone=f"1390000100{n}", id_number=resident_id(900 + n))
        statuses.append(Client().post(url("apply"), data).status_code)
    assert statuses == [302, 302, 429]
    page = Client().post(url("apply"), apply_data(phone="13900001009", id_number=resident_id(909)))
    assert "Too many applications" in page.content.decode()
    assert len(volunteers(station_a)) == 2


# ---- the volunteer's e-mail -------------------------------------------------------------------------


def test_a_volunteer_who_applied_online_adds_an_email_and_can_reset_their_password(
    anonymous, station_a, apply_data
):
    anonymous.post(url("apply"), apply_data())
    user = User.objects.get(username="13812345678")
    assert user.email == ""
    page = anonymous.get(url("my-volunteering")).content.decode()
    assert "You have no e-mail yet" in page and url("my-email") in page
    refused = anonymous.post(url("my-email"), {"email": "not an address"})
    assert refused.status_code == 400 and "Enter a valid email address." in refused.content.decode()
    response = anonymous.post(url("my-email"), {"email": "Wang.Fang@Example.ORG"})
    assert response.status_code == 302 and response["Location"] == url("my-volunteering")
    user.refresh_from_db()
    assert user.email == "Wang.Fang@example.org"
    assert "Wang.Fang@example.org" in anonymous.get(url("my-volunteering")).content.decode()
    # the password reset now reaches them
    from jointdefense.core.models import OutboxMessage

    anonymous.post(reverse("accounts:password_reset"), {"email": "wang.fang@example.org"})
    queued = [m.kwargs["to"] for m in OutboxMessage.objects.filter(task="core.send_email")]
    assert queued == [["Wang.Fang@example.org"]]


def test_an_email_another_account_uses_is_refused(login, station_a, officer_a, patroller_a):
    client = login(patroller_a.user)
    response = client.post(url("my-email"), {"email": officer_a.email.upper()})
    assert response.status_code == 400
    assert "Another account uses this e-mail address." in response.content.decode()
    assert fresh(patroller_a).user.email == "patroller_a@example.org"


def test_someone_without_an_application_has_no_email_page(login, station_a, officer_a):
    assert login(officer_a).get(url("my-email")).status_code == 404


def test_an_officer_sets_a_volunteers_email_on_the_record(login, station_a, officer_a, patroller_a):
    with scopes_disabled():
        type(patroller_a.user).objects.filter(pk=patroller_a.user_id).update(email="")
    client = login(officer_a)
    page = client.get(url("volunteer-detail", pk=patroller_a.pk)).content.decode()
    assert "no reminders, alerts or password resets reach this volunteer" in page
    action = url("volunteer-action", pk=patroller_a.pk, action="email")
    refused = client.post(action, {"email-email": "patroller at home"})
    assert refused.status_code == 400 and fresh(patroller_a).user.email == ""
    assert client.post(action, {"email-email": "patroller@example.org"}).status_code == 302
    assert fresh(patroller_a).user.email == "patroller@example.org"
    assert "patroller@example.org" in client.get(url("volunteer-detail", pk=patroller_a.pk)).content.decode()


def test_a_volunteer_may_not_set_another_volunteers_email(login, station_a, patroller_a, volunteer_a):
    action = url("volunteer-action", pk=patroller_a.pk, action="email")
    assert login(volunteer_a).post(action, {"email-email": "mine@example.org"}).status_code == 403
    assert fresh(patroller_a).user.email == "patroller_a@example.org"
