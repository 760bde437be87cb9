"""Production: secrets and the database come from the environment, with no default;
`manage.py check --deploy` is clean with the defaults below (HTTPS behind a proxy that sets
X-Forwarded-Proto, which themepark.wsgi trusts from FORWARDED_ALLOW_IPS). Static files are served by the app
(whitenoise) from STATIC_ROOT, filled by `manage.py collectstatic` (bin/serve runs it)."""
from .base import *  # noqa: F401,F403
from .base import DATABASE_REPLICA_URLS, MIDDLEWARE, SPECTACULAR_SETTINGS
from .databases import databases
from .env import env

SECRET_KEY = env("DJANGO_SECRET_KEY")
DATABASES = databases(env("DATABASE_URL"), DATABASE_REPLICA_URLS,
                      conn_max_age=env.int("DATABASE_CONN_MAX_AGE", default=60))
DEBUG = False

# HTTPS: every default is the secure one; a plain-HTTP test on loopback turns them off.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The proxies whose X-Forwarded-Proto marks a request HTTPS (themepark.wsgi.ForwardedProto; "*": any).
FORWARDED_ALLOW_IPS = env.list("FORWARDED_ALLOW_IPS", default=["127.0.0.1"])

# Static files from the app itself, compressed and with hashed names cached forever.
MIDDLEWARE = [*MIDDLEWARE]
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "whitenoise.middleware.WhiteNoiseMiddleware")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The OpenAPI schema is checked by the API contract tests, not at deploy time (`check --deploy`
# would otherwise generate it and warn about the staff API views documented by hand).
SPECTACULAR_SETTINGS = {**SPECTACULAR_SETTINGS, "ENABLE_DJANGO_DEPLOY_CHECK": False}
