"""Public pages of the incidents app, under /s/<station>/."""

from django.urls import path

from . import views, views_mediation, views_triage

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
    # dispute mediation
    path("mediations/", views_mediation.MediationListView.as_view(), name="mediation-list"),
    path("mediations/open/", views_mediation.MediationOpenView.as_view(), name="mediation-open"),
    path("mediations/<int:pk>/", views_mediation.MediationDetailView.as_view(), name="mediation-detail"),
    path(
        "mediations/<int:pk>/sessions/add/",
        views_mediation.SessionAddView.as_view(),
        name="mediation-session-add",
    ),
    path("mediations/<int:pk>/outcome/", views_mediation.OutcomeView.as_view(), name="mediation-outcome"),
    path(
        "mediations/<int:pk>/parties/add/", views_mediation.PartyAddView.as_view(), name="mediation-party-add"
    ),
    path(
        "mediations/<int:pk>/parties/<int:party>/edit/",
        views_mediation.PartyEditView.as_view(),
        name="mediation-party-edit",
    ),
]
