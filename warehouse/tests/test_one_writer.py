"""Every write to the observation tables is in warehouse.ingest (adds) and warehouse.observations
(moves and deletes): no other module of the apps names the tables or their models in a write."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("themepark", "warehouse", "collector", "importer", "quality")
WRITERS = {"warehouse/ingest.py", "warehouse/observations.py"}
WRITE = re.compile(
    r"(UPDATE|DELETE\s+FROM|INSERT|REPLACE\s+INTO|TRUNCATE|LOAD\s+DATA)[^\n]*\b(ride_status_snapshots|queue_data)\b"
    r"|\b(RideStatusSnapshot|QueueData)\.objects\b[^\n]*\.(create|bulk_create|update|delete|get_or_create|"
    r"update_or_create)\(", re.IGNORECASE)


def writes_outside_the_writers(root=ROOT):
    found = []
    for app in APPS:
        for path in (root / app).rglob("*.py"):
            name = path.relative_to(root).as_posix()
            if name in WRITERS or "/tests/" in name or "/migrations/" in name:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if WRITE.search(line):
                    found.append(f"{name}:{number}: {line.strip()}")
    return found


def test_only_the_warehouse_writers_write_observations():
    assert writes_outside_the_writers() == []


def test_the_check_sees_a_raw_write_and_a_model_write(tmp_path):
    services = tmp_path / "importer" / "services"
    services.mkdir(parents=True)
    (services / "stray.py").write_text('SQL = "DELETE FROM ride_status_snapshots WHERE ride_id = %s"\n'
                                       "QueueData.objects.filter(ride_id=1).update(ride_id=2)\n")
    (tmp_path / "warehouse").mkdir()
    (tmp_path / "warehouse" / "observations.py").write_text('SQL = "DELETE FROM queue_data"\n')
    found = writes_outside_the_writers(tmp_path)
    assert [line.split(":", 2)[:2] for line in found] == [["importer/services/stray.py", "1"],
                                                          ["importer/services/stray.py", "2"]]
