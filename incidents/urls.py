"""URLs of the incidents app: the pages under /s/<station>/ (``urlpatterns``) and Open311 GeoReport
v2 under /open311/v2/ (``open311_urlpatterns``; the station is the ``jurisdiction_id`` parameter)."""

from django.urls import path, re_path

from .views import mediation, open311, photos, reports, triage

app_name = "incidents"

urlpatterns = [
    path("report/", reports.ReportCreateView.as_view(), name="report"),
    path("report/nearby/", reports.NearbyReportsView.as_view(), name="report-nearby"),
    path("track/", reports.TrackLookupView.as_view(), name="track-lookup"),
    path("track/<str:code>/", reports.TrackView.as_view(), name="track"),
    # a report's photo: to the reporter (signed link), the station's officers, or anyone if public
    path("photos/reports/<int:pk>/", photos.ReportPhotoView.as_view(), name="photo"),
    # officers
    path("reports/", triage.TriageListView.as_view(), name="triage"),
    path("reports/map/", triage.TriageMapView.as_view(), name="triage-map"),
    path("reports/return-visits/", triage.ReturnVisitListView.as_view(), name="return-visit-list"),
    path("reports/<int:pk>/", triage.ReportCaseView.as_view(), name="case"),
    # dispute mediation
    path("mediations/", mediation.MediationListView.as_view(), name="mediation-list"),
    path("mediations/open/", mediation.MediationOpenView.as_view(), name="mediation-open"),
    path("mediations/<int:pk>/", mediation.MediationDetailView.as_view(), name="mediation-detail"),
    path(
        "mediations/<int:pk>/sessions/add/",
        mediation.SessionAddView.as_view(),
        name="mediation-session-add",
    ),
    path("mediations/<int:pk>/outcome/", mediation.OutcomeView.as_view(), name="mediation-outcome"),
    path("mediations/<int:pk>/parties/add/", mediation.PartyAddView.as_view(), name="mediation-party-add"),
    path(
        "mediations/<int:pk>/parties/<int:party>/edit/",
        mediation.PartyEditView.as_view(),
        name="mediation-party-edit",
    ),
]

FMT = r"\.(?P<fmt>json|xml)$"

# included as namespace "open311" (jointdefense/urls.py)
open311_urlpatterns = [
    re_path(r"^services" + FMT, open311.service_list, name="services"),
    re_path(r"^services/(?P<service_code>[-\w]+)" + FMT, open311.service_definition, name="service"),
    re_path(r"^requests" + FMT, open311.request_list, name="requests"),
    re_path(r"^requests/(?P<request_id>[0-9A-Za-z]+)" + FMT, open311.request_detail, name="request"),
]
