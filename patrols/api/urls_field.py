from rest_framework.routers import SimpleRouter

from .checkins import CheckInViewSet, PatrolViewSet

router = SimpleRouter()
router.register("check-ins", CheckInViewSet, basename="checkin")
router.register("patrols", PatrolViewSet, basename="patrol")

urlpatterns = router.urls
