"""The API's rate limit, keyed on a client identity no client can choose.

DRF's throttles read `X-Forwarded-For` when `NUM_PROXIES` is unset, so any client could send a
new made-up address with each request and never be limited. Here the identity is the socket
address unless `NUM_PROXIES` (REST_FRAMEWORK setting, from the environment; default 0) says how
many proxies of ours stand in front: then it is the address the outermost of them saw, counted
from the right of `X-Forwarded-For` (entries further left were written by the client).
"""
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle


class ClientRateThrottle(AnonRateThrottle):
    """`anon` rate per client, the client being who the socket or our own proxies say it is."""

    def get_ident(self, request):
        if not api_settings.NUM_PROXIES:
            return request.META.get("REMOTE_ADDR", "")
        return super().get_ident(request)
