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
def test_alerts_are_sent_once_each_when_beats_and_deliveries_race(
    station_a, community_a, officer_a, chief_a, bureau_viewer
):
    from incidents.tasks import return_visit_alerts
    from tests.support import deliver_queued_twice_at_once, race

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
    mail.outbox.clear()  # the receipts of the reports are not what this test counts
    # two beats firing at the same moment (each in its own thread and connection), then a retry
    race(return_visit_alerts.apply, return_visit_alerts.apply)
    return_visit_alerts.apply()
    # each queued e-mail is delivered twice at once, as two workers handed the same message
    assert deliver_queued_twice_at_once() >= 2
    subjects = sorted(m.subject for m in mail.outbox if m.subject.startswith("Return visit"))
    assert subjects == [
        f"Return visit due tomorrow: report {reports[1].tracking_code}",
        f"Return visit overdue: report {reports[0].tracking_code}",
    ]
    assert all(m.to == [officer_a.email] for m in mail.outbox if m.subject.startswith("Return visit"))


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


def test_contacts_of_joined_reports_are_erased_when_the_case_they_follow_closed_long_ago(
    station_a, officer_a
):
    from incidents.services.duplicates import report_merge

    def case_with_a_joined_report(phone, dx):
        primary = report_filed(station_a, dx=dx, contact_phone=f"{phone}0")
        joined = report_filed(station_a, dx=dx + 0.0001, contact_phone=f"{phone}1")
        with scope(tenant=station_a):
            report_merge(duplicate=joined, into=primary, actor=officer_a)
        return primary, joined

    old_case = case_with_a_joined_report("1390000100", 0.005)
    recent_case = case_with_a_joined_report("1390000200", 0.02)
    open_case = case_with_a_joined_report("1390000300", 0.04)
    rejected_case = case_with_a_joined_report("1390000400", 0.06)
    long_ago = timezone.now() - timedelta(days=station_a.contact_retention_days + 1)
    with scopes_disabled():
        joined_pks = [joined.pk for _primary, joined in (old_case, recent_case, open_case, rejected_case)]
        Report.objects.filter(pk__in=joined_pks).update(updated_at=long_ago)  # all joined long ago
        Report.objects.filter(pk=old_case[0].pk).update(status="closed", updated_at=long_ago)
        Report.objects.filter(pk=recent_case[0].pk).update(status="closed")
        Report.objects.filter(pk=open_case[0].pk).update(updated_at=long_ago)
        Report.objects.filter(pk=rejected_case[0].pk).update(status="rejected", updated_at=long_ago)
    assert erase_old_contacts() == 4  # both reports of the old case and of the rejected one
    assert erase_old_contacts() == 0  # idempotent
    with scopes_disabled():
        phones = dict(Report.objects.filter(tenant=station_a).values_list("pk", "contact_phone"))
    assert [phones[r.pk] for r in old_case + rejected_case] == ["", "", "", ""]
    # the case closed recently, or is still open: its reporters are still told of it
    assert [phones[r.pk] for r in recent_case + open_case] == [
        "+8613900002000",
        "+8613900002001",
        "+8613900003000",
        "+8613900003001",
    ]
