"""Pages of the teams app, under /s/<station>/. Public pages: apply, my-volunteering (own record)."""

from django.urls import path

from .views import backgrounds, calendars, csv, points, teams, volunteers

app_name = "teams"

urlpatterns = [
    # public / the volunteer's own
    path("volunteer/apply/", volunteers.ApplyView.as_view(), name="apply"),
    path("volunteer/me/", points.MyVolunteeringView.as_view(), name="my-volunteering"),
    path("volunteer/me/email/", points.MyEmailView.as_view(), name="my-email"),
    path("volunteer/me/calendar/", calendars.MyCalendarView.as_view(), name="my-calendar"),
    path("calendar/<str:token>.ics", calendars.CalendarFeedView.as_view(), name="calendar-feed"),
    path(
        "volunteer/me/rewards/<int:pk>/request/",
        points.RedemptionRequestView.as_view(),
        name="redemption-request",
    ),
    path(
        "volunteer/me/redemptions/<int:pk>/cancel/",
        points.RedemptionCancelView.as_view(),
        name="redemption-cancel",
    ),
    # screening and roster (officers)
    path("volunteers/", volunteers.VolunteerListView.as_view(), name="volunteer-list"),
    path("volunteers/applications/", volunteers.ApplicationListView.as_view(), name="application-list"),
    path("volunteers/export.csv", csv.VolunteerExportView.as_view(), name="volunteer-export"),
    path("volunteers/import/", csv.VolunteerImportView.as_view(), name="volunteer-import"),
    path("volunteers/backgrounds/", backgrounds.BackgroundGroupsView.as_view(), name="background-groups"),
    path("volunteers/import/<int:pk>/", csv.VolunteerImportJobView.as_view(), name="volunteer-import-job"),
    path("volunteers/<int:pk>/", volunteers.VolunteerDetailView.as_view(), name="volunteer-detail"),
    path(
        "volunteers/<int:pk>/<slug:action>/",
        volunteers.VolunteerActionView.as_view(),
        name="volunteer-action",
    ),
    path("volunteers/<int:pk>/points/award/", points.PointsAwardView.as_view(), name="points-award"),
    # teams
    path("teams/", teams.TeamListView.as_view(), name="team-list"),
    path("teams/new/", teams.TeamCreateView.as_view(), name="team-create"),
    path("teams/<int:pk>/", teams.TeamDetailView.as_view(), name="team-detail"),
    path("teams/<int:pk>/edit/", teams.TeamEditView.as_view(), name="team-edit"),
    path("teams/<int:pk>/members/", teams.TeamMemberAddView.as_view(), name="team-member-add"),
    path(
        "teams/<int:pk>/members/<int:volunteer>/remove/",
        teams.TeamMemberRemoveView.as_view(),
        name="team-member-remove",
    ),
    # points and rewards
    path("points/leaderboard/", points.LeaderboardView.as_view(), name="leaderboard"),
    path("points/ledger/", points.LedgerView.as_view(), name="ledger"),
    path("points/rules/", points.PointRulesView.as_view(), name="point-rules"),
    path("points/rewards/", points.RewardListView.as_view(), name="reward-list"),
    path("points/rewards/new/", points.RewardCreateView.as_view(), name="reward-create"),
    path("points/rewards/<int:pk>/edit/", points.RewardEditView.as_view(), name="reward-edit"),
    path("points/redemptions/", points.RedemptionListView.as_view(), name="redemption-list"),
    path(
        "points/redemptions/<int:pk>/<slug:decision>/",
        points.RedemptionDecideView.as_view(),
        name="redemption-decide",
    ),
    path("points/entries/<int:pk>/reverse/", points.PointsReverseView.as_view(), name="points-reverse"),
]
