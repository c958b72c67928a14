from django.urls import path

from . import views

app_name = "tenancy"

urlpatterns = [
    path("", views.StationHomeView.as_view(), name="home"),
    path("communities/", views.CommunityListView.as_view(), name="community-list"),
    path("communities/<slug:community>/", views.CommunityDetailView.as_view(), name="community-detail"),
    path("people/", views.MemberListView.as_view(), name="member-list"),
    path("desk/", views.DeskView.as_view(), name="desk"),
]
