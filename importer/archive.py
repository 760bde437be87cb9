"""The archive as a list of day files: public S3 (unsigned boto3) or a local folder, same layout.

Keys are `<destination-uuid>/<YYYY>/<MM>/<DD>.json.gz`. This module only lists and reads bytes;
it needs no Django, so parse workers in other processes can use it. S3 calls go through
botocore's own retries (standard mode) plus one outer loop with backoff that also covers
reading the body; a key that still fails raises `ArchiveReadError`.

Destinations are UUIDs: a requested one of another shape is refused (`InvalidDestination`), and a
listed folder or prefix of another shape is skipped and reported. In a local folder nothing is
read from outside it (a destination, folder or file whose real path leaves it is skipped and
reported), and a folder that cannot be read is reported, never skipped silently: the reports go
to the `problems` list the caller passes (path, reason).
"""
from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

KEY_RE = re.compile(r"^(?P<dest>[^/]+)/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})\.json\.gz$")
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
READ_ATTEMPTS = 4
BACKOFF_SECONDS = 0.5
_clients: dict = {}


class SourceUnreachable(Exception):
    """The archive cannot be listed at all."""


class ArchiveReadError(Exception):
    """One file could not be read after retries."""


class ArchiveTooLarge(ArchiveReadError):
    """The stored (compressed) file alone is larger than a day file may decompress to."""


class InvalidDestination(ValueError):
    """A requested destination id is not UUID-shaped."""


def destination_valid(value) -> bool:
    return isinstance(value, str) and bool(UUID_RE.match(value))


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError, RuntimeError):  # elsewhere, or a symlink loop
        return False
    return True


def _children(folder: Path, problems) -> list:
    try:
        return sorted(folder.iterdir())
    except OSError as exc:
        problems.append((str(folder), f"folder cannot be read: {exc.strerror or exc}"))
        return []


@dataclass(frozen=True)
class ArchiveFile:
    key: str
    destination_id: str
    day: date


