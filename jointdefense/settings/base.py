"""Settings shared by every environment. Values come from the environment (12-factor);
the defaults work on a developer machine with local PostgreSQL/PostGIS and Redis."""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# keys that are published (this file, docker-compose.yml's old default): production refuses them
KNOWN_PUBLIC_SECRET_KEYS = frozenset(
    {
        "dev-insecure-key-change-me-3f9c1a7be2d64c0e9a8b7f6e5d4c3b2a",
        "change-me-to-a-long-random-string-before-going-live",
    }
)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-insecure-key-change-me-3f9c1a7be2d64c0e9a8b7f6e5d4c3b2a")
# seed_demo creates accounts with a published password: only where this is true (dev, tests)
DEMO_DATA_ALLOWED = env.bool("DJANGO_DEMO_DATA_ALLOWED", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "modeltranslation",  # must precede django.contrib.admin
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.forms",  # the widgets' own templates, for FORM_RENDERER below
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_gis",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "import_export",
    "leaflet",
    "django_htmx",
    "axes",
    "csp",
    "rules.apps.AutodiscoverRulesConfig",
    # cross-cutting apps of the project
    "jointdefense.core",
    "jointdefense.accounts",
    "jointdefense.tenancy",
    # domain apps
    "teams",
    "patrols",
    "incidents",
    "training",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (CONTENT_SECURITY_POLICY below) and Permissions-Policy on every
    # response, the refusals of the next two included
    "csp.middleware.CSPMiddleware",
    "jointdefense.core.middleware.PermissionsPolicyMiddleware",
    # refuses oversize bodies before anything reads them
    "jointdefense.core.middleware.RequestBodyLimitMiddleware",
    # refuses NUL characters in paths, queries and bodies (400) before a view sees them
    "jointdefense.core.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # resolves /s/<station>/, opens the tenant scope, the station's time zone and language
    "jointdefense.tenancy.middleware.TenantMiddleware",
    "jointdefense.core.middleware.PreferredLanguageMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jointdefense.urls"
WSGI_APPLICATION = "jointdefense.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jointdefense.tenancy.context_processors.portal",
            ],
        },
    },
]

# Widgets render through TEMPLATES, so that templates/leaflet/ overrides django-leaflet's drawing
# widget (whose inline script the Content-Security-Policy refuses) in the forms and the admin.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": env.db(
        "DATABASE_URL",
        default="postgis://postgres@127.0.0.1:5432/jointdefense",
        engine="django.contrib.gis.db.backends.postgis",
    )
}
DATABASES["default"]["ENGINE"] = "django.contrib.gis.db.backends.postgis"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 3
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": env("CACHE_URL", default="redis://127.0.0.1:6379/1"),
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": 1,
            "SOCKET_TIMEOUT": 1,
            # a cache outage must not take pages down
            "IGNORE_EXCEPTIONS": True,
        },
    }
}
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # must be first: refuses locked-out logins
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login guessing: django-axes locks a username+address pair after repeated failures.
# How many reverse proxies in front of the portal set X-Forwarded-For (docker-compose: nginx, 1).
# Only their entries are believed: with 0 the client's address is the connection's, whatever
# headers a client sends. Rate limits and the login lockout key on this address.
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXIES
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if TRUSTED_PROXIES else ("REMOTE_ADDR",)
)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "jointdefense.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
]
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en", "zh-hans")
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Photos are never served from MEDIA_URL: a view checks the viewer (core.photos.photo_response) and
# django-sendfile2 sends the file: read by Django here, handed to nginx in production (X-Accel-Redirect
# to the internal location SENDFILE_URL, which maps to MEDIA_ROOT: deploy/nginx.conf).
SENDFILE_BACKEND = env("SENDFILE_BACKEND", default="django_sendfile.backends.simple")
SENDFILE_ROOT = MEDIA_ROOT
SENDFILE_URL = "/protected-media"

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Joint Defense Portal <noreply@jointdefense.localhost>"
)

