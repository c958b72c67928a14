"""Pages of the training app under /s/<station>/ (none yet: the training issue adds them)."""

app_name = "training"

urlpatterns: list = []
