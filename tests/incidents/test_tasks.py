"""The incidents tasks: return-visit alerts (once each, with a real worker) and erasing old contacts."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from incidents.models import Category, Report, ReturnVisit
from incidents.services.reports import report_submit
from incidents.services.triage import report_assign, report_transition
from incidents.tasks import erase_old_contacts
from tests.factories import report_filed

FLAT = "A flat rented for a week, many people at night."


@pytest.mark.django_db(transaction=True)
def test_alerts_are_sent_once_each_with_a_real_worker(
    station_a, community_a, officer_a, chief_a, bureau_viewer
):
    from celery.contrib.testing.worker import start_worker

    from incidents.tasks import return_visit_alerts
    from jointdefense.celery import app
    from tests.support import wait_for

    with scope(tenant=station_a):
        point = community_a.boundary.centroid
        reports = []
        for n in range(2):
            report = report_submit(
                tenant=station_a,
                category=Category.objects.get(tenant=station_a, slug="theft"),
                description=f"Case {n}",
                lat=point.y,
                lng=point.x,
            )
            report_assign(report=report, actor=officer_a, officer=officer_a)
            report_transition(report=report, actor=officer_a, to="resolved")
            reports.append(report)
    with scopes_disabled():
        ReturnVisit.objects.filter(report=reports[0]).update(
            due_at=timezone.now() - timedelta(hours=1)
        )  # overdue
        ReturnVisit.objects.filter(report=reports[1]).update(
            due_at=timezone.now() + timedelta(hours=5)
        )  # due soon
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"):
        assert wait_for(lambda: app.control.ping(timeout=0.5))
        for _ in range(3):  # two beats firing together, then a retry
            return_visit_alerts.delay()
        assert wait_for(lambda: len(mail.outbox) >= 2, timeout=20)
        import time

        time.sleep(1.5)
    subjects = sorted(m.subject for m in mail.outbox)
    assert len(subjects) == 2, subjects
    assert subjects[0].startswith("Return visit due tomorrow") and subjects[1].startswith(
        "Return visit overdue"
    )
    assert all(m.to == [officer_a.email] for m in mail.outbox)


def test_a_visit_nobody_must_make_sends_no_alert(resolved, django_capture_on_commit_callbacks):
    from incidents.tasks import return_visit_alerts

    with scopes_disabled():
        ReturnVisit.objects.update(assignee=None, due_at=timezone.now() - timedelta(days=1))
    return_visit_alerts()
    assert mail.outbox == []


def test_contacts_are_erased_after_the_station_retention_and_the_report_stays(station_a, community_a):
    old = report_filed(
        station_a,
        slug="suspicious",
        description=FLAT,
        at=community_a.boundary.centroid,
        contact_name="Ms Wu",
        contact_phone="13900003333",
    )
    recent = report_filed(
        station_a,
        slug="suspicious",
        description=FLAT,
        at=community_a.boundary.centroid,
        contact_phone="13900004444",
    )
    still_open = report_filed(
        station_a,
        slug="suspicious",
        description=FLAT,
        at=community_a.boundary.centroid,
        contact_phone="13900005555",
    )
    long_ago = timezone.now() - timedelta(days=station_a.contact_retention_days + 1)
    with scopes_disabled():
        Report.objects.filter(pk=old.pk).update(status="closed", updated_at=long_ago)
        Report.objects.filter(pk=recent.pk).update(status="closed")
        Report.objects.filter(pk=still_open.pk).update(updated_at=long_ago)
    assert erase_old_contacts() == 1
    assert erase_old_contacts() == 0  # idempotent
    with scopes_disabled():
        erased = Report.objects.get(pk=old.pk)
        assert (erased.contact_name, erased.contact_phone, erased.contact_erased_at is not None) == (
            "",
            "",
            True,
        )
        assert erased.description.startswith("A flat rented")
        assert Report.objects.get(pk=recent.pk).contact_phone == "+8613900004444"
        assert Report.objects.get(pk=still_open.pk).contact_phone == "+8613900005555"
