"""MANIFEST.json: the ground truth an import of the generated archive must reproduce.

Per file: events written, valid events (what an importer must keep: all rules passed, repeats
once) and the observation rows they make (one snapshot row per valid event, one queue row per
queue type in its `data.queue`); per entity: its valid events and queue rows; the corruption of
each damaged file; and totals. A file made unreadable keeps what it would have held under
`intended_valid_events` / `intended_queue_rows` (a gzip container is one our importer reads).
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from .invented_parks import UTC
from .encoding import ENCODING, LAYOUT, PARTITIONS, utc_text

VALIDATION_RULES = {
    "file": "readable iff zlib.decompress() succeeds and the text parses as a JSON object whose 'events' member "
            "is an array; otherwise the file has 0 valid events",
    "event": ["is a JSON object", "entityId: non-empty string", "name: string",
              "eventTime: string YYYY-MM-DDTHH:MM:SS(.fff)Z, not later than reference_time",
              "data: object with data.status in OPERATING|DOWN|CLOSED|REFURBISHMENT",
              "timezone: string; parkId: string",
              "every queue.<TYPE>.waitTime present is null or a number in 0..600"],
    "duplicates": "an event identical to an earlier event in the same file (same entityId and eventTime) is not "
                  "counted again",
    "counting": "valid_events per file counts events passing all rules, duplicates once; each valid event is one "
                "ride_status_snapshots row and one queue_data row per queue type in data.queue",
}


class Manifest:
    def __init__(self, options):
        self.options = options
        self.destinations, self.files, self.corrupted = [], {}, []
        self.entities = {}  # entity id -> manifest entry
        self.events_written = self.compressed_bytes = 0

    def reference_time(self) -> datetime:
        return datetime.combine(self.options.last + timedelta(days=2), time(), UTC)

    def add_destination(self, dest, offset_changes):
        self.destinations.append({
            "id": dest.destination_id, "name": dest.name, "slug": dest.slug, "timezone": dest.zone,
            "style": dest.style, "currency": dest.currency, "utc_offset_changes_in_range": offset_changes,
            "parks": [{"id": p.park_id, "name": p.name, "slug": p.slug, "kind": p.kind, "internalId": p.internal_id,
                       "hours_local": f"{p.open_hour:02d}:00-{p.close_hour:02d}:00 (varies)",
                       "closed": "Mondays, Tuesdays and winter months" if p.kind == "water" else None}
                      for p in dest.parks]})
        for park in dest.parks:
            for entity in park.rides + park.shows:
                self.entities[entity.entity_id] = _entity_entry(entity, park, dest)

    def add_file(self, key, dest, day, events, written, corruption):
        """`events`: the file's good events; `written`: how many events the file holds in all."""
        rows = sum(e.queue_rows for e in events)
        entry = {"destinationId": dest.destination_id, "date": day.isoformat(), "events_written": written,
                 "valid_events": len(events), "queue_rows": rows, "corruption": corruption}
        if corruption and corruption["kind"] in ("truncated_zlib", "invalid_json", "wrong_top_level_type",
                                                 "gzip_container"):
            entry.update(events_written=0 if corruption["kind"] != "gzip_container" else written, valid_events=0,
                         queue_rows=0, intended_valid_events=len(events), intended_queue_rows=rows)
        else:
            for event in events:
                counts = self.entities[event.entity_id]
                counts["valid_events"] += 1
                counts["queue_rows"] += event.queue_rows
        if corruption:
            self.corrupted.append({"path": key, "kind": corruption["kind"], "valid_events": entry["valid_events"],
                                   **{k: v for k, v in corruption.items() if k != "kind"}})
        self.files[key] = entry
        self.events_written += entry["events_written"]

    def absorb(self, part: "Manifest"):
        """Add another manifest's destinations, entities and files (one destination generated apart)."""
        self.destinations += part.destinations
        self.entities.update(part.entities)
        self.files.update(part.files)
        self.corrupted += part.corrupted
        self.events_written += part.events_written
        self.compressed_bytes += part.compressed_bytes

    def document(self, args: dict) -> dict:
        valid = sum(f["valid_events"] for f in self.files.values())
        return {
            "generator": "importer.synthetic (manage.py make_archive)", "generator_version": 1, "synthetic": True,
            "args": args, "layout": LAYOUT, "encoding": ENCODING, "partition": PARTITIONS[self.options.partition],
            "reference_time": utc_text(self.reference_time()), "validation_rules": VALIDATION_RULES,
            "destinations": self.destinations, "rides": list(self.entities.values()), "files": self.files,
            "corrupted_files": self.corrupted,
            "totals": {"files": len(self.files), "corrupted_files": len(self.corrupted),
                       "events_written": self.events_written, "valid_events": valid,
                       "invalid_or_duplicate_events": sum(c.get("invalid_events", 0) for c in self.corrupted),
                       "valid_events_by_entity_sum": sum(e["valid_events"] for e in self.entities.values()),
                       "queue_rows": sum(f["queue_rows"] for f in self.files.values()),
                       "compressed_bytes": self.compressed_bytes},
        }


def _entity_entry(entity, park, dest) -> dict:
    entry = {"entityId": entity.entity_id, "internalId": entity.internal_id, "name": entity.name,
             "entityType": entity.entity_type, "parkId": park.park_id, "parkName": park.name, "parkSlug": park.slug,
             "destinationId": dest.destination_id, "destinationName": dest.name, "valid_events": 0, "queue_rows": 0}
    if entity.entity_type == "SHOW":
        entry["showtimes_style"] = ("future-only, startTime == endTime" if dest.style == "universal"
                                    else f"whole day, endTime = startTime + {entity.show_minutes} min")
        return entry
    entry["queues"] = list(entity.queues)
    if entity.renamed:
        entry["name"] = entity.renamed[0]
        entry["names"] = [{"name": entity.name, "from": None},
                          {"name": entity.renamed[0], "from": entity.renamed[1].strftime("%Y-%m-%dT%H:%M:%SZ")}]
    if entity.refurbishment:
        entry["refurbishment"] = {"from_local_date": entity.refurbishment[0].isoformat(), "from_local_time": "06:00",
                                  "to_local_date": entity.refurbishment[1].isoformat()}
    if entity.price is not None:
        entry["price"] = {"amount": entity.price, "currency": dest.currency}
    if entity.wait_always_null:
        entry["waitTime_always_null"] = True
    return entry
