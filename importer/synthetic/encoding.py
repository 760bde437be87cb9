"""The archive's layout and encoding, as `archive.themeparks.wiki` has them.

A day file is `<destination-uuid>/<YYYY>/<MM>/<DD>.json.gz` holding a raw zlib stream (RFC 1950,
despite the name: `zlib.decompress` reads it, `gzip` does not) of compact UTF-8 JSON
`{"events":[...]}`, events in `eventTime` order, names with raw `™`, `®` and `’`. An event's keys
come in the order of the known real sample: entityId, internalId, name, data, eventTime
(UTC with milliseconds and `Z`), localTime (the same instant in park time, to the second, with
its offset), timezone, parkId, parkSlug.
"""
from __future__ import annotations

import json
import zlib
from datetime import date, datetime, timedelta

from .invented_parks import offset_text
from .day_simulation import EPOCH

LAYOUT = "<destination-uuid>/<YYYY>/<MM>/<DD>.json.gz"
ENCODING = "zlib stream (RFC 1950) holding UTF-8 compact JSON {\"events\": [...]}; not gzip"
PARTITIONS = {"utc": "file date = UTC date of eventTime", "local": "file date = park-local date of eventTime"}


def file_key(destination_id: str, day: date) -> str:
    return f"{destination_id}/{day:%Y/%m/%d}.json.gz"


def text_maker(partition: str):
    """A function (entity, name, park, dest, data text, ms, local poll time) -> (event JSON, file date)."""
    local_file = partition == "local"
    pieces = {}
    seconds = [None, "", "", None]  # (second, offset), eventTime head, localTime piece, file date

    def make(entity, name, park, dest, data_text, ms, local):
        key = (entity.entity_id, name)
        head_tail = pieces.get(key)
        if head_tail is None:
            head = (f'{{"entityId":"{entity.entity_id}","internalId":"{entity.internal_id}",'
                    f'"name":{json.dumps(name, ensure_ascii=False)},"data":')
            tail = f',"timezone":"{dest.zone}","parkId":"{park.park_id}","parkSlug":"{park.slug}"}}'
            head_tail = pieces[key] = (head, tail)
        second = ms // 1000
        if seconds[0] != (second, local.utcoffset()):  # events of one poll share their second, mostly
            offset = local.utcoffset()
            at = EPOCH + timedelta(seconds=second)
            local_at = (at + offset).replace(tzinfo=None)
            seconds[:] = [(second, offset), f"{at:%Y-%m-%dT%H:%M:%S}.", f'Z","localTime":"{local_at:%Y-%m-%dT%H:%M:%S}'
                          f'{offset_text(offset)}"', local_at.date() if local_file else at.date()]
        event = f'{head_tail[0]}{data_text},"eventTime":"{seconds[1]}{ms % 1000:03d}{seconds[2]}{head_tail[1]}'
        return event, seconds[3]

    return make


def payload(texts) -> bytes:
    return ('{"events":[' + ",".join(texts) + "]}").encode()


def compress(raw: bytes, level: int) -> bytes:
    return zlib.compress(raw, level)


def utc_text(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
