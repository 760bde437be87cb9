"""Runs of the jobs other apps own, for the health check and the admin dashboard, which must not
import those apps. An app that owns runs (or work waiting for staff) registers it here in its
AppConfig.ready(); readers ask by role. A role nobody registered reads as "not available".

Roles in use: "collection" (collector), "statistics" (warehouse), "import" and "mapping review"
(importer)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable


@dataclass(frozen=True)
class RunSource:
    """Where the runs of one role are kept. `model`'s rows print as one line each and may carry
    `status`, `started_at` and `finished_at`; `waiting_status` marks rows still waiting (imports in
    progress, mappings to review); `last_finished` answers "when did a run last bring data in"."""

    label: str
    model: type
    waiting_status: str = ""
    last_finished: Callable[[], datetime | None] | None = None


_sources: dict[str, RunSource] = {}


def runs_register(role: str, source: RunSource) -> None:
    _sources[role] = source


def runs_source(role: str) -> RunSource | None:
    return _sources.get(role)


def runs_last_finished(role: str) -> datetime | None:
    """When the last run of `role` that brought data in finished; None when there is none or the
    role is not registered."""
    source = _sources.get(role)
    if source is None or source.last_finished is None:
        return None
    return source.last_finished()
