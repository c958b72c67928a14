"""Public pages of the incidents app, under /s/<station>/."""

from django.urls import path

from . import views, views_triage

app_name = "incidents"

urlpatterns = [
    path("report/", views.ReportCreateView.as_view(), name="report"),
    path("report/nearby/", views.NearbyReportsView.as_view(), name="report-nearby"),
    path("track/", views.TrackLookupView.as_view(), name="track-lookup"),
    path("track/<str:code>/", views.TrackView.as_view(), name="track"),
    # officers
    path("reports/", views_triage.TriageListView.as_view(), name="triage"),
    path("reports/map/", views_triage.TriageMapView.as_view(), name="triage-map"),
    path("reports/<int:pk>/", views_triage.ReportCaseView.as_view(), name="case"),
]
