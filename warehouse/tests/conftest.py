"""Fixtures of the API tests, shared without importing them into each module."""
import pytest
import time_machine

from .test_api_data import NOW, api  # noqa: F401


@pytest.fixture
def frozen_now():
    """The clock stopped at test_api_data.NOW."""
    with time_machine.travel(NOW, tick=False):
        yield
