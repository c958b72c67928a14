"""The teams API, included under /api/s/<station>/ in the "api" namespace (api:volunteer-list, …)."""

from rest_framework.routers import SimpleRouter

from .views import (
    ApplicationViewSet,
    LedgerViewSet,
    RedemptionViewSet,
    RewardViewSet,
    TeamViewSet,
    VolunteerViewSet,
)

router = SimpleRouter()
router.register("volunteers", VolunteerViewSet, basename="volunteer")
router.register("applications", ApplicationViewSet, basename="application")
router.register("teams", TeamViewSet, basename="team")
router.register("points/ledger", LedgerViewSet, basename="ledger")
router.register("points/rewards", RewardViewSet, basename="reward")
router.register("points/redemptions", RedemptionViewSet, basename="redemption")

urlpatterns = router.urls
