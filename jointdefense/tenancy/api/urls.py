from rest_framework.routers import SimpleRouter

from .views import CommunityViewSet, GridCellViewSet

router = SimpleRouter()
router.register("communities", CommunityViewSet, basename="community")
router.register("grid-cells", GridCellViewSet, basename="gridcell")

urlpatterns = router.urls
