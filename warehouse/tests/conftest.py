"""Fixtures of the API tests, shared without importing them into each module."""
from .test_api_data import api  # noqa: F401
