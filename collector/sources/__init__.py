"""Clients of the live APIs: the only code in the project that calls them."""
from .http import NotFound, SourceError  # noqa: F401
