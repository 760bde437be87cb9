"""A synthetic copy of the ThemeParks.wiki archive, with its ground truth (`manage.py make_archive`).

It writes the real layout and encoding (`encoding`) for an invented world (`catalog`, `world`)
simulated poll by poll (`timeline`, `queues`), damages files on request (`corruption`) and
records in MANIFEST.json what an importer must store from it (`manifest`). The output depends
only on the options: the same options give byte-identical files and manifest. Memory stays
flat whatever the size: one destination is simulated at a time, a park-local day at a time,
and a file is written as soon as no later day can add to it.

Pure Python, no Django: the tests, the demo and the benchmarks all generate with it.
"""
from __future__ import annotations

import json
import multiprocessing
import random
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

from .invented_parks import ZONES, offset_changes, zone_order
from .corruption import DEFAULT_KINDS, EVENT_KINDS, KINDS, bad_events, broken_file
from .encoding import compress, file_key, payload, text_maker
from .manifest import Manifest
from .day_simulation import DestinationDay
from .world import build_destination

__all__ = ["DEFAULT_KINDS", "KINDS", "Options", "generate"]


@dataclass
class Options:
    seed: int = 1
    destinations: int = 2
    parks: int = 3
    rides: int = 30
    shows: int = 2
    scale: float = 1.0
    start: date = date(2024, 3, 9)  # the default range crosses the US daylight-saving change
    days: int = 3
    poll_minutes: int = 5
    level: int = 1
    partition: str = "utc"
    corrupt: int = 0
    corrupt_kinds: tuple = field(default=DEFAULT_KINDS)

    @property
    def last(self) -> date:
        return self.start + timedelta(days=self.days - 1)

    @property
    def ride_count(self) -> int:
        return max(1, round(self.rides * self.scale))

    @property
    def show_count(self) -> int:
        return round(self.shows * self.scale)

    def dates(self) -> list:
        return [self.start + timedelta(days=i) for i in range(self.days)]

    def args(self) -> dict:
        out = asdict(self)
        out.update(start=self.start.isoformat(), end=self.last.isoformat(), corrupt_kinds=list(self.corrupt_kinds))
        return out


def corruption_plan(options: Options) -> dict:
    """{(destination index, date): kind} for `corrupt` files picked by the seed, kinds in turn."""
    pairs = [(d, day) for d in range(options.destinations) for day in options.dates()]
    rng = random.Random(f"themepark-synthetic:{options.seed}:corrupt")
    picked = sorted(rng.sample(pairs, min(options.corrupt, len(pairs))))
    kinds = options.corrupt_kinds or DEFAULT_KINDS
    return {pair: kinds[i % len(kinds)] for i, pair in enumerate(picked)}


def generate(out, options: Options, progress=None, workers: int = 1) -> dict:
    """Write the archive under `out` and return its manifest (also written as MANIFEST.json).
    `progress(key, events)` is called after each file (in this process only, so not with
    `workers` > 1, where destinations are generated in that many processes: same bytes)."""
    out = Path(out)
    for kind in options.corrupt_kinds:
        if kind not in KINDS:
            raise ValueError(f"unknown corruption kind {kind!r}; known: {', '.join(KINDS)}")
    jobs = [(out, options, d) for d in range(options.destinations)]
    if workers > 1 and options.destinations > 1:
        pool = multiprocessing.get_context("spawn").Pool(min(workers, options.destinations))
        try:
            parts = pool.starmap(_destination, jobs)
        finally:
            pool.close()  # let the workers exit on their own (terminate() races their clean-up)
            pool.join()
    else:
        parts = [_destination(*job, progress=progress) for job in jobs]
    manifest = Manifest(options)
    for part in parts:
        manifest.absorb(part)
    document = manifest.document(options.args())
    (out / "MANIFEST.json").write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return document


def _destination(out, options, d, progress=None) -> Manifest:
    """Simulate and write destination `d`; its part of the manifest."""
    manifest, plan = Manifest(options), corruption_plan(options)
    rng = random.Random(f"themepark-synthetic:{options.seed}:{d}")
    dest = build_destination(rng, d, zone_order(options.start, options.last)[d % len(ZONES)], options,
                             options.start, options.days)
    manifest.add_destination(dest, offset_changes(dest.zone, options.start, options.last))
    simulation = DestinationDay(dest, rng, options, text_maker(options.partition))
    pending, todo = defaultdict(list), options.dates()
    first, last = options.start, options.last
    day = first - timedelta(days=1)
    while day <= last + timedelta(days=1):
        for event in simulation.run(day):
            if first <= event.file_date <= last:
                pending[event.file_date].append(event)
        # a local day's events fall between the day before and the day after (UTC or local): the
        # files of earlier dates are complete
        while todo and (todo[0] <= day - timedelta(days=2) or day > last):
            done = todo.pop(0)
            _write(out, manifest, dest, done, pending.pop(done, []), plan.get((d, done)), options, progress)
        day += timedelta(days=1)
    return manifest


def _write(out, manifest, dest, day, events, kind, options, progress):
    """Sort one file's events, damage them if planned, write the file and record it."""
    events.sort(key=lambda e: (e.ms, e.order))
    texts = [e.text for e in events]
    key = file_key(dest.destination_id, day)
    corruption = None
    rng = random.Random(f"themepark-synthetic:{options.seed}:{key}")  # damage leaves the simulation as it was
    if kind in EVENT_KINDS:
        texts, corruption = bad_events(kind, texts, rng)
        raw = compress(payload(texts), options.level)
    elif kind:
        raw, corruption = broken_file(kind, texts, rng, options.level)
    else:
        raw = compress(payload(texts), options.level)
    path = out / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    manifest.add_file(key, dest, day, events, len(texts), corruption)
    manifest.compressed_bytes += len(raw)
    if progress:
        progress(key, len(texts))
