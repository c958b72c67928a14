from rest_framework.routers import SimpleRouter

from .views import ReportViewSet, ReturnVisitViewSet

router = SimpleRouter()
router.register("reports", ReportViewSet, basename="report")
router.register("return-visits", ReturnVisitViewSet, basename="returnvisit")

urlpatterns = router.urls
