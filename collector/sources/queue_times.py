"""Queue-Times.com (`QUEUE_TIMES_BASE_URL`): the park list and each park's queue times.
Shapes: docs/formats.md §8. Data shown from here needs the attribution
"Powered by Queue-Times.com" (themepark.constants.QUEUE_TIMES_ATTRIBUTION)."""
from __future__ import annotations

from django.conf import settings

from .http import JsonClient, shared_client


class QueueTimesClient:
    """One method per endpoint; every method returns the decoded JSON document."""

    def __init__(self, base_url: str | None = None, **options):
        self.http = JsonClient(base_url or settings.QUEUE_TIMES_BASE_URL, **options)

    def parks(self) -> list[dict]:
        """Operator groups, each with `parks[]` (coordinates are strings)."""
        return self.http.get_json("parks.json")

    def queue_times(self, park_id: int) -> dict:
        return self.http.get_json(f"parks/{int(park_id)}/queue_times.json")


def get_client() -> QueueTimesClient:
    """The process-wide client (lazy), so all threads share one requests-per-minute ceiling."""
    return shared_client(QueueTimesClient, settings.QUEUE_TIMES_BASE_URL)