@dataclass(frozen=True)
class ArchiveSource:
    """`location` is `s3://bucket[/prefix]` or a directory path."""

    location: str
    endpoint_url: str | None = None
    region: str = "us-east-1"

    @property
    def is_s3(self) -> bool:
        return self.location.startswith("s3://")

    @property
    def bucket_and_prefix(self):
        bucket, _, prefix = self.location[5:].partition("/")
        return bucket, (prefix.strip("/") + "/") if prefix.strip("/") else ""

    # -- listing ---------------------------------------------------------------------------
    def list_files(self, *, destinations=None, start: date | None = None, end: date | None = None,
                   problems: list | None = None):
        """Day files in key order (destination, then date), filtered by destination and date;
        what was skipped is appended to `problems` as (path, reason)."""
        problems = [] if problems is None else problems
        bad = [d for d in destinations or () if not destination_valid(d)]
        if bad:
            raise InvalidDestination(f"not a destination id (a UUID): {', '.join(map(repr, bad))}")
        try:
            dests = sorted(destinations) if destinations else self._list_destinations(problems)
            files = []
            for dest in dests:
                files.extend(f for f in self._list_keys(dest, start, problems)
                             if (start is None or f.day >= start) and (end is None or f.day <= end))
        except (OSError, ArchiveReadError) as exc:
            raise SourceUnreachable(f"cannot list {self.location}: {exc}") from exc
        except Exception as exc:  # botocore errors have no common base worth importing here
            if exc.__class__.__module__.startswith(("botocore", "boto3")):
                raise SourceUnreachable(f"cannot list {self.location}: {exc}") from exc
            raise
        return sorted(files, key=lambda f: f.key)

    def check(self) -> None:
        """Raise SourceUnreachable unless the source can be listed (one cheap call)."""
        if self.is_s3:
            try:
                self._list_destinations([])
            except Exception as exc:
                raise SourceUnreachable(f"cannot list {self.location}: {exc}") from exc
            return
        root = Path(self.location)
        if not root.is_dir() or not os.access(root, os.R_OK | os.X_OK):
            raise SourceUnreachable(f"{self.location} is not a readable directory")

    def _list_destinations(self, problems):
        if not self.is_s3:
            root = Path(self.location)
            if not root.is_dir():
                raise SourceUnreachable(f"{self.location} is not a directory")
            names = [p.name for p in root.iterdir() if p.is_dir()]
        else:
            bucket, prefix = self.bucket_and_prefix
            pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix,
                                                                            Delimiter="/")
            names = [cp["Prefix"][len(prefix):].strip("/") for page in pages for cp in page.get("CommonPrefixes", [])]
        for name in names:
            if not destination_valid(name):
                problems.append((name, "not a destination id (a UUID): skipped"))
        return sorted(name for name in names if destination_valid(name))

    def _list_keys(self, dest, start, problems):
        if not self.is_s3:
            yield from self._local_keys(dest, problems)
            return
        bucket, prefix = self.bucket_and_prefix
        params = {"Bucket": bucket, "Prefix": f"{prefix}{dest}/"}
        if start:  # keys sort by date within a destination: skip what is older than the range
            params["StartAfter"] = f"{prefix}{dest}/{start.year:04d}/{start.month:02d}/{start.day - 1:02d}.json.gz"
        for page in self.client().get_paginator("list_objects_v2").paginate(**params):
            for obj in page.get("Contents", []):
                found = parse_key(obj["Key"][len(prefix):])
                if found:
                    yield found

    def _local_keys(self, dest, problems):
        """`<dest>/YYYY/MM/DD.json.gz` files of a local folder, none of them outside it."""
        root = Path(self.location).resolve()
        base = root / dest
        if not base.exists() and not base.is_symlink():
            return
        if not _inside(base, root):
            problems.append((str(base), "outside the source folder (a link): skipped"))
            return
        for year in _children(base, problems):
            for month in _children(year, problems) if year.is_dir() else ():
                for path in _children(month, problems) if month.is_dir() else ():
                    found = parse_key(path.relative_to(root).as_posix())
                    if found is None:
                        continue
                    if not _inside(path, root):
                        problems.append((str(path), "outside the source folder (a link): skipped"))
                        continue
                    yield found

    # -- reading ---------------------------------------------------------------------------
    def read(self, key: str, max_bytes: int | None = None) -> bytes:
        """The file's bytes; ArchiveTooLarge, before reading it, when it is over `max_bytes`
        (compressed data is never smaller than what it expands to, give or take its framing)."""
        if not self.is_s3:
            path = Path(self.location) / key
            try:
                if max_bytes is not None and path.stat().st_size > max_bytes:
                    raise ArchiveTooLarge(f"{path.stat().st_size} bytes stored")
                return path.read_bytes()
            except OSError as exc:
                raise ArchiveReadError(str(exc)) from exc
        bucket, prefix = self.bucket_and_prefix
        last = None
        for attempt in range(READ_ATTEMPTS):
            try:
                response = self.client().get_object(Bucket=bucket, Key=prefix + key)
                if max_bytes is not None and response.get("ContentLength", 0) > max_bytes:
                    response["Body"].close()
                    raise ArchiveTooLarge(f"{response['ContentLength']} bytes stored")
                return response["Body"].read()
            except ArchiveTooLarge:
                raise
            except Exception as exc:  # network, throttling, 5xx after botocore's retries
                last = exc
                status = getattr(exc, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
                if 400 <= status < 500 and status not in (408, 429):
                    break  # missing or forbidden: asking again will not help
                time.sleep(BACKOFF_SECONDS * 2 ** attempt)
        raise ArchiveReadError(f"{type(last).__name__}: {last}")

    def client(self):
        """One lazily made unsigned client per process and endpoint."""
        cache_key = (os.getpid(), self.endpoint_url, self.region)
        if cache_key not in _clients:
            import boto3
            from botocore import UNSIGNED
            from botocore.config import Config

            config = Config(signature_version=UNSIGNED, connect_timeout=10, read_timeout=60,
                            retries={"max_attempts": 5, "mode": "standard"})
            _clients[cache_key] = boto3.client("s3", endpoint_url=self.endpoint_url, region_name=self.region,
                                               config=config)
        return _clients[cache_key]


def parse_key(key: str) -> ArchiveFile | None:
    match = KEY_RE.match(key)
    if not match:
        return None
    try:
        day = date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None
    return ArchiveFile(key=key, destination_id=match["dest"], day=day)


def source_from_settings(location: str | None = None) -> ArchiveSource:
    from django.conf import settings

    return ArchiveSource(location=(location or settings.ARCHIVE_SOURCE).rstrip("/") or "/",
                         endpoint_url=settings.ARCHIVE_S3_ENDPOINT_URL, region=settings.ARCHIVE_S3_REGION)
