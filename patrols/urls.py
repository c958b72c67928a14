"""Pages of the patrols app, under /s/<station>/. The field pages (patrols.urls_field) and the
planning pages are merged here."""

from .urls_field import field_urlpatterns

app_name = "patrols"

urlpatterns = [*field_urlpatterns]
