"""Patrol photos (patrols.views.field.PatrolPhotoFileView): the volunteer who took one sees it, and so
do those who see the patrol's page (the station's officers); another volunteer, another station's
officer and the public get 404."""

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from patrols.models import PatrolPhoto, Signup
from patrols.services import field
from tests.factories import UserFactory, active_volunteer, jpeg_with_gps


def photo_taken(patrol, volunteer):
    with scope(tenant=patrol.tenant):
        return field.patrol_photo_add(
            patrol=patrol, volunteer=volunteer, upload=jpeg_with_gps(), caption="Gate"
        )


def url(photo, station="station-a"):
    return reverse("patrols:photo", kwargs={"station": station, "pk": photo.pk})


def body(response):
    return b"".join(response.streaming_content)


@pytest.fixture
def other_patroller(station_a, officer_a, shift_a):
    """A second volunteer of station A, on the same shift, on a patrol of their own."""
    volunteer = active_volunteer(station_a, officer_a, user=UserFactory(username="patroller_c"))
    with scopes_disabled():
        Signup.objects.create(tenant=station_a, shift=shift_a, volunteer=volunteer)
    with scope(tenant=station_a):
        patrol = field.patrol_start(shift=shift_a, volunteer=volunteer, actor=volunteer.user)
    return volunteer, patrol


def test_the_volunteer_sees_their_own_patrol_photo(login, patrol_a, patroller_a):
    photo = photo_taken(patrol_a, patroller_a)
    client = login(patroller_a.user)
    page = client.get(reverse("patrols:patrol", kwargs={"station": "station-a", "pk": patrol_a.pk}))
    assert url(photo) in page.content.decode()
    with scopes_disabled():
        stored = PatrolPhoto.objects.get(pk=photo.pk).image.read()
    response = client.get(url(photo))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert body(response) == stored
    assert response["Cache-Control"].startswith("private")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'inline; filename="patrol-photo-{photo.pk}.jpg"'


def test_another_volunteer_gets_404_for_a_photo_not_theirs(login, patrol_a, patroller_a, other_patroller):
    volunteer, their_patrol = other_patroller
    mine = photo_taken(patrol_a, patroller_a)
    theirs = photo_taken(their_patrol, volunteer)
    assert login(volunteer.user).get(url(theirs)).status_code == 200
    assert login(volunteer.user).get(url(mine)).status_code == 404
    assert login(patroller_a.user).get(url(theirs)).status_code == 404


def test_officers_of_the_station_see_it_and_everyone_else_gets_404(
    login, anonymous, patrol_a, patroller_a, officer_a, officer_b, patroller_b
):
    photo = photo_taken(patrol_a, patroller_a)
    detail = login(officer_a).get(
        reverse("patrols:patrol-detail", kwargs={"station": "station-a", "pk": patrol_a.pk})
    )
    assert url(photo) in detail.content.decode()
    assert login(officer_a).get(url(photo)).status_code == 200
    assert anonymous.get(url(photo)).status_code == 404  # not a login page that confirms it exists
    assert login(officer_b).get(url(photo)).status_code == 404
    assert login(officer_b).get(url(photo, station="station-b")).status_code == 404
    assert login(patroller_b.user).get(url(photo, station="station-b")).status_code == 404
