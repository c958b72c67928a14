"""The patrols API, included under /api/s/<station>/ in the "api" namespace (api:route-list, …)."""

from rest_framework.routers import SimpleRouter

from .views_planning import CheckpointViewSet, RouteViewSet, ScheduleViewSet, ShiftViewSet, SignupViewSet

router = SimpleRouter()
router.register("patrols/routes", RouteViewSet, basename="route")
router.register("patrols/checkpoints", CheckpointViewSet, basename="checkpoint")
router.register("patrols/schedules", ScheduleViewSet, basename="schedule")
router.register("patrols/shifts", ShiftViewSet, basename="shift")
router.register("patrols/signups", SignupViewSet, basename="signup")

urlpatterns = router.urls
