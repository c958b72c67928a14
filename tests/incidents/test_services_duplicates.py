"""The same incident reported twice: a resident adds to an open report nearby instead of filing a
duplicate, and officers merge duplicates, with suggestions of reports close in space and time.
Reporters of joined reports follow the report the police work on."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from incidents.models import Report, ReportEvent
from incidents.services.duplicates import report_merge
from tests.factories import (
    case_action,
    incidents_url,
    jpeg_with_gps,
    report_category,
    report_filed,
    report_fresh,
    report_point_inside,
    tracking_page,
)


def test_a_resident_adds_to_an_open_report_nearby_instead_of_filing_a_duplicate(anonymous, station_a, form):
    first = report_filed(station_a, contact_email="first@example.org")
    near = anonymous.get(
        incidents_url("report-nearby", station_a),
        {"category": report_category(station_a).pk, **report_point_inside(station_a, 0.0051, 0.005)},
    ).json()["reports"]
    assert [r["id"] for r in near] == [first.pk]

    response = anonymous.post(
        incidents_url("report", station_a),
        {
            **form(description="Still open this morning, a child nearly fell."),
            "add_to": first.pk,
            "photos": [jpeg_with_gps()],
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        added = Report.objects.get(tenant=station_a, description__startswith="Still open")
        assert added.status == "merged" and added.duplicate_of_id == first.pk
        assert added.photos.count() == 1 and added.contact_phone == "+8613800001111"
        assert report_fresh(first).status == "new"  # the report the police work on is unchanged
    page = anonymous.get(response.url, follow=True).content.decode()
    assert "added to the one already with the police" in page
    assert first.tracking_code in page and "Another resident reported the same incident." in page


def test_adding_to_a_closed_far_or_other_kind_of_report_is_refused_and_nothing_is_saved(
    anonymous, station_a, form
):
    closed = report_filed(station_a)
    far = report_filed(station_a, dx=0.08, dy=0.08)
    theft = report_filed(station_a, slug="theft")
    with scopes_disabled():
        Report.objects.filter(pk=closed.pk).update(status="closed")
    for target in (closed, far, theft):
        response = anonymous.post(incidents_url("report", station_a), {**form(), "add_to": target.pk})
        assert response.status_code == 400
        assert "File yours on its own" in response.content.decode()
    with scopes_disabled():
        assert Report.objects.filter(tenant=station_a).count() == 3


def test_another_stations_report_cannot_be_added_to(anonymous, station_a, station_b, form):
    theirs = report_filed(station_b)
    response = anonymous.post(incidents_url("report", station_a), {**form(), "add_to": theirs.pk})
    assert response.status_code == 400
    with scopes_disabled():
        assert not Report.objects.filter(tenant=station_a).exists()


def test_officers_see_duplicates_close_in_space_and_time_and_merge_them(login, officer_a, station_a):
    original = report_filed(station_a, contact_email="a@example.org")
    same = report_filed(station_a, dx=0.0052, description="Manhole cover missing near the school.")
    other_kind = report_filed(station_a, slug="theft", dx=0.0051)
    report_filed(station_a, dx=0.03)  # too far
    long_ago = report_filed(station_a)
    with scopes_disabled():
        Report.objects.filter(pk=long_ago.pk).update(created_at=timezone.now() - timedelta(days=10))
    client = login(officer_a)
    page = client.get(reverse("incidents:case", kwargs={"station": station_a.slug, "pk": original.pk}))
    suggested = [r.pk for r in page.context["suggestions"]]
    assert suggested == [same.pk, other_kind.pk]  # same category first; far and old ones are not offered

    response = case_action(client, original, "merge", other=same.pk, direction="into_this")
    assert response.status_code == 302
    assert report_fresh(same).status == "merged" and report_fresh(same).duplicate_of_id == original.pk
    page = client.get(response.url)
    assert [r.pk for r in page.context["joined"]] == [same.pk]
    assert "Manhole cover missing" in page.content.decode()
    with scopes_disabled():
        assert ReportEvent.objects.filter(report=same, kind="merged", public=True).exists()


def test_merging_this_report_into_another_moves_its_followers_too(login, officer_a, station_a):
    a, b, c = report_filed(station_a), report_filed(station_a, dx=0.0051), report_filed(station_a, dx=0.0052)
    client = login(officer_a)
    case_action(client, b, "merge", other=c.pk, direction="into_this")  # c joins b
    response = case_action(client, b, "merge", other=a.pk, direction="into_other")  # b (with c) joins a
    assert response.url == reverse("incidents:case", kwargs={"station": station_a.slug, "pk": a.pk})
    assert (
        report_fresh(b).duplicate_of_id == a.pk and report_fresh(c).duplicate_of_id == a.pk
    )  # never a chain


def test_bad_merges_are_refused_with_a_message(login, officer_a, officer_b, station_a, station_b):
    a, b = report_filed(station_a), report_filed(station_a, dx=0.0051)
    theirs = report_filed(station_b)
    client = login(officer_a)
    for other in (a, theirs):
        response = case_action(client, a, "merge", other=other.pk, direction="into_this")
        assert response.status_code == 400
        assert "Choose another report of this station" in response.content.decode()
    with scopes_disabled():
        Report.objects.filter(pk=b.pk).update(status="rejected")
    response = case_action(client, a, "merge", other=b.pk, direction="into_this")
    assert response.status_code == 400 and "not merged" in response.content.decode()
    assert (
        report_fresh(a).status == "new"
        and report_fresh(b).status == "rejected"
        and report_fresh(theirs).status == "new"
    )


def test_joined_reporters_follow_the_case_and_hear_its_public_updates(
    anonymous, login, officer_a, station_a, django_capture_on_commit_callbacks
):
    from tests.support import queued_messages

    first = report_filed(station_a, contact_email="first@example.org")
    second = report_filed(station_a, dx=0.0051, contact_email="second@example.org")
    phone_only = report_filed(station_a, dx=0.0052, contact_phone="13700003333")
    anonymous_one = report_filed(station_a, dx=0.0053, anonymous=True, contact_email="hidden@example.org")
    with scope(tenant=station_a):
        for r in (second, phone_only, anonymous_one):
            report_merge(duplicate=r, into=first, actor=officer_a)
    client = login(officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        case_action(client, first, "comment", text="The manhole is covered now.", public="on")
    sent = queued_messages()
    emails = sorted(kw["to"][0] for task, kw in sent if task == "core.send_email")
    texts = [kw for task, kw in sent if task == "core.send_sms"]
    assert emails == ["first@example.org", "second@example.org"]
    assert [t["to"] for t in texts] == ["+8613700003333"] and "The manhole is covered now." in texts[0][
        "text"
    ]
    page = tracking_page(anonymous, second)
    assert "The manhole is covered now." in page and first.tracking_code in page
    # information a joined reporter adds goes to the report the officers work on
    anonymous.post(incidents_url("track", station_a, code=second.tracking_code), {"text": "Thank you!"})
    with scopes_disabled():
        assert ReportEvent.objects.filter(report=first, kind="reporter_info", text="Thank you!").exists()
