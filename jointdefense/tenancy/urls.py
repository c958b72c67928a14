from django.urls import path

from . import archive, dashboard, rankings, views

app_name = "tenancy"

urlpatterns = [
    path("", views.StationHomeView.as_view(), name="home"),
    path("communities/", views.CommunityListView.as_view(), name="community-list"),
    path("communities/<slug:community>/", views.CommunityDetailView.as_view(), name="community-detail"),
    path("people/", views.MemberListView.as_view(), name="member-list"),
    path("dashboard/", dashboard.DashboardView.as_view(), name="dashboard"),
    path("dashboard/csv/", dashboard.DashboardCsvView.as_view(), name="dashboard-csv"),
    path("dashboard/heat/", dashboard.DashboardHeatView.as_view(), name="dashboard-heat"),
    path("dashboard/map-csv/", dashboard.DashboardMapCsvView.as_view(), name="dashboard-map-csv"),
    path("desk/", views.DeskView.as_view(), name="desk"),
    path("summaries/", archive.SummaryListView.as_view(), name="summary-list"),
    path("summaries/<str:week>/", archive.SummaryDetailView.as_view(), name="summary-detail"),
    path("summaries/<str:week>/pdf/", archive.SummaryPdfView.as_view(), name="summary-pdf"),
    path("summaries/<str:week>/send-again/", archive.SummaryResendView.as_view(), name="summary-resend"),
    path("rankings/", rankings.RankingsView.as_view(), name="rankings"),
    path("rankings/csv/", rankings.RankingsCsvView.as_view(), name="rankings-csv"),
]
