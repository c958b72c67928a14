"""After a case: a return visit within the station's deadline, recorded on the case page, the
resident's rating, escalation to the chief and the bureau until satisfied (the alerts: test_tasks)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from incidents.models import Category, Report, ReturnVisit
from incidents.services.reports import report_submit
from incidents.services.return_visits import return_visit_record
from incidents.services.triage import report_assign, report_transition
from jointdefense.tenancy.models import Role
from tests.factories import member


def visits(report):
    with scopes_disabled():
        return list(ReturnVisit.objects.filter(report=report).order_by("created_at"))


def record(report, actor):
    with scope(tenant=report.tenant):
        visit = ReturnVisit.objects.filter(report=report, visited_at__isnull=True).get()
        return_visit_record(visit=visit, actor=actor, notes="Talked with both neighbours.")


def rate(anonymous, report, rating):
    url = reverse("incidents:track", kwargs={"station": report.tenant.slug, "code": report.tracking_code})
    return anonymous.post(url, {"rating": rating})


def test_resolving_opens_a_visit_due_within_the_station_deadline(resolved, officer_a):
    [visit] = visits(resolved)
    assert (visit.level, visit.assignee) == ("officer", officer_a)
    assert timedelta(days=2, hours=23) < visit.due_at - timezone.now() <= timedelta(days=3)


def test_satisfied_resident_closes_the_case(resolved, officer_a, anonymous):
    assert rate(anonymous, resolved, "satisfied").status_code == 302
    assert visits(resolved)[0].rating == ""  # nothing to rate before the visit is recorded
    record(resolved, officer_a)
    rate(anonymous, resolved, "satisfied")
    with scopes_disabled():
        assert Report.objects.get(pk=resolved.pk).status == "closed"


def test_unsatisfied_escalates_to_the_chief_then_the_bureau(
    resolved, officer_a, chief_a, bureau_viewer, anonymous
):
    record(resolved, officer_a)
    rate(anonymous, resolved, "unsatisfied")
    assert [(v.level, v.assignee) for v in visits(resolved)] == [("officer", officer_a), ("chief", chief_a)]
    record(resolved, chief_a)
    rate(anonymous, resolved, "unsatisfied")
    assert [v.level for v in visits(resolved)] == ["officer", "chief", "bureau"]
    assert visits(resolved)[-1].assignee == bureau_viewer
    record(resolved, bureau_viewer)
    rate(anonymous, resolved, "unsatisfied")  # the bureau visits again, until the resident is satisfied
    assert visits(resolved)[-1].visited_at is None
    record(resolved, bureau_viewer)
    rate(anonymous, resolved, "satisfied")
    with scopes_disabled():
        assert Report.objects.get(pk=resolved.pk).status == "closed"


def test_officer_records_the_visit_on_the_case_page(login, officer_a, resolved):
    client = login(officer_a)
    url = reverse("incidents:case", kwargs={"station": resolved.tenant.slug, "pk": resolved.pk})
    assert client.post(url, {"action": "visit", "visit-notes": ""}).status_code == 400
    assert client.post(url, {"action": "visit", "visit-notes": "Resident is content."}).status_code == 302
    assert visits(resolved)[0].visited_at is not None


def test_grid_worker_gets_the_visit_when_no_officer_holds_the_case(station_a, community_a, officer_a):
    worker = member(station_a, Role.GRID_WORKER, username="grid_w")
    with scope(tenant=station_a):
        point = community_a.boundary.centroid
        report = report_submit(
            tenant=station_a,
            category=Category.objects.get(tenant=station_a, slug="hazard"),
            description="Loose cable",
            lat=point.y,
            lng=point.x,
        )
        report_assign(report=report, actor=officer_a, grid_worker=worker)
        report_transition(report=report, actor=officer_a, to="resolved")
    assert visits(report)[0].assignee == worker


def alerts_delivered():
    """Run the alert sweep and deliver the e-mails it queued, as the worker would (once per key)."""
    from incidents.services.return_visits import return_visit_alerts_send
    from jointdefense.core.models import OutboxMessage
    from jointdefense.core.services import email_send_once

    before = set(OutboxMessage.objects.values_list("pk", flat=True))
    return_visit_alerts_send()
    sent = []
    for message in OutboxMessage.objects.exclude(pk__in=before).filter(task="core.send_email"):
        if email_send_once(**message.kwargs):
            sent.append(message.kwargs["subject"])
    return sent


def overdue(report):
    """Four days pass: the visit to make is a day overdue."""
    from django.db.models import F

    with scopes_disabled():
        ReturnVisit.objects.filter(report=report, visited_at__isnull=True).update(
            due_at=F("due_at") - timedelta(days=4)
        )


def fresh(visit):
    return timedelta(days=2, hours=23) < visit.due_at - timezone.now() <= timedelta(days=3)


def test_the_bureau_visit_made_again_gets_a_fresh_due_date_and_its_own_alert(
    resolved, officer_a, chief_a, bureau_viewer, anonymous
):
    record(resolved, officer_a)
    rate(anonymous, resolved, "unsatisfied")
    record(resolved, chief_a)
    rate(anonymous, resolved, "unsatisfied")
    overdue(resolved)
    assert [s for s in alerts_delivered() if s.startswith("Return visit overdue")]
    record(resolved, bureau_viewer)
    rate(anonymous, resolved, "unsatisfied")  # the bureau visits again
    again = visits(resolved)[-1]
    assert again.level == "bureau" and again.visited_at is None and fresh(again)
    assert alerts_delivered() == []  # not overdue at once
    overdue(resolved)
    assert [s for s in alerts_delivered() if s.startswith("Return visit overdue")]
    assert alerts_delivered() == []  # and once


def test_a_chief_visit_after_the_case_was_reopened_gets_a_fresh_due_date_and_its_own_alert(
    resolved, officer_a, chief_a, anonymous
):
    record(resolved, officer_a)
    rate(anonymous, resolved, "unsatisfied")
    overdue(resolved)
    assert len(alerts_delivered()) == 1  # the chief is alerted that the visit is overdue
    record(resolved, chief_a)
    rate(anonymous, resolved, "unsatisfied")  # the bureau is to visit; the officer reopens the case
    with scope(tenant=resolved.tenant):
        report = Report.objects.get(pk=resolved.pk)
        report_transition(report=report, actor=officer_a, to="in_progress")
        report_transition(report=report, actor=officer_a, to="resolved")
    with scope(tenant=resolved.tenant):  # the officer visits again ...
        visit = ReturnVisit.objects.get(report=resolved, level="officer", visited_at__isnull=True)
        return_visit_record(visit=visit, actor=officer_a, notes="Visited again.")
    rate(anonymous, resolved, "unsatisfied")  # ... and the resident is not satisfied: the chief again
    chief_visit = [v for v in visits(resolved) if v.level == "chief"][0]
    assert chief_visit.visited_at is None and chief_visit.rating == "" and fresh(chief_visit)
    assert alerts_delivered() == []
    overdue(resolved)
    assert [s for s in alerts_delivered() if s.startswith("Return visit overdue")]
