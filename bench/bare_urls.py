"""The benchmark's yardstick for report submission: a bare Django view that does one insert, served
through the same middleware as the real report page (bench/run.py switches ROOT_URLCONF to this)."""

import time

from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django_scopes import scopes_disabled


@csrf_exempt
def bare_insert(request, category):
    from incidents.models import Category, Report

    with scopes_disabled():
        category = Category.objects.get(pk=category)  # the real page resolves its category too
        Report.objects.create(
            tenant_id=category.tenant_id,
            tracking_code=f"BARE{time.time_ns() % 10**12:012d}",
            category=category,
            description=request.POST.get("description", ""),
            location="SRID=4326;POINT(110.9 30.9)",
            public_location="SRID=4326;POINT(110.9 30.9)",
        )
    return HttpResponse(status=201)


urlpatterns = [
    path("bench/bare/<int:category>/", bare_insert),
    path("", include("jointdefense.urls")),
]
