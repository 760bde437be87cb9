"""Content negotiation of the public API: DRF's, with its answer for the usual request (no
`Accept` or `Accept: */*`, no `format`) given without parsing media types: the first renderer
and its own media type, as `DefaultContentNegotiation.select_renderer` finds it then."""
from rest_framework.negotiation import DefaultContentNegotiation


class PublicContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        if (renderers and not format_suffix and request.META.get("HTTP_ACCEPT", "*/*") == "*/*"
                and not request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)):
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)
