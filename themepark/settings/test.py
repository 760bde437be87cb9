"""Test settings: a real MariaDB/MySQL server, as in production.

DATABASE_URL picks the server (default: root on 127.0.0.1:3306); TEST_DATABASE_NAME lets
parallel runs on one server keep apart. A sqlite:// URL runs the suite without the
MySQL-only tests (they are skipped from conftest.py).
"""
from .base import *  # noqa: F401,F403
from .databases import databases
from .env import env

# No replicas: the replica tests start their own primary and replica (themepark/tests/mariadb_cluster.py).
DATABASES = databases(env("DATABASE_URL", default="mysql://root:@127.0.0.1:3306/themepark"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":
    DATABASES["default"]["TEST"] = {
        "NAME": env("TEST_DATABASE_NAME", default="test_themepark"),
        "CHARSET": "utf8mb4",
        "COLLATION": "utf8mb4_unicode_ci",
    }
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "themepark.cache_backends.LocMemCache"}}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/min"}}  # noqa: F405
# themepark.wsgi.application without the front: its per-process store would outlive each test's data
# (themepark/tests/test_api_front.py builds fronts of its own).
API_FRONT_CACHE_MB = 0
# No look for statistics runs finished elsewhere (warehouse.cache): the queries a request makes do
# not depend on when it runs (test_api_query_counts); test_api_front turns it on where it tests it.
STATS_GENERATION_POLL_SECONDS = None
# Day files load one by one: most import tests watch a run file by file (pause, failures, lanes
# giving way). Grouped loads (IMPORT_LOAD_GROUP_ROWS, the production default) are tested where
# they set it: importer/tests/test_load_groups.py and the SIGKILL tests' child runs.
IMPORT_LOAD_GROUP_ROWS = env.int("IMPORT_LOAD_GROUP_ROWS", default=1)
