"""Settings shared by every environment. Every variable is listed in `.env.example`."""
from .databases import databases
from .env import BASE_DIR, env

# GENERAL
# ------------------------------------------------------------------------------
SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-dev-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# Everything is stored and computed in UTC; park-local days are derived from Park.timezone.
TIME_ZONE = "UTC"
USE_TZ = True
LANGUAGE_CODE = "en-us"
USE_I18N = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "themepark.urls"
WSGI_APPLICATION = "themepark.wsgi.application"

# DATABASES
# ------------------------------------------------------------------------------
# SQLite is the embedded default for the demo; production and the tests use MySQL/MariaDB.
# DATABASE_REPLICA_URLS adds read replicas (replica_0, ...): themepark.db_router sends the public
# API's reads to a healthy one (lag at most REPLICA_MAX_LAG_SECONDS, probed every
# REPLICA_CHECK_SECONDS) and everything else to `default`.
DATABASE_REPLICA_URLS = env.list("DATABASE_REPLICA_URLS", default=[])
DATABASES = databases(env("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"), DATABASE_REPLICA_URLS,
                      conn_max_age=env.int("DATABASE_CONN_MAX_AGE", default=0))
DATABASE_ROUTERS = ["themepark.db_router.ReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=30.0)
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=5.0)

# APPS
# ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files: /api/docs/ works offline
    "corsheaders",
    "django_crontab",
    "themepark",
    "collector",
    "warehouse",
    "importer",
    "quality",
]

