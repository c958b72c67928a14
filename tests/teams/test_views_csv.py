"""CSV export and import of the volunteer roster: the file officers download (Excel-ready, filtered
like the roster) and the two-step import that screens every row through the services."""

import csv
import io
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from jointdefense.accounts.models import User
from jointdefense.tenancy.models import Membership, Role
from teams.models import BackgroundReview, Volunteer
from teams.services.imports import EXPORT_COLUMNS, IMPORT_COLUMNS
from teams.services.teams import team_member_add
from tests.factories import UserFactory, VolunteerFactory, active_volunteer, resident_id

HEADER = IMPORT_COLUMNS


def run_queued_imports():
    """Run the import task the confirm step queued, here in the test's transaction (its on-commit
    publication never fires inside a test transaction; tests/test_celery_worker runs a real worker)."""
    from teams.models import ImportJob
    from teams.tasks import import_volunteers

    with scopes_disabled():
        jobs = list(ImportJob.objects.filter(status="queued"))
    for job in jobs:
        import_volunteers.apply(kwargs={"tenant_id": job.tenant_id, "job_id": job.pk}).get()
        import_volunteers.apply(kwargs={"tenant_id": job.tenant_id, "job_id": job.pk}).get()  # twice: once


def url(name, station, **params):
    path = reverse(f"teams:{name}", kwargs={"station": station.slug})
    return path + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def row(n, **fields):
    """A correct row for an active, screened volunteer; ``fields`` override columns."""
    values = {
        "full_name": f"志愿者 {n}",
        "phone": f"139123400{n:02d}",
        "id_number": resident_id(500 + n),
        "home_community": "garden",
        "background_group": "delivery-riders",
        "roles": "patrol;publicity",
        "specialties": "first_aid",
        "availability": "sat_morning;sun_evening",
        "emergency_contact_name": "Family",
        "emergency_contact_phone": "13700000000",
        "review_result": "passed",
        "review_date": "2026-01-10",
        "status": "active",
    }
    values.update(fields)
    return [values[c] for c in HEADER]


def csv_upload(rows, header=HEADER, bom=True, name="volunteers.csv"):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8"), "text/csv")


def exported(response):
    body = response.content
    assert body.startswith("\ufeff".encode())  # the BOM Excel needs for UTF-8
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def volunteer_count(station):
    with scopes_disabled():
        return Volunteer.objects.filter(tenant=station).count()


# ---- export ----------------------------------------------------------------------------------------


def test_export_is_an_excel_ready_roster(login, officer_a, station_a, patroller_a, team_a):
    with scope(tenant=station_a):
        team_member_add(team=team_a, volunteer=patroller_a, actor=officer_a)
    chinese = active_volunteer(station_a, officer_a, full_name="张伟", roles=["publicity", "patrol"])
    response = login(officer_a).get(url("volunteer-export", station_a))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="volunteers-station-a-')
    rows = exported(response)
    assert list(rows[0]) == EXPORT_COLUMNS
    by_name = {r["full_name"]: r for r in rows}
    patroller = by_name["Patroller A"]
    assert patroller["id_number"] == patroller_a.id_number  # staff see full ID numbers
    assert (patroller["status"], patroller["home_community"], patroller["teams"]) == (
        "active",
        "garden",
        "Garden Patrol",
    )
    assert patroller["availability"] == "sat_morning;sun_morning"
    station_time = timezone.localtime(patroller_a.applied_at, zoneinfo.ZoneInfo("Asia/Shanghai"))
    assert patroller["applied_at"] == station_time.strftime("%Y-%m-%d %H:%M")
    assert by_name["张伟"]["roles"] == "patrol;publicity"
    assert by_name["张伟"]["id_number"] == chinese.id_number


def test_export_follows_the_roster_filters(login, officer_a, station_a, patroller_a):
    with scope(tenant=station_a):
        VolunteerFactory(tenant=station_a, full_name="Applicant A")
    client = login(officer_a)
    applied = exported(client.get(url("volunteer-export", station_a, status="applied")))
    assert [r["full_name"] for r in applied] == ["Applicant A"]
    searched = exported(client.get(url("volunteer-export", station_a, q="patroller")))
    assert [r["full_name"] for r in searched] == ["Patroller A"]


def test_export_defuses_spreadsheet_formulas(login, officer_a, station_a):
    with scope(tenant=station_a):
        VolunteerFactory(tenant=station_a, full_name='=HYPERLINK("http://evil.example","Click")')
    [exported_row] = exported(login(officer_a).get(url("volunteer-export", station_a)))
    assert exported_row["full_name"].startswith("'=")