# ---- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "jointdefense.core.renderers.BrowsableAPIRenderer",  # relaxes the CSP for style attributes
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "jointdefense.core.api.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "jointdefense.core.api.exception_handler",
    # the client address DRF throttles on: X-Forwarded-For only as far as TRUSTED_PROXIES go
    "NUM_PROXIES": TRUSTED_PROXIES,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_ANON_THROTTLE", default="60/minute"),
        "user": env("API_USER_THROTTLE", default="600/minute"),
        # anonymous page submissions (jointdefense.core.throttling)
        "volunteer_apply": env("APPLY_THROTTLE", default="10/hour"),
        "report_submit": env("REPORT_THROTTLE", default="20/hour"),
        # additions and ratings on a tracking page
        "track_update": env("TRACK_UPDATE_THROTTLE", default="30/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Joint Defense Portal API",
    "DESCRIPTION": "Tenant-scoped JSON API of the Joint Defense Portal. Station resources live under "
    "/api/s/{station}/; geometries are GeoJSON (WGS 84).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ReportStatusEnum": "incidents.models.Report.Status",
        "MediationStatusEnum": "incidents.models.Mediation.Status",
        "MediationKindEnum": "incidents.models.Mediation.Kind",
        "MediationOutcomeEnum": "incidents.api.serializers.MEDIATION_OUTCOMES",
        "PatrolStatusEnum": "patrols.models.Patrol.Status",
        "ReportSourceEnum": "incidents.models.Report.Source",
        "SignupSourceEnum": "patrols.models.Signup.Source",
        "ScheduleKindEnum": "patrols.models.Schedule.Kind",
        "CourseKindEnum": "training.models.Course.Kind",
        "EnrolmentResultEnum": "training.models.Enrolment.Result",
        "GivenResultEnum": "training.api.serializers.GIVEN_RESULTS",
        "TeamTypeEnum": "teams.models.Team.Type",
        "VolunteerRoleEnum": "teams.models.VolunteerRole",
    },
}

# ---- Maps -------------------------------------------------------------------------------------
MAP_TILES_URL = env("MAP_TILES_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_ATTRIBUTION = env("MAP_ATTRIBUTION", default="&copy; OpenStreetMap contributors")
LEAFLET_CONFIG = {
    "TILES": [("OpenStreetMap", MAP_TILES_URL, {"attribution": MAP_ATTRIBUTION, "maxZoom": 19})],
    "DEFAULT_CENTER": (34.7466, 113.6253),
    "DEFAULT_ZOOM": 13,
    "RESET_VIEW": False,
    "NO_GLOBALS": False,
}


def map_tile_source(url: str) -> str | None:
    """The CSP source of a Leaflet tile URL template: its scheme and host, a ``{s}`` subdomain as
    ``*.``; None for tiles the portal serves itself (covered by 'self')."""
    parts = urlsplit(url)
    if not parts.netloc:
        return None
    host, _colon, port = parts.netloc.partition(":")
    labels = host.split(".")
    if "{" in labels[0]:
        labels[0] = "*"
    host = ".".join(labels)
    if "{" in host:
        raise ValueError(f"MAP_TILES_URL: a placeholder may only stand first in the host name: {url}")
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


# ---- Content-Security-Policy (django-csp) and Permissions-Policy ----------------------------------
# No inline script or style anywhere: pages load their code from /static/ and hand it data with
# json_script (type application/json, which is not run). The maps load tiles from MAP_TILES_URL's
# host. Only the API's documentation pages relax this (jointdefense/urls.py, with csp_update).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:", *filter(None, [map_tile_source(MAP_TILES_URL)])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF],  # the patrols' service worker
        "frame-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
# Browser features: location for the portal's own pages (check-ins, the report's "use my
# location"); photos are taken through the file picker, which needs no camera permission.
PERMISSIONS_POLICY = {
    "geolocation": ["self"],
    "camera": [],
    "microphone": [],
    "payment": [],
    "usb": [],
    "serial": [],
    "hid": [],
    "midi": [],
    "magnetometer": [],
    "gyroscope": [],
    "accelerometer": [],
    "display-capture": [],
    "fullscreen": ["self"],
    "browsing-topics": [],
}

# ---- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must never hold a request for long when Redis is away.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "socket_timeout": 2,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BEAT_SCHEDULE = {
    # nightly (19:30 UTC is 03:30 in China): the next four weeks of shifts of every active schedule
    "generate-shifts": {"task": "patrols.generate_shifts", "schedule": crontab(hour=19, minute=30)},
    "beat-heartbeat": {"task": "core.beat_heartbeat", "schedule": 30.0},
    "relay-outbox": {"task": "core.relay_outbox", "schedule": 10.0},
    "return-visit-alerts": {"task": "incidents.return_visit_alerts", "schedule": 15 * 60.0},
    # each station's weekly summary from Monday 08:00 in its own time zone (tenancy.summaries)
    "weekly-summaries": {"task": "tenancy.weekly_summaries", "schedule": 15 * 60.0},
    "erase-old-contacts": {"task": "incidents.erase_old_contacts", "schedule": 6 * 60 * 60.0},
    "erase-delivery-recipients": {"task": "core.erase_delivery_recipients", "schedule": 6 * 60 * 60.0},
    "patrol-shift-reminders": {"task": "patrols.shift_reminders", "schedule": 5 * 60.0},
    "patrol-shift-end-alerts": {"task": "patrols.shift_end_alerts", "schedule": 15 * 60.0},
    "patrol-award-points-sweep": {"task": "patrols.award_points_sweep", "schedule": 30 * 60.0},
    # volunteer imports stuck past the task time limit: failed, their files (ID numbers) erased
    "fail-stuck-imports": {"task": "teams.fail_stuck_imports", "schedule": 10 * 60.0},
    # training: expiry notices (30 and 7 days before, and on expiry) and the day-before reminders
    "training-expiry-notices": {"task": "training.certificate_expiry_notices", "schedule": 60 * 60.0},
    "training-session-reminders": {"task": "training.session_reminders", "schedule": 15 * 60.0},
    # training compliance kept per station and day: today's again, yesterday's closed at its end
    "training-compliance-counts": {"task": "training.compliance_counts", "schedule": 15 * 60.0},
}
BEAT_HEARTBEAT_MAX_AGE = 120  # seconds after which /healthz reports beat as stale
# each worker writes its heartbeat this often; /healthz counts one older than the max age as gone
WORKER_HEARTBEAT_SECONDS = env.float("WORKER_HEARTBEAT_SECONDS", default=10.0)
WORKER_HEARTBEAT_MAX_AGE = env.float("WORKER_HEARTBEAT_MAX_AGE", default=45.0)
# how long before a shift its signed-up volunteers are reminded by e-mail
PATROL_REMINDER_MINUTES = env.int("PATROL_REMINDER_MINUTES", default=120)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# ---- Patrols -------------------------------------------------------------------------------------
# volunteers may withdraw from a shift until this many hours before it starts (officers any time)
PATROL_WITHDRAWAL_CUTOFF_HOURS = env.int("PATROL_WITHDRAWAL_CUTOFF_HOURS", default=12)

