from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.authtoken.views import obtain_auth_token

from incidents.urls import open311_urlpatterns
from jointdefense.core import views as core_views
from jointdefense.tenancy import views as tenancy_views

admin.site.site_header = _("Joint Defense Portal administration")
admin.site.site_title = _("Joint Defense Portal")

# Everything of one station lives under /s/<station>/ (pages) and /api/s/<station>/ (API);
# the tenancy middleware resolves the station from the ``station`` keyword.
station_pages = [
    path("", include("jointdefense.tenancy.urls")),
    path("", include("teams.urls")),
    path("", include("incidents.urls")),
    path("", include("patrols.urls")),
    path("", include("training.urls")),
]
# The API's documentation pages keep the strict policy (settings.CONTENT_SECURITY_POLICY), except
# that ReDoc's bundle injects its styles as <style> elements (styled-components) and runs its search
# in a worker made from a blob: URL. Swagger UI loads its start-up script from a URL of its own (the
# split view) and needs nothing more.
redoc = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": ["blob:"]})(
    SpectacularRedocView.as_view(url_name="api-schema")
)

station_api = [
    path("", include("jointdefense.tenancy.api.urls")),
    path("", include("teams.api.urls")),
    path("", include("incidents.api.urls")),
    path("", include("patrols.api.urls")),
    path("", include("training.api.urls")),
]

urlpatterns = [
    path("", tenancy_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/stations/", tenancy_views.station_switcher, name="stations"),
    path("accounts/", include("jointdefense.accounts.urls")),
    path("s/<slug:station>/", include(station_pages)),
    path("api/s/<slug:station>/", include((station_api, "api"), namespace="api")),
    path("api/auth/token/", obtain_auth_token, name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", redoc, name="api-redoc"),
    path("admin/", admin.site.urls),
    path("open311/v2/", include((open311_urlpatterns, "open311"))),
]
# No route serves MEDIA_URL, in development either: photos go out only through the views that check
# the viewer (incidents:photo, patrols:photo; jointdefense.core.photos.photo_response).
