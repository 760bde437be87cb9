"""Checkpoint state changes from the admin and the admin API.

Pause and cancel only change the row: a running import reads its status at every file
boundary and stops there. Resume and retry put the row back to PENDING and start a
background `import_archive --resume` process, which takes the destination locks.
"""
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from ..choices import ImportStatus
from ..models import ImportCheckpoint


def new_import_id() -> str:
    """A fresh run id such as `imp_3f9a2c1b`."""
    while True:
        import_id = f"imp_{secrets.token_hex(4)}"
        if not ImportCheckpoint.objects.filter(import_id=import_id).exists():
            return import_id


def checkpoint_create(*, source, destinations=(), start=None, end=None, replace=False,
                      import_id=None) -> ImportCheckpoint:
    """A new PENDING run (with a fresh id unless given)."""
    import_id = import_id or new_import_id()
    return ImportCheckpoint.objects.create(import_id=import_id, source=source, destinations=sorted(destinations),
                                           start_date=start, end_date=end, replace=replace)


def checkpoint_pause(*, checkpoints) -> int:
    return checkpoints.filter(status__in=[ImportStatus.PENDING, ImportStatus.IN_PROGRESS]).update(
        status=ImportStatus.PAUSED, updated_at=timezone.now())


def checkpoint_cancel(*, checkpoints) -> int:
    return checkpoints.filter(status__in=[ImportStatus.PENDING, ImportStatus.IN_PROGRESS, ImportStatus.PAUSED,
                                          ImportStatus.FAILED]).update(
        status=ImportStatus.CANCELLED, finished_at=timezone.now(), updated_at=timezone.now())


def checkpoint_orphaned(*, import_id: str) -> bool:
    """True when the run's process is gone (its lock is free): a killed run still says IN_PROGRESS."""
    from ..run_locks import LockBusy, RunLocks

    try:
        with RunLocks([f"import:{import_id}"]):
            return True
    except LockBusy:
        return False


def checkpoint_resume(*, checkpoints, launch=True) -> int:
    """PAUSED, FAILED and orphaned IN_PROGRESS runs go back to PENDING and start in the background."""
    ids = list(checkpoints.filter(status__in=[ImportStatus.PAUSED, ImportStatus.FAILED])
               .values_list("import_id", flat=True))
    ids += [import_id for import_id in checkpoints.filter(status=ImportStatus.IN_PROGRESS)
            .values_list("import_id", flat=True) if checkpoint_orphaned(import_id=import_id)]
    count = ImportCheckpoint.objects.filter(import_id__in=ids).update(
        status=ImportStatus.PENDING, finished_at=None, updated_at=timezone.now())
    if launch:
        for import_id in ids:
            import_launch(import_id=import_id)
    return count


def checkpoint_retry_failed(*, checkpoints, launch=True) -> int:
    """Runs that still have unread files are resumed; `--resume` reads those files again."""
    with_failures = [cp.pk for cp in checkpoints.exclude(status=ImportStatus.IN_PROGRESS) if cp.failed_files]
    return checkpoint_resume(checkpoints=ImportCheckpoint.objects.filter(pk__in=with_failures).exclude(
        status=ImportStatus.CANCELLED).exclude(status=ImportStatus.PENDING), launch=launch) if with_failures else 0


def import_launch(*, import_id: str):
    """Start `manage.py import_archive --resume <id>` detached from the web request. A run that
    cannot start records why on its checkpoint (here, or in the command)."""
    manage = Path(settings.BASE_DIR) / "manage.py"
    try:
        return subprocess.Popen(
            [sys.executable, str(manage), "import_archive", "--resume", import_id, "--no-input", "--verbosity", "0"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError as exc:
        checkpoint_start_failed(import_id=import_id, error=f"could not start: {exc}")
        return None


def checkpoint_start_failed(*, import_id: str, error: str) -> None:
    """A run that could not start: the reason in its error log, and a PENDING run becomes FAILED
    (never left PENDING, where `--resume-latest` would pick it up)."""
    from django.db.models import F

    from .files import ERROR_LOG_KEEP

    checkpoint = ImportCheckpoint.objects.filter(import_id=import_id).first()
    if checkpoint is None:
        return
    error_log = (checkpoint.error_log + [{"key": "", "error": error[:500]}])[-ERROR_LOG_KEEP:]
    ImportCheckpoint.objects.filter(pk=checkpoint.pk).update(error_log=error_log, errors=F("errors") + 1,
                                                             updated_at=timezone.now())
    ImportCheckpoint.objects.filter(pk=checkpoint.pk, status=ImportStatus.PENDING).update(
        status=ImportStatus.FAILED, finished_at=timezone.now())


def import_start(*, source, destinations=(), start=None, end=None, replace=False, launch=True) -> ImportCheckpoint:
    """A new run started in the background (admin API)."""
    checkpoint = checkpoint_create(source=source, destinations=destinations, start=start, end=end, replace=replace)
    if launch:
        import_launch(import_id=checkpoint.import_id)
    return checkpoint
