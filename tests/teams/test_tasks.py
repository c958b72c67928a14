"""teams.tasks: the import task is thin (the base task restores the station's scope, the task calls
services.imports.volunteer_import_run); the queue service asks for it through the outbox by name."""

import pytest
from django_scopes import scope, scopes_disabled

from jointdefense.core.models import OutboxMessage
from teams.models import ImportJob, Volunteer
from teams.services.imports import IMPORT_COLUMNS, volunteer_import_queue
from teams.tasks import import_volunteers
from tests.factories import resident_id

pytestmark = pytest.mark.django_db


def roster_text(*phones):
    rows = [",".join(IMPORT_COLUMNS)]
    for n, phone in enumerate(phones):
        values = {
            "full_name": f"Imported {n}",
            "phone": phone,
            "id_number": resident_id(700 + n),
            "home_community": "",
            "background_group": "",
            "roles": "",
            "specialties": "",
            "availability": "",
            "emergency_contact_name": "Family",
            "emergency_contact_phone": "13700000000",
            "review_result": "",
            "review_date": "",
            "status": "applied",
        }
        rows.append(",".join(values[c] for c in IMPORT_COLUMNS))
    return "\r\n".join(rows) + "\r\n"


def test_queueing_an_import_writes_the_task_to_the_outbox_by_name(station_a, officer_a):
    with scope(tenant=station_a):
        job = volunteer_import_queue(
            tenant=station_a, actor=officer_a, csv_text=roster_text("13912340001"), total=1
        )
    message = OutboxMessage.objects.get(task="teams.import_volunteers")
    assert message.kwargs == {"tenant_id": station_a.pk, "job_id": job.pk}


def test_the_task_imports_a_queued_roster_once_in_the_stations_scope(station_a, officer_a):
    with scope(tenant=station_a):
        job = volunteer_import_queue(
            tenant=station_a,
            actor=officer_a,
            csv_text=roster_text("13912340001", "13912340002"),
            total=2,
        )
    # outside any scope: the base task opens the station's
    import_volunteers.apply(kwargs={"tenant_id": station_a.pk, "job_id": job.pk}).get()
    import_volunteers.apply(kwargs={"tenant_id": station_a.pk, "job_id": job.pk}).get()  # twice: once
    with scopes_disabled():
        job.refresh_from_db()
        assert job.status == ImportJob.Status.DONE and job.imported == 2 and job.csv_text == ""
        assert Volunteer.objects.filter(tenant=station_a, full_name__startswith="Imported").count() == 2


def test_a_roster_that_no_longer_fits_imports_nothing(station_a, officer_a, patroller_a):
    with scope(tenant=station_a):
        job = volunteer_import_queue(
            tenant=station_a,
            actor=officer_a,
            csv_text=roster_text("13912340003", patroller_a.phone),  # registered meanwhile
            total=2,
        )
    import_volunteers.apply(kwargs={"tenant_id": station_a.pk, "job_id": job.pk}).get()
    with scopes_disabled():
        job.refresh_from_db()
        assert job.status == ImportJob.Status.FAILED
        assert [e["column"] for e in job.errors] == ["phone"]
        assert not Volunteer.objects.filter(tenant=station_a, full_name__startswith="Imported").exists()


def job_page(login, officer, job):
    from django.urls import reverse

    url = reverse("teams:volunteer-import-job", kwargs={"station": job.tenant.slug, "pk": job.pk})
    return login(officer).get(url)


def test_an_import_that_stops_on_an_error_is_failed_and_its_file_erased(login, station_a, officer_a):
    # a roster checked and queued by the release before, whose columns this release no longer reads
    old_format = roster_text("13912340001").replace("full_name", "name", 1)
    with scope(tenant=station_a):
        job = volunteer_import_queue(tenant=station_a, actor=officer_a, csv_text=old_format, total=1)
    result = import_volunteers.apply(kwargs={"tenant_id": station_a.pk, "job_id": job.pk})
    assert result.failed()
    import_volunteers.apply(kwargs={"tenant_id": station_a.pk, "job_id": job.pk})  # redelivered: no change
    with scopes_disabled():
        job.refresh_from_db()
        assert (job.status, job.failure, job.csv_text) == ("failed", "error", "")
        assert job.finished_at is not None
    page = job_page(login, officer_a, job)
    assert page.status_code == 200 and 'data-status="failed"' in page.content.decode()
    assert "The import stopped on an error" in page.content.decode()
    assert 'http-equiv="refresh"' not in page.content.decode()


def test_beat_fails_imports_stuck_past_the_time_limit_and_erases_their_files(
    login, station_a, station_b, officer_a, officer_b, settings
):
    import datetime

    from django.utils import timezone

    from teams.tasks import fail_stuck_imports

    with scope(tenant=station_a):
        stuck = volunteer_import_queue(
            tenant=station_a, actor=officer_a, csv_text=roster_text("13912340001"), total=1
        )
        recent = volunteer_import_queue(
            tenant=station_a, actor=officer_a, csv_text=roster_text("13912340002"), total=1
        )
    with scope(tenant=station_b):
        elsewhere = volunteer_import_queue(
            tenant=station_b, actor=officer_b, csv_text=roster_text("13912340003"), total=1
        )
    limit = datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    with scopes_disabled():  # the worker was killed at the time limit, twenty minutes ago
        ImportJob.objects.filter(pk__in=[stuck.pk, elsewhere.pk]).update(
            created_at=timezone.now() - limit - datetime.timedelta(minutes=20)
        )
    fail_stuck_imports.apply().get()
    fail_stuck_imports.apply().get()  # two beats: the same
    with scopes_disabled():
        for job in (stuck, elsewhere):
            job.refresh_from_db()
            assert (job.status, job.failure, job.csv_text) == ("failed", "timed_out", "")
        recent.refresh_from_db()
        assert (recent.status, recent.csv_text) == ("queued", roster_text("13912340002"))
    page = job_page(login, officer_a, stuck).content.decode()
    assert "took longer than the portal allows" in page
    # the task delivered late imports nothing
    import_volunteers.apply(kwargs={"tenant_id": station_a.pk, "job_id": stuck.pk}).get()
    with scopes_disabled():
        assert not Volunteer.objects.filter(tenant=station_a, full_name__startswith="Imported").exists()
