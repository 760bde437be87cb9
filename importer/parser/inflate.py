"""A day file's bytes -> its JSON text: a raw zlib stream (a gzip container is read and reported),
inflated up to the cap and no further, so a decompression bomb costs no more than the cap."""
from __future__ import annotations

import zlib

from .limits import DEFAULT_MAX_BYTES, FILE_TOO_LARGE, GZIP_CONTAINER, TRUNCATED_ZLIB, ParsedFile


class _TooLarge(Exception):
    pass


def _inflate(raw: bytes, wbits: int, max_bytes: int) -> bytes:
    """Inflate a whole stream, producing at most `max_bytes` (a bomb costs no more than that)."""
    inflater = zlib.decompressobj(wbits)
    text = inflater.decompress(raw, max_bytes + 1)
    if len(text) > max_bytes:
        raise _TooLarge()
    if not inflater.eof:
        raise zlib.error("incomplete or truncated stream")
    return text


def decode(raw: bytes, parsed: ParsedFile, max_bytes: int = DEFAULT_MAX_BYTES):
    """The JSON text of a day file, or None (the problem recorded)."""
    try:
        try:
            return _inflate(raw, zlib.MAX_WBITS, max_bytes)
        except zlib.error as exc:
            if raw[:2] != b"\x1f\x8b":
                parsed.problem(TRUNCATED_ZLIB, f"zlib: {exc} ({len(raw)} bytes)")
                return None
        try:
            text = _inflate(raw, 16 + zlib.MAX_WBITS, max_bytes)
        except zlib.error as gz_exc:
            parsed.problem(TRUNCATED_ZLIB, f"gzip container, unreadable: {gz_exc}")
            return None
        parsed.problem(GZIP_CONTAINER, "gzip (RFC 1952) container, not a raw zlib stream; read anyway")
        return text
    except _TooLarge:
        parsed.problem(FILE_TOO_LARGE, f"decompresses to more than {max_bytes} bytes ({len(raw)} compressed); "
                                       "not read further")
        return None

