"""Public pages of the incidents app, under /s/<station>/."""

from django.urls import path

from . import views

app_name = "incidents"

urlpatterns = [
    path("report/", views.ReportCreateView.as_view(), name="report"),
    path("report/nearby/", views.NearbyReportsView.as_view(), name="report-nearby"),
    path("track/", views.TrackLookupView.as_view(), name="track-lookup"),
    path("track/<str:code>/", views.TrackView.as_view(), name="track"),
]
