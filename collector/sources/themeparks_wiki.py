"""ThemeParks.wiki API v1 (`THEMEPARKS_WIKI_BASE_URL`): destinations, entity documents,
children, live data and schedules. Shapes: docs/formats.md §1-6."""
from __future__ import annotations

from django.conf import settings

from .http import JsonClient, shared_client


class ThemeParksWikiClient:
    """One method per endpoint; every method returns the decoded JSON document."""

    def __init__(self, base_url: str | None = None, **options):
        self.http = JsonClient(base_url or settings.THEMEPARKS_WIKI_BASE_URL, **options)

    def destinations(self) -> list[dict]:
        return self.http.get_json("destinations").get("destinations") or []

    def entity(self, entity_id: str) -> dict:
        return self.http.get_json(f"entity/{entity_id}")

    def children(self, entity_id: str) -> dict:
        return self.http.get_json(f"entity/{entity_id}/children")

    def live(self, entity_id: str) -> dict:
        return self.http.get_json(f"entity/{entity_id}/live")

    def schedule(self, entity_id: str) -> dict:
        return self.http.get_json(f"entity/{entity_id}/schedule")


def get_client() -> ThemeParksWikiClient:
    """The process-wide client (lazy), so all threads share one requests-per-minute ceiling."""
    return shared_client(ThemeParksWikiClient, settings.THEMEPARKS_WIKI_BASE_URL)
