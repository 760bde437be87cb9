"""WSGI entry point: the Django application behind the cached-response front (themepark.api.front),
which answers repeated anonymous public API reads from memory before Django runs, behind the
trust of X-Forwarded-Proto from the local proxy (FORWARDED_ALLOW_IPS)."""
import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "themepark.settings.production")
django_application = get_wsgi_application()

from django.conf import settings  # noqa: E402 - loaded above

from themepark.api.front import CachedAPIFront  # noqa: E402 - needs the settings loaded above


class ForwardedProto:
    """`X-Forwarded-Proto: https` from a trusted proxy address (the connection's REMOTE_ADDR in
    `trusted`; "*" trusts every address) makes the request HTTPS (`wsgi.url_scheme`), as the proxy
    received it; from anyone else the header changes nothing. The server passes the connection as
    it is; Django's SECURE_PROXY_SSL_HEADER would believe the header from any client."""

    def __init__(self, app, trusted):
        self.app = app
        self.trusted = frozenset(trusted)
        self.everyone = "*" in self.trusted

    def __call__(self, environ, start_response):
        proto = environ.get("HTTP_X_FORWARDED_PROTO")
        if proto is not None and (self.everyone or environ.get("REMOTE_ADDR") in self.trusted):
            environ["wsgi.url_scheme"] = "https" if proto.strip().lower() == "https" else "http"
        return self.app(environ, start_response)


application = ForwardedProto(CachedAPIFront(django_application), getattr(settings, "FORWARDED_ALLOW_IPS", ()))
# What loading made (modules, settings, models, the front) lives as long as the process: kept out
# of the collector's generations, so its full collections walk only what requests leave behind.
gc.freeze()
