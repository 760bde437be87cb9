"""Writes of the importer: runs, checkpoints and mapping decisions (see the submodules)."""
from .checkpoints import (  # noqa: F401
    checkpoint_cancel, checkpoint_create, checkpoint_pause, checkpoint_resume, checkpoint_retry_failed,
    import_launch, import_start,
)
from .mappings import (  # noqa: F401
    mapping_choose_ride, mapping_confirm, mapping_create_ride, mapping_reject,
)
from .run import ImportBusy, RunSummary, archive_import  # noqa: F401
