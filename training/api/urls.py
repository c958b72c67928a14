"""The training API, included under /api/s/<station>/ in the "api" namespace (api:course-list,
api:session-enrol, api:certificate-revoke, api:certificate-verify, …)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    CertificateViewSet,
    CourseViewSet,
    EnrolmentViewSet,
    ResultViewSet,
    SessionViewSet,
    VerifyView,
)

router = SimpleRouter()
router.register("training/courses", CourseViewSet, basename="course")
router.register("training/sessions", SessionViewSet, basename="session")
router.register("training/enrolments", EnrolmentViewSet, basename="enrolment")
router.register("training/results", ResultViewSet, basename="result")
router.register("training/certificates", CertificateViewSet, basename="certificate")

urlpatterns = [
    path("training/verify/<str:code>/", VerifyView.as_view(), name="certificate-verify"),
    *router.urls,
]