@pytest.mark.parametrize("who", ["volunteer_a", "bureau_viewer"])
def test_only_staff_export(who, request, login, station_a):
    assert login(request.getfixturevalue(who)).get(url("volunteer-export", station_a)).status_code == 403


# ---- import ----------------------------------------------------------------------------------------


@pytest.fixture
def importer(login, officer_a, community_a):
    return login(officer_a)


def test_import_checks_then_imports_screened_volunteers(importer, officer_a, station_a):
    upload = csv_upload(
        [
            row(1),
            row(2, status="applied", review_result="", review_date="", roles="", home_community=""),
            row(3, status="applied", review_result="failed", id_number=resident_id(503).lower()),
        ]
    )
    checked = importer.post(url("volunteer-import", station_a), {"file": upload})
    assert checked.status_code == 200
    page = checked.content.decode()
    assert "3 volunteers are ready to be imported" in page
    assert volunteer_count(station_a) == 0  # the check imports nothing

    done = importer.post(
        url("volunteer-import", station_a), {"confirm": "1", "token": checked.context["token"]}
    )
    assert done.status_code == 302
    job_page = done.url
    assert "Importing" in importer.get(job_page).content.decode()  # the workers have it now
    assert volunteer_count(station_a) == 0
    run_queued_imports()
    with scopes_disabled():
        active = Volunteer.objects.select_related("user", "background_review", "home_community").get(
            tenant=station_a, phone="13912340001"
        )
        assert (active.full_name, active.status, active.roles) == (
            "志愿者 1",
            "active",
            ["patrol", "publicity"],
        )
        assert active.home_community.slug == "garden"
        assert active.background_review.result == "passed"
        assert active.background_review.officer == officer_a
        assert active.background_review.notes == "Imported from CSV"
        assert active.user.username == "13912340001"
        assert not active.user.has_usable_password()
        assert Role.VOLUNTEER in Membership.objects.get(tenant=station_a, user=active.user).roles

        applied = Volunteer.objects.get(tenant=station_a, phone="13912340002")
        assert (applied.status, applied.background_review_id, applied.roles) == ("applied", None, [])
        failed = Volunteer.objects.get(tenant=station_a, phone="13912340003")
        assert failed.status == "under_review"
        assert failed.background_review_id is None
        assert BackgroundReview.objects.get(volunteer=failed).result == "failed"
    assert "Imported 3 volunteers." in importer.get(job_page).content.decode()


def test_import_reuses_an_account_nobody_uses_yet(importer, station_a):
    """An account made for that phone without a password (an earlier import, say) is reused."""
    existing = UserFactory(username="13912340001", full_name="Already Here")
    existing.set_unusable_password()
    existing.save()
    checked = importer.post(url("volunteer-import", station_a), {"file": csv_upload([row(1)], bom=False)})
    importer.post(url("volunteer-import", station_a), {"confirm": "1", "token": checked.context["token"]})
    run_queued_imports()
    with scopes_disabled():
        assert Volunteer.objects.get(tenant=station_a).user == existing


def test_import_never_attaches_a_volunteer_to_someone_elses_account(importer, station_a):
    """A stranger who registered the phone number (with a password) does not get the volunteer
    record, or the station's roles, from an officer's CSV."""
    stranger = UserFactory(username="13912340001", full_name="Stranger", password="their own secret 1")
    checked = importer.post(url("volunteer-import", station_a), {"file": csv_upload([row(1)], bom=False)})
    assert "cannot take it over" in checked.content.decode()
    assert "ready to be imported" not in checked.content.decode()
    with scopes_disabled():
        assert not Volunteer.objects.filter(tenant=station_a).exists()
        assert not Membership.objects.filter(user=stranger).exists()


def test_an_account_registered_between_check_and_import_is_not_taken_over(importer, station_a):
    checked = importer.post(url("volunteer-import", station_a), {"file": csv_upload([row(1)], bom=False)})
    UserFactory(username="13912340001", full_name="Stranger", password="their own secret 1")
    importer.post(url("volunteer-import", station_a), {"confirm": "1", "token": checked.context["token"]})
    run_queued_imports()
    with scopes_disabled():
        assert not Volunteer.objects.filter(tenant=station_a).exists()


