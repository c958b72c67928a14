"""The report services' own rules: a new station's categories, the blurred public location."""

from django_scopes import scopes_disabled

from incidents.models import Category
from incidents.services.reports import blur


def test_a_new_station_offers_the_usual_categories(station_a):
    with scopes_disabled():
        slugs = set(Category.objects.filter(tenant=station_a).values_list("slug", flat=True))
    assert {"theft", "fraud", "hazard", "dispute", "suspicious", "fire", "other"} <= slugs


def test_blur_is_stable_and_coarse():
    from django.contrib.gis.geos import Point

    a, b = (
        blur(Point(113.6700, 34.7800, srid=4326)),
        blur(Point(113.67004, 34.78003, srid=4326)),
    )
    assert (a.x, a.y) == (b.x, b.y)
