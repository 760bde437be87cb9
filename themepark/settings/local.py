"""Development and demo settings: SQLite by default, debug on."""
from .base import *  # noqa: F401,F403
from .env import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