def test_row_errors_are_listed_and_nothing_is_imported(importer, station_a, patroller_a):
    bad_id = resident_id(501)[:-1] + ("0" if resident_id(501)[-1] != "0" else "1")
    upload = csv_upload(
        [
            row(1),
            row(2, id_number=bad_id),
            row(3, phone="12"),
            row(4, home_community="atlantis", roles="patrol;astronaut"),
            row(5, phone="13912340001"),
            row(6, phone=patroller_a.phone),
            row(7, review_date="2026-13-40"),
        ]
    )
    users_before = User.objects.count()
    response = importer.post(url("volunteer-import", station_a), {"file": upload})
    assert response.status_code == 200
    errors = {(e["row"], e["column"]) for e in response.context["errors"]}
    assert errors == {
        (3, "id_number"),
        (4, "phone"),
        (5, "home_community"),
        (5, "roles"),
        (6, "phone"),
        (7, "phone"),
        (8, "review_date"),
    }
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "check character is wrong" in page
    assert "This station has no community with the short name “atlantis”" in page
    assert "Unknown role: astronaut" in page
    assert "also on row 2 of the file" in page
    assert "already registered here" in page
    assert "token" not in response.context
    assert volunteer_count(station_a) == 1  # only patroller_a
    assert User.objects.count() == users_before


def test_active_without_a_review_is_refused(importer, station_a):
    upload = csv_upload([row(1, review_result="", review_date=""), row(2, review_result="failed")])
    response = importer.post(url("volunteer-import", station_a), {"file": upload})
    errors = response.context["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(2, "status"), (3, "status")]
    assert all("No volunteer is active without a recorded background review" in e["message"] for e in errors)
    assert volunteer_count(station_a) == 0


def test_confirm_checks_again_and_imports_nothing_if_the_station_changed(importer, officer_a, station_a):
    checked = importer.post(url("volunteer-import", station_a), {"file": csv_upload([row(1), row(2)])})
    with scope(tenant=station_a):
        VolunteerFactory(tenant=station_a, phone="13912340002")  # registered meanwhile
    response = importer.post(
        url("volunteer-import", station_a), {"confirm": "1", "token": checked.context["token"]}
    )
    run_queued_imports()
    page = importer.get(response.url)
    assert "Nothing was imported" in page.content.decode()
    assert [(e["row"], e["column"]) for e in page.context["errors"]] == [(3, "phone")]
    with scopes_disabled():
        assert not Volunteer.objects.filter(tenant=station_a, phone="13912340001").exists()


def test_confirm_without_a_checked_file_asks_to_upload_again(importer, station_a):
    response = importer.post(url("volunteer-import", station_a), {"confirm": "1", "token": "forged"})
    assert response.status_code == 302
    assert response.url == url("volunteer-import", station_a)
    assert volunteer_count(station_a) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a CSV file"),
        ("full_name;phone\nMüller;123".encode("latin-1"), "not UTF-8 text"),
        (b"name,telephone\nA,1\n", "Missing columns: full_name, phone, id_number"),
        (",".join(HEADER).encode() + b"\n", "no volunteers below the first row"),
        (
            b'full_name,phone,id_number,emergency_contact_name,emergency_contact_phone\n"A,1',
            "not a readable CSV",
        ),
    ],
)
def test_unreadable_file_gets_a_message(content, message, importer, station_a):
    upload = SimpleUploadedFile("roster.csv", content, "text/csv")
    response = importer.post(url("volunteer-import", station_a), {"file": upload})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert volunteer_count(station_a) == 0


def test_oversize_file_gets_a_message(importer, station_a):
    upload = SimpleUploadedFile("big.csv", b"x" * (2 * 1024 * 1024 + 1), "text/csv")
    response = importer.post(url("volunteer-import", station_a), {"file": upload})
    assert "larger than 2 MB" in response.context["form"].errors["file"][0]


def test_too_many_rows_gets_a_message(importer, station_a):
    upload = csv_upload([row(1)] * 5001)
    response = importer.post(url("volunteer-import", station_a), {"file": upload})
    assert "import at most 5000 at a time" in response.context["form"].errors["file"][0]


def test_import_page_offers_an_empty_file_with_the_columns(importer, station_a):
    page = importer.get(url("volunteer-import", station_a))
    assert page.status_code == 200
    template = importer.get(url("volunteer-import", station_a, template="csv"))
    assert template.content.decode("utf-8-sig").strip() == ",".join(HEADER)


# ---- who may ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["volunteer-export", "volunteer-import"])
def test_outsider_gets_404(name, login, officer_b, station_a):
    client = login(officer_b)
    assert client.get(url(name, station_a)).status_code == 404
    assert client.post(url(name, station_a), {"file": csv_upload([row(1)])}).status_code == 404
    assert volunteer_count(station_a) == 0


def test_volunteer_may_not_import(login, volunteer_a, station_a):
    client = login(volunteer_a)
    assert client.get(url("volunteer-import", station_a)).status_code == 403
    assert client.post(url("volunteer-import", station_a), {"file": csv_upload([row(1)])}).status_code == 403


@pytest.mark.parametrize("name", ["volunteer-export", "volunteer-import"])
def test_anonymous_is_sent_to_log_in(name, anonymous, station_a):
    response = anonymous.get(url(name, station_a))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
