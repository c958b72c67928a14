from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import CommunityViewSet, DeskView, GridCellViewSet, SummaryViewSet

router = SimpleRouter()
router.register("communities", CommunityViewSet, basename="community")
router.register("grid-cells", GridCellViewSet, basename="gridcell")
router.register("summaries", SummaryViewSet, basename="summary")

urlpatterns = [*router.urls, path("desk/", DeskView.as_view(), name="desk")]
