"""Production: secrets and the database come from the environment, with no default."""
from .base import *  # noqa: F401,F403
from .env import env

SECRET_KEY = env("DJANGO_SECRET_KEY")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"].setdefault("OPTIONS", {}).update(
    {"charset": "utf8mb4", "local_infile": 1, "init_command": "SET sql_mode='STRICT_TRANS_TABLES'"}
)
DEBUG = False
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
