"""The patrols API, included under /api/s/<station>/ in the "api" namespace (api:route-list,
api:checkin-list, …): the field (check-ins, patrols) and planning (routes, checkpoints, schedules,
shifts, sign-ups)."""

from rest_framework.routers import SimpleRouter

from .views.field import CheckInViewSet, PatrolViewSet
from .views.planning import CheckpointViewSet, RouteViewSet, ScheduleViewSet, ShiftViewSet, SignupViewSet

router = SimpleRouter()
# the field
router.register("check-ins", CheckInViewSet, basename="checkin")
router.register("patrols", PatrolViewSet, basename="patrol")
# planning
router.register("patrols/routes", RouteViewSet, basename="route")
router.register("patrols/checkpoints", CheckpointViewSet, basename="checkpoint")
router.register("patrols/schedules", ScheduleViewSet, basename="schedule")
router.register("patrols/shifts", ShiftViewSet, basename="shift")
router.register("patrols/signups", SignupViewSet, basename="signup")

urlpatterns = router.urls
