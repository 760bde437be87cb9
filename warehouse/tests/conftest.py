"""Fixtures of the API tests, shared without importing them into each module."""
import pytest
import time_machine
from django.core.cache import cache
from rest_framework.test import APIClient

from .api_data import NOW


@pytest.fixture
def api(db):
    """An API client with the response cache emptied."""
    cache.clear()
    return APIClient()


@pytest.fixture
def frozen_now():
    """The clock stopped at api_data.NOW."""
    with time_machine.travel(NOW, tick=False):
        yield
