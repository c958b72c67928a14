"""A station keeps its own list of volunteer backgrounds."""

from django.urls import reverse
from django_scopes import scopes_disabled

from teams.models import BackgroundGroup


def page(station):
    return reverse("teams:background-groups", kwargs={"station": station.slug})


def groups(station):
    with scopes_disabled():
        return list(BackgroundGroup.objects.filter(tenant=station).order_by("position", "name"))


def formset_data(station, **changes):
    rows = groups(station)
    data = {
        "form-TOTAL_FORMS": len(rows),
        "form-INITIAL_FORMS": len(rows),
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
    }
    for i, g in enumerate(rows):
        data[f"form-{i}-id"] = g.pk
        data[f"form-{i}-name"] = changes.get(g.slug, {}).get("name", g.name)
        data[f"form-{i}-position"] = changes.get(g.slug, {}).get("position", g.position)
        if changes.get(g.slug, {}).get("is_active", g.is_active):
            data[f"form-{i}-is_active"] = "on"
    return data


def test_a_new_station_starts_with_the_field_reports_groups(station_a):
    assert [g.slug for g in groups(station_a)][:3] == ["residents", "property-owners", "security-guards"]


def test_officer_adds_renames_and_retires_a_background(login, officer_a, station_a):
    client = login(officer_a)
    assert client.post(page(station_a), {"add": "1", "name": "Courier drivers"}).status_code == 302
    assert "courier-drivers" in [g.slug for g in groups(station_a)]
    data = formset_data(station_a, residents={"name": "Local residents"}, students={"is_active": False})
    assert client.post(page(station_a), data).status_code == 302
    by_slug = {g.slug: g for g in groups(station_a)}
    assert by_slug["residents"].name == "Local residents"
    assert by_slug["students"].is_active is False
    apply_page = client.get(reverse("teams:apply", kwargs={"station": station_a.slug})).content.decode()
    assert "Courier drivers" in apply_page and "Local residents" in apply_page


def test_an_extra_form_added_to_the_formset_creates_nothing(login, officer_a, station_a):
    data = formset_data(station_a)
    n = int(data["form-TOTAL_FORMS"])
    data.update({"form-TOTAL_FORMS": str(n + 1), f"form-{n}-name": "Smuggled", f"form-{n}-position": "9"})
    response = login(officer_a).post(page(station_a), data)
    assert response.status_code in (302, 400)
    assert "Smuggled" not in [g.name for g in groups(station_a)]


def test_duplicate_or_empty_name_is_refused(login, officer_a, station_a):
    client = login(officer_a)
    before = len(groups(station_a))
    response = client.post(page(station_a), {"add": "1", "name": "Residents"})
    assert response.status_code == 400
    assert "already has this background" in response.content.decode()
    assert client.post(page(station_a), formset_data(station_a, residents={"name": ""})).status_code == 400
    assert len(groups(station_a)) == before
    assert {g.name for g in groups(station_a)} >= {"Residents"}


def test_volunteers_may_not_edit_backgrounds(login, volunteer_a, station_a):
    assert login(volunteer_a).get(page(station_a)).status_code == 403
