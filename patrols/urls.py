"""Pages of the patrols app, under /s/<station>/patrols/: planning (views.planning) and the field
(views.field: the phone pages, the check-in page each QR code opens, officers' board and review)."""

from django.urls import path

from .views import field, planning

app_name = "patrols"

urlpatterns = [
    # planning (officers)
    path("patrols/routes/", planning.RouteListView.as_view(), name="route-list"),
    path("patrols/routes/new/", planning.RouteCreateView.as_view(), name="route-create"),
    path("patrols/routes/<int:pk>/", planning.RouteDetailView.as_view(), name="route-detail"),
    path("patrols/routes/<int:pk>/edit/", planning.RouteEditView.as_view(), name="route-edit"),
    path("patrols/routes/<int:pk>/qr/", planning.RouteQRSheetView.as_view(), name="route-qr"),
    path(
        "patrols/routes/<int:pk>/checkpoints/new/",
        planning.CheckpointCreateView.as_view(),
        name="checkpoint-create",
    ),
    path(
        "patrols/routes/<int:pk>/checkpoints/<int:checkpoint>/edit/",
        planning.CheckpointEditView.as_view(),
        name="checkpoint-edit",
    ),
    path("patrols/schedules/", planning.ScheduleListView.as_view(), name="schedule-list"),
    path("patrols/schedules/new/", planning.ScheduleCreateView.as_view(), name="schedule-create"),
    path("patrols/schedules/<int:pk>/edit/", planning.ScheduleEditView.as_view(), name="schedule-edit"),
    path("patrols/coverage/", planning.CoverageView.as_view(), name="coverage"),
    path("patrols/shifts/new/", planning.ShiftCreateView.as_view(), name="shift-create"),
    path("patrols/shifts/<int:pk>/", planning.ShiftDetailView.as_view(), name="shift-detail"),
    path("patrols/shifts/<int:pk>/cancel/", planning.ShiftCancelView.as_view(), name="shift-cancel"),
    path("patrols/shifts/<int:pk>/assign/", planning.ShiftAssignView.as_view(), name="shift-assign"),
    path(
        "patrols/shifts/<int:pk>/signups/<int:signup>/remove/",
        planning.SignupRemoveView.as_view(),
        name="signup-remove",
    ),
    path("patrols/hot-spots/", planning.HotspotView.as_view(), name="hotspots"),
    # volunteers
    path("patrols/shifts/", planning.ShiftBoardView.as_view(), name="shifts"),
    path("patrols/shifts/<int:pk>/sign-up/", planning.ShiftSignupView.as_view(), name="shift-signup"),
    path("patrols/shifts/<int:pk>/withdraw/", planning.ShiftWithdrawView.as_view(), name="shift-withdraw"),
    # in the field: the volunteer, on a phone
    path("patrols/me/", field.MyPatrolView.as_view(), name="my-patrol"),
    path("patrols/me/shifts/<int:pk>/start/", field.PatrolStartView.as_view(), name="patrol-start"),
    path("patrols/me/<int:pk>/", field.PatrolView.as_view(), name="patrol"),
    path("patrols/me/<int:pk>/note/", field.PatrolNoteView.as_view(), name="patrol-note"),
    path("patrols/me/<int:pk>/photo/", field.PatrolPhotoView.as_view(), name="patrol-photo"),
    path("patrols/me/<int:pk>/end/", field.PatrolEndView.as_view(), name="patrol-end"),
    # a patrol photo: to the volunteer who took it and to those who see the patrol's page
    path("patrols/photos/<int:pk>/", field.PatrolPhotoFileView.as_view(), name="photo"),
    path("patrols/check-in/offline/", field.CheckInOfflineView.as_view(), name="check-in-offline"),
    path("patrols/check-in/<str:qr_token>/", field.CheckInView.as_view(), name="check-in"),
    path("patrols/service-worker.js", field.ServiceWorkerView.as_view(), name="service-worker"),
    # officers
    path("patrols/board/", field.BoardView.as_view(), name="board"),
    path("patrols/board/data/", field.BoardDataView.as_view(), name="board-data"),
    path("patrols/walked/", field.PatrolListView.as_view(), name="patrol-list"),
    path("patrols/walked/<int:pk>/", field.PatrolDetailView.as_view(), name="patrol-detail"),
    path("patrols/review/", field.ReviewQueueView.as_view(), name="review-queue"),
    path("patrols/check-ins/<int:pk>/review/", field.CheckInReviewView.as_view(), name="check-in-review"),
]
