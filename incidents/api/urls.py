from rest_framework.routers import SimpleRouter

from .views import MediationViewSet, ReportViewSet, ReturnVisitViewSet

router = SimpleRouter()
router.register("reports", ReportViewSet, basename="report")
router.register("mediations", MediationViewSet, basename="mediation")
router.register("return-visits", ReturnVisitViewSet, basename="returnvisit")

urlpatterns = router.urls
