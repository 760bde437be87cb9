"""Writes of the collector: the catalog, live observations, schedules and metadata.
Each service is keyword-only and owns its transactions; commands only call them."""
from .catalog import parks_sync  # noqa: F401
from .collect import park_collect, snapshots_collect  # noqa: F401
from .metadata import metadata_store, metadata_sync  # noqa: F401
from .schedules import schedules_sync  # noqa: F401
