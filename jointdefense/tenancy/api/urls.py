from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import CommunityViewSet, DeskView, FiguresView, GridCellViewSet, RankingsView, SummaryViewSet

router = SimpleRouter()
router.register("communities", CommunityViewSet, basename="community")
router.register("grid-cells", GridCellViewSet, basename="gridcell")
router.register("summaries", SummaryViewSet, basename="summary")

urlpatterns = [
    *router.urls,
    path("desk/", DeskView.as_view(), name="desk"),
    path("figures/", FiguresView.as_view(), name="figures"),
    path("rankings/", RankingsView.as_view(), name="rankings"),
]
