"""The test suite: real PostgreSQL/PostGIS and Redis, fast password hashing, mail kept in memory."""

import os

from .base import *  # noqa: F403
from .base import env

# Under pytest-xdist each worker gets Redis databases of its own (pytest-django already gives each
# its own SQL database): gw0 uses 13-15, gw1 10-12, gw2 7-9, gw3 4-6. `make run` keeps 0 and 1.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
if _WORKER > 3:
    raise RuntimeError("the suite has Redis databases for 4 xdist workers at most: use -n 4 or fewer")
_DB = 13 - 3 * _WORKER

DEBUG = False
HEALTH_TOKEN = "test-health-token"
DEMO_DATA_ALLOWED = True
HEALTH_CACHE_SECONDS = 0  # each test sees the components as they are now
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "jointdefense.core.sms.LocmemBackend"
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": env("TEST_CACHE_URL", default=f"redis://127.0.0.1:6379/{_DB + 2}"),
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1, "IGNORE_EXCEPTIONS": True},
    }
}
# Redis databases of their own, so that a running `make run` (databases 0 and 1) and the suite
# never see each other's heartbeats, queues or cache.
REDIS_URL = env("TEST_REDIS_URL", default=f"redis://127.0.0.1:6379/{_DB}")
CELERY_BROKER_URL = env("TEST_CELERY_BROKER_URL", default=f"redis://127.0.0.1:6379/{_DB + 1}")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
