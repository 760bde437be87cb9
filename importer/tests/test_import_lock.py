"""An import holds its locks (`import:<id>`, `dest:<destination>`) under a renewed lease: a run
that lost them stops before its next file commit and leaves the checkpoint to whoever took them."""
import time

import pytest
from django.core.management.base import CommandError
from django.db import connections

from importer.archive import ArchiveSource
from importer.run_locks import LockLost, RunLocks
from importer.models import ImportCheckpoint
from importer.services import archive_import, checkpoint_create
from importer.tests.conftest import manifest, run_import
from themepark.tests.processes import lock_holders
from warehouse.models import RideStatusSnapshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_import_whose_lock_is_taken_stops_before_the_next_file_commit(clean_archive, settings):
    settings.JOB_LOCK_LEASE_SECONDS = 0.6  # renewed every 0.2 s
    source = ArchiveSource(str(clean_archive))
    checkpoint = checkpoint_create(source=str(clean_archive))
    seen = []

    def take_the_lock_after_the_first_file(event, **info):
        seen.append(info["file"].key)
        if len(seen) == 1:
            assert any(name.startswith("dest:") for name in lock_holders())
            conn = connections.create_connection("default")  # as a process that found the lease run out
            with conn.cursor() as cursor:
                cursor.execute("UPDATE job_lock SET token = %s, owner = 'another import' WHERE name LIKE 'dest:%%'",
                               ["d" * 32])
            conn.close()
            time.sleep(0.6)  # the next renewal finds the rows taken

    with pytest.raises(LockLost, match="another holder took it"):
        archive_import(checkpoint=checkpoint, source=source, files=source.list_files(), workers=0,
                       progress=take_the_lock_after_the_first_file)
    checkpoint.refresh_from_db()
    assert len(seen) == 1 and checkpoint.files_done == 1  # nothing committed after the loss
    assert RideStatusSnapshot.objects.count() == checkpoint.events_imported > 0
    assert checkpoint.status == "IN_PROGRESS"  # not marked FAILED: the run may be another process's now
    assert set(lock_holders("dest:").values()) == {"another import"}  # its release left the new holder's rows
    assert not ImportCheckpoint.objects.exclude(pk=checkpoint.pk).exists()


def test_a_run_refused_on_a_locked_destination_leaves_no_checkpoint(clean_archive):
    dest = manifest(clean_archive)["destinations"][0]["id"]
    with RunLocks([f"dest:{dest}"], purpose="import imp_elsewhere"):
        with pytest.raises(CommandError, match=f"destination {dest} is being imported"):
            run_import(source=str(clean_archive))
    assert not ImportCheckpoint.objects.exists()
    run_import(source=str(clean_archive))  # free again once released
    assert ImportCheckpoint.objects.get().status == "COMPLETED"
