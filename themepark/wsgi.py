"""WSGI entry point: the Django application behind the cached-response front (themepark.api.front),
which answers repeated anonymous public API reads from memory before Django runs."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "themepark.settings.production")
django_application = get_wsgi_application()

from themepark.api.front import CachedAPIFront  # noqa: E402 - needs the settings loaded above

application = CachedAPIFront(django_application)
