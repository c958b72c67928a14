"""The training API, included under /api/s/<station>/ in the "api" namespace (none yet)."""

urlpatterns: list = []