DEMO_PASSWORD = env("DEMO_PASSWORD", default="jointdefense-demo")
# the portal's public address, for links in e-mails sent by the workers
# text messages (jointdefense.core.sms): console in development, an HTTP gateway in production
SMS_BACKEND = env("SMS_BACKEND", default="jointdefense.core.sms.ConsoleBackend")
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env("SMS_GATEWAY_TOKEN", default="")
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
# messages anyone can cause (receipts and updates to reporters, password resets) per recipient and
# day; more are refused, not retried (core.services)
MAX_SMS_PER_RECIPIENT_PER_DAY = env.int("MAX_SMS_PER_RECIPIENT_PER_DAY", default=5)
MAX_EMAILS_PER_RECIPIENT_PER_DAY = env.int("MAX_EMAILS_PER_RECIPIENT_PER_DAY", default=10)
# days a delivery keeps its recipient; unset: the shortest contact_retention_days of any station
DELIVERY_RETENTION_DAYS = env.int("DELIVERY_RETENTION_DAYS", default=None)
# Uploads: a report takes 5 photos of at most 10 MB (core.photos); anything bigger is refused
# before it is read, and no request carries more than a handful of files or form fields.
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_BYTES", default=60 * 2**20)
DATA_UPLOAD_MAX_NUMBER_FILES = 10
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 2**20  # the non-file part of a body
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 2**20  # larger files go to a temporary file while parsed
# /healthz: the components' details only for staff or ``Authorization: Bearer <HEALTH_TOKEN>``
# (empty: no token works); the report is recomputed at most every HEALTH_CACHE_SECONDS per process
HEALTH_TOKEN = env("HEALTH_TOKEN", default="")
HEALTH_CACHE_SECONDS = env.float("HEALTH_CACHE_SECONDS", default=5.0)

# GDAL 3.6 (Debian 12) cannot block file and network access. The portal never hands user input to
# GDAL as a file or a spatial reference: coordinates are parsed as numbers and geometries as GeoJSON
# by GEOS (see DESIGN.md, "Bad input and faults"), so the warning is acknowledged here.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]
