"""Where the warehouse reports what it finds wrong (observations refused by ingest) without
knowing who keeps the findings: the quality app registers its log's writer here in its
AppConfig.ready(). Each finding is the keyword arguments of quality_issue_record."""
from __future__ import annotations

from typing import Callable

_sinks: list[Callable[..., object]] = []


def problems_sink_register(sink: Callable[..., object]) -> None:
    if sink not in _sinks:
        _sinks.append(sink)


def problem_report(**finding) -> None:
    for sink in _sinks:
        sink(**finding)
