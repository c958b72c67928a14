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
    assert [r["id"] for r in near] == [first.public_id]

    response = anonymous.post(
        incidents_url("report", station_a),
        {
            **form(description="Still open this morning, a child nearly fell."),
            "add_to": first.public_id,
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
    # the report it joins is named by its public id: its tracking code is the other reporter's key
    assert first.public_id in page and first.tracking_code not in page
    assert "Open manhole by the school gate." not in page  # nor the other resident's words


def test_adding_to_a_closed_far_or_other_kind_of_report_is_refused_and_nothing_is_saved(
    anonymous, station_a, form
):
    closed = report_filed(station_a)
    far = report_filed(station_a, dx=0.08, dy=0.08)
    theft = report_filed(station_a, slug="theft")
    with scopes_disabled():
        Report.objects.filter(pk=closed.pk).update(status="closed")
    for target in (closed, far, theft):
        response = anonymous.post(incidents_url("report", station_a), {**form(), "add_to": target.public_id})
        assert response.status_code == 400
        assert "File yours on its own" in response.content.decode()
    with scopes_disabled():
        assert Report.objects.filter(tenant=station_a).count() == 3


def test_another_stations_report_cannot_be_added_to(anonymous, station_a, station_b, form):
    theirs = report_filed(station_b)
    response = anonymous.post(incidents_url("report", station_a), {**form(), "add_to": theirs.public_id})
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
    assert "The manhole is covered now." in page and first.public_id in page
    assert first.tracking_code not in page
    # what a joined reporter adds stays on their own report; the officers see it on the case
    anonymous.post(incidents_url("track", station_a, code=second.tracking_code), {"text": "Thank you!"})
    with scopes_disabled():
        assert ReportEvent.objects.filter(report=second, kind="reporter_info", text="Thank you!").exists()
    case_page = client.get(incidents_url("case", station_a, pk=first.pk)).content.decode()
    assert "Thank you!" in case_page and "from the reporter of" in case_page


# ---- reporters' privacy: one case, several residents -----------------------------------------------------


def test_nearby_gives_only_what_a_resident_needs_to_decide_to_join(anonymous, station_a):
    first = report_filed(
        station_a,
        description="Open manhole, ring me at 13900007777.",
        contact_email="first@example.org",
        contact_phone="13900007777",
    )
    response = anonymous.get(
        incidents_url("report-nearby", station_a),
        {"category": report_category(station_a).pk, **report_point_inside(station_a, 0.0051, 0.005)},
    )
    (near,) = response.json()["reports"]
    assert set(near) == {"id", "category", "reported", "status", "lat", "lng"}
    assert near["id"] == first.public_id
    assert (near["lat"], near["lng"]) == (first.public_location.y, first.public_location.x)
    body = response.content.decode()
    for secret in (first.tracking_code, "13900007777", "first@example.org", "Open manhole"):
        assert secret not in body
    assert f"{first.location.y:.5f}" not in body and f"{first.location.x:.5f}" not in body


def test_reporters_of_one_case_see_only_their_own_additions_and_photos_and_the_police_updates(
    anonymous, login, officer_a, station_a, form
):
    first = report_filed(station_a, description="Primary: manhole open.", photos=[jpeg_with_gps("p.jpg")])
    # a neighbour adds to it from the report page, another is merged by an officer
    anonymous.post(
        incidents_url("report", station_a),
        {
            **form(description="Joined: still open.", photos=[jpeg_with_gps("j.jpg")]),
            "add_to": first.public_id,
        },
    )
    merged = report_filed(station_a, dx=0.0052, description="Merged: a hole in the road.")
    with scope(tenant=station_a):
        report_merge(duplicate=merged, into=first, actor=officer_a)
    with scopes_disabled():
        joined = Report.objects.get(tenant=station_a, description__startswith="Joined")
    reports = {"primary": first, "joined": joined, "merged": merged}
    for who, r in reports.items():
        response = anonymous.post(
            incidents_url("track", station_a, code=r.tracking_code),
            {"text": f"Addition of the {who} reporter.", "photos": [jpeg_with_gps(f"{who}.jpg")]},
        )
        assert response.status_code == 302
    client = login(officer_a)
    case_action(client, first, "comment", text="A patrol is on its way.", public="on")

    with scopes_disabled():
        # the tracking page links each photo through the checking view (incidents:photo)
        photos = {
            who: [f"{incidents_url('photo', station_a, pk=p.pk)}?t=" for p in r.photos.all()]
            for who, r in reports.items()
        }
    assert [len(p) for p in photos.values()] == [2, 2, 1]  # each resident's photos stay on their report
    for who, r in reports.items():
        page = tracking_page(anonymous, r)
        assert "A patrol is on its way." in page  # the police's update reaches every reporter
        assert f"Addition of the {who} reporter." in page
        assert all(url in page for url in photos[who])
        for other, o in reports.items():
            if other == who:
                continue
            assert f"Addition of the {other} reporter." not in page, (who, other)
            assert o.description not in page and o.tracking_code not in page, (who, other)
            assert not any(url in page for url in photos[other]), (who, other)
    # the officers see every addition on the case they work on
    case_page = client.get(incidents_url("case", station_a, pk=first.pk)).content.decode()
    assert all(f"Addition of the {who} reporter." in case_page for who in reports)


def test_a_joined_reporter_is_told_of_the_case_by_its_public_id_and_never_hears_another_resident(
    anonymous, login, officer_a, station_a, django_capture_on_commit_callbacks
):
    from tests.support import queued_messages

    first = report_filed(station_a, contact_email="first@example.org")
    second = report_filed(station_a, dx=0.0051, contact_email="second@example.org")
    with django_capture_on_commit_callbacks(execute=True), scope(tenant=station_a):
        report_merge(duplicate=second, into=first, actor=officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        anonymous.post(
            incidents_url("track", station_a, code=first.tracking_code), {"text": "My neighbour's words."}
        )
        case_action(login(officer_a), first, "comment", text="The cover is ordered.", public="on")
    to_second = [kw["body"] for task, kw in queued_messages() if kw.get("to") == ["second@example.org"]]
    assert len(to_second) == 2  # the merge, then the police's update
    assert any(first.public_id in body for body in to_second)
    assert any("The cover is ordered." in body for body in to_second)
    assert not any(first.tracking_code in body or "My neighbour's words." in body for body in to_second)


def test_old_joined_events_name_the_case_by_its_public_id_after_the_migration(anonymous, station_a):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("incidents.migrations.0008_merged_events_name_public_ids")
    first = report_filed(station_a)
    second = report_filed(station_a, dx=0.0051)
    with scope(tenant=station_a):
        report_merge(duplicate=second, into=first, actor=None)
    with scopes_disabled():  # as the joined event read before: the case's tracking code
        event = ReportEvent.objects.get(report=second, kind="merged")
        ReportEvent.objects.filter(pk=event.pk).update(text=f"Joined to report {first.tracking_code}.")
    assert first.tracking_code in tracking_page(anonymous, second)
    migration.codes_to_public_ids(apps, None)
    migration.codes_to_public_ids(apps, None)  # twice changes nothing more
    page = tracking_page(anonymous, second)
    assert first.tracking_code not in page and f"Joined to report {first.public_id}." in page