MIDDLEWARE = [
    # One structured log line and one latency sample per request; outermost, so it times everything.
    "themepark.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Public API reads on a healthy replica; the rest (and a failed replica's requests) on the primary.
    "themepark.middleware.ReplicaRoutingMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

STATIC_URL = "static/"
STATIC_ROOT = env("STATIC_ROOT", default="") or str(BASE_DIR / "staticfiles")

# CACHES
# ------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "themepark.cache_backends.LocMemCache"}}
API_CACHE_SECONDS = env.int("API_CACHE_SECONDS", default=300)
# Without a shared cache, how often each process looks for statistics runs finished elsewhere
# (warehouse.cache): a run in another process reaches its cached answers within this time.
STATS_GENERATION_POLL_SECONDS = env.float("STATS_GENERATION_POLL_SECONDS", default=1.0)
# Each server process keeps finished public API responses in memory (themepark.api.front, wrapped
# around the app in themepark.wsgi) and answers identical anonymous requests before Django runs;
# this bounds that memory per process. 0 turns it off.
API_FRONT_CACHE_MB = env.int("API_FRONT_CACHE_MB", default=64)

# API
# ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # DRF's JSON bytes, written by orjson where it writes the same (themepark/api/renderers.py).
    "DEFAULT_RENDERER_CLASSES": ["themepark.api.renderers.FastJSONRenderer"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["themepark.api.throttling.ClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env("API_ANON_RATE", default="120/min")},
    "EXCEPTION_HANDLER": "themepark.api.exceptions.api_exception_handler",
    # The throttle's client identity: the socket address, or with N proxies in front (each
    # appending to X-Forwarded-For) the address the outermost one saw. Never a client's own header.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "themepark API",
    "DESCRIPTION": "Ride downtime, shame scores and wait times from every recorded observation.",
    "VERSION": "1.0.0",
    "ENUM_NAME_OVERRIDES": {"AlertEventTypeEnum": "collector.models.AlertEventType"},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# Exports (/api/export/...) have their own budget per client, apart from `anon`.
API_EXPORT_RATE = env("API_EXPORT_RATE", default="30/hour")
# https://github.com/adamchainz/django-cors-headers#configuration
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])

# COLLECTION
# ------------------------------------------------------------------------------
THEMEPARKS_WIKI_BASE_URL = env("THEMEPARKS_WIKI_BASE_URL", default="https://api.themeparks.wiki/v1")
QUEUE_TIMES_BASE_URL = env("QUEUE_TIMES_BASE_URL", default="https://queue-times.com")
# Minutes between live polls; a LIVE observation holds for 3 intervals (docs/metrics.md §2).
COLLECTION_INTERVAL_MINUTES = env.int("COLLECTION_INTERVAL_MINUTES", default=5)
HTTP_TIMEOUT_SECONDS = env.float("HTTP_TIMEOUT_SECONDS", default=10.0)
HTTP_MAX_RETRIES = env.int("HTTP_MAX_RETRIES", default=3)
HTTP_REQUESTS_PER_MINUTE = env.int("HTTP_REQUESTS_PER_MINUTE", default=300)
COLLECTOR_CONCURRENCY = env.int("COLLECTOR_CONCURRENCY", default=8)
HTTP_USER_AGENT = env("HTTP_USER_AGENT", default="themepark-warehouse/1.0 (ride downtime statistics)")

# Alert webhooks (collector.alerts): attempts before a delivery is dead-lettered, the exponential
# backoff between attempts (base doubling each attempt, capped), and the timeout of each request.
ALERT_MAX_ATTEMPTS = env.int("ALERT_MAX_ATTEMPTS", default=8)
ALERT_BACKOFF_SECONDS = env.float("ALERT_BACKOFF_SECONDS", default=30.0)
ALERT_BACKOFF_MAX_SECONDS = env.float("ALERT_BACKOFF_MAX_SECONDS", default=3600.0)
ALERT_TIMEOUT_SECONDS = env.float("ALERT_TIMEOUT_SECONDS", default=5.0)

# IMPORT
# ------------------------------------------------------------------------------
ARCHIVE_SOURCE = env("ARCHIVE_SOURCE", default="s3://archive.themeparks.wiki")
# Points boto3 at another S3-compatible endpoint (a mirror, or a local test server).
ARCHIVE_S3_ENDPOINT_URL = env("ARCHIVE_S3_ENDPOINT_URL", default="") or None
ARCHIVE_S3_REGION = env("ARCHIVE_S3_REGION", default="us-east-1")
FUZZY_AUTO_SCORE = env.int("FUZZY_AUTO_SCORE", default=90)
FUZZY_REVIEW_SCORE = env.int("FUZZY_REVIEW_SCORE", default=70)
# Day files loaded at once on MySQL, each on its own connection; commits stay in file order.
IMPORT_LOAD_LANES = env.int("IMPORT_LOAD_LANES", default=2)
# Consecutive day files are loaded together, in one transaction, until they hold this many events
# (1: each file on its own). Fewer, larger loads cost the server less (docs/import.md).
IMPORT_LOAD_GROUP_ROWS = env.int("IMPORT_LOAD_GROUP_ROWS", default=60_000)
# A day file that decompresses to more than this is refused (read up to the cap, no further).
IMPORT_MAX_FILE_MB = env.int("IMPORT_MAX_FILE_MB", default=512)

# WAREHOUSE
# ------------------------------------------------------------------------------
# Rows per batch in warehouse.ingest; large batches amortise the round trip.
INGEST_BATCH_SIZE = env.int("INGEST_BATCH_SIZE", default=20000)
# auto: LOAD DATA LOCAL INFILE on MySQL when the server allows it, else multi-row INSERT IGNORE.
INGEST_METHOD = env("INGEST_METHOD", default="auto")
PARTITION_MONTHS_AHEAD = env.int("PARTITION_MONTHS_AHEAD", default=3)
# Processes a statistics run spreads its parks over (MySQL; SQLite always uses one).
STATS_WORKERS = env.int("STATS_WORKERS", default=2)

# JOBS
# ------------------------------------------------------------------------------
# Lease of a job lock (themepark.locks): its holder renews it every third of this; a holder that
# dies frees its lock at most this long after.
JOB_LOCK_LEASE_SECONDS = env.float("JOB_LOCK_LEASE_SECONDS", default=60.0)
# How long an import waits for the statistics lock of its parks (a scheduled run may hold it).
STATS_LOCK_WAIT_SECONDS = env.float("STATS_LOCK_WAIT_SECONDS", default=600.0)

# STORAGE
# ------------------------------------------------------------------------------
STORAGE_CAPACITY_GB = env.float("STORAGE_CAPACITY_GB", default=100.0)

# SCHEDULE (django-crontab: `manage.py crontab add|show|remove`)
# ------------------------------------------------------------------------------
# No CRONTAB_LOCK_JOBS: each job takes its own lock (themepark.locks) and a refused run exits non-zero.
_CRON_SETTINGS = env("DJANGO_SETTINGS_MODULE", default="themepark.settings.production")
CRONTAB_COMMAND_PREFIX = f"DJANGO_SETTINGS_MODULE={_CRON_SETTINGS}"
CRONJOBS = [
    # On the first of every month at 03:30 UTC: keep monthly partitions ahead.
    ("30 3 1 * *", "django.core.management.call_command", ["manage_partitions"]),
    # Every COLLECTION_INTERVAL_MINUTES minutes (default 5; 1..59): live status and queues of every park.
    (f"*/{COLLECTION_INTERVAL_MINUTES} * * * *", "django.core.management.call_command", ["collect_snapshots"]),
    # Daily at 02:10 UTC: the catalog (destinations, parks, lands, rides) from both sources.
    ("10 2 * * *", "django.core.management.call_command", ["sync_parks"]),
    # Daily at 02:40 UTC: the next 30 days of park schedules (open windows).
    ("40 2 * * *", "django.core.management.call_command", ["sync_schedules"]),
    # Daily at 03:10 UTC: attraction metadata, with version history.
    ("10 3 * * *", "django.core.management.call_command", ["sync_metadata"]),
    # Every 10 minutes: statistics of the park days in progress (and those just ended), then live state.
    ("*/10 * * * *", "django.core.management.call_command", ["aggregate_stats"]),
    # Hourly at minute 35: recompute the park days of the last 35 days whose observations changed
    # after their figures were computed (an import killed before its statistics, a late file);
    # waits up to 5 minutes for parks a run still holds.
    ("35 * * * *", "django.core.management.call_command", ["aggregate_stats", "--check", "--repair", "--wait", "300"]),
    # Hourly at minute 20: record gaps of the last 48 hours in the quality log (extends, never duplicates).
    ("20 * * * *", "django.core.management.call_command", ["detect_gaps"]),
    # Every minute: post new and due alert deliveries to their webhooks (retries wait their backoff).
    ("* * * * *", "django.core.management.call_command", ["deliver_alerts"]),
    # Daily at 02:45 UTC: measure table and partition sizes (one StorageMetrics row per table per day).
    ("45 2 * * *", "django.core.management.call_command", ["measure_storage"]),
    # Weekly on Monday at 03:40 UTC: tiers by rule for every attraction staff have not set (docs/metrics.md §7).
    ("40 3 * * 1", "django.core.management.call_command", ["classify_rides"]),
]

# LOGGING
# ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
                   "message": {"format": "%(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"},
                 "requests": {"class": "logging.StreamHandler", "formatter": "message"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
    # One JSON object per request (themepark.middleware.RequestLogMiddleware); WARNING silences them.
    "loggers": {"themepark.request": {"handlers": ["requests"], "level": env("REQUEST_LOG_LEVEL", default="INFO"),
                                      "propagate": False}},
}

# OPERATIONS
# ------------------------------------------------------------------------------
# /metrics (Prometheus) answers staff sessions and these addresses or networks (e.g. 10.0.0.0/8).
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])
