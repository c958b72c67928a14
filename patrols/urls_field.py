"""Pages of patrols in the field, under /s/<station>/ (included in the ``patrols`` namespace)."""

from django.urls import path

from . import views_field as v

field_urlpatterns = [
    # the volunteer, on a phone
    path("patrols/me/", v.MyPatrolView.as_view(), name="my-patrol"),
    path("patrols/me/shifts/<int:pk>/start/", v.PatrolStartView.as_view(), name="patrol-start"),
    path("patrols/me/<int:pk>/", v.PatrolView.as_view(), name="patrol"),
    path("patrols/me/<int:pk>/note/", v.PatrolNoteView.as_view(), name="patrol-note"),
    path("patrols/me/<int:pk>/photo/", v.PatrolPhotoView.as_view(), name="patrol-photo"),
    path("patrols/me/<int:pk>/end/", v.PatrolEndView.as_view(), name="patrol-end"),
    path("patrols/check-in/offline/", v.CheckInOfflineView.as_view(), name="check-in-offline"),
    path("patrols/check-in/<str:qr_token>/", v.CheckInView.as_view(), name="check-in"),
    path("patrols/service-worker.js", v.ServiceWorkerView.as_view(), name="service-worker"),
    # officers
    path("patrols/board/", v.BoardView.as_view(), name="board"),
    path("patrols/board/data/", v.BoardDataView.as_view(), name="board-data"),
    path("patrols/walked/", v.PatrolListView.as_view(), name="patrol-list"),
    path("patrols/walked/<int:pk>/", v.PatrolDetailView.as_view(), name="patrol-detail"),
    path("patrols/review/", v.ReviewQueueView.as_view(), name="review-queue"),
    path("patrols/check-ins/<int:pk>/review/", v.CheckInReviewView.as_view(), name="check-in-review"),
]
urlpatterns = field_urlpatterns
