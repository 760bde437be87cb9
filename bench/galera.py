"""Import on a 3-node Galera cluster started on loopback (the test harness), against one plain server.

    .venv/bin/python bench/galera.py [--destinations 1 --days 2 --scale 8] [--archive DIR]

Starts three nodes (on free loopback ports), migrates through node 1, imports the
archive through node 1 with `import_archive --no-statistics`, and prints the rate, the largest
day file (rows in one transaction: one write set, as `wsrep_load_data_splitting` is OFF), the
replicated write sets and bytes, and the rows counted on every node. Then the same import into a
fresh database on the plain server (BENCH_DATABASE_URL) for the ratio.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from common import make_archive  # noqa: E402

from themepark.tests.mariadb_cluster import GaleraCluster  # noqa: E402

DATABASE = "themepark_bench_galera"


def manage(url, *args):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="themepark.settings.base", DATABASE_URL=url)
    started = time.monotonic()
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--destinations", type=int, default=1)
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--scale", type=float, default=8)
    parser.add_argument("--archive")
    args = parser.parse_args()
    archive = Path(args.archive or tempfile.mkdtemp(prefix="bench-galera-"))
    if not (archive / "MANIFEST.json").exists():
        make_archive(archive, destinations=args.destinations, days=args.days, scale=args.scale, start="2024-01-01")
    import MySQLdb

    with GaleraCluster(3) as cluster:
        cluster.query(1, f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4")
        manage(cluster.url(1, DATABASE), "migrate", "--no-input")
        before = dict(cluster.query(1, "SHOW GLOBAL STATUS WHERE Variable_name IN "
                                       "('wsrep_replicated', 'wsrep_replicated_bytes')"))
        seconds = manage(cluster.url(1, DATABASE), "import_archive", "--source", str(archive), "--no-input",
                         "--no-statistics")
        after = dict(cluster.query(1, "SHOW GLOBAL STATUS WHERE Variable_name IN "
                                      "('wsrep_replicated', 'wsrep_replicated_bytes')"))
        counts = [cluster.query(i, "SELECT COUNT(*) FROM ride_status_snapshots", DATABASE)[0][0] for i in (1, 2, 3)]
        largest = cluster.query(1, "SELECT MAX(n) FROM (SELECT COUNT(*) n FROM ride_status_snapshots "
                                   "GROUP BY DATE(recorded_at)) d", DATABASE)[0][0]
        sets = int(after["wsrep_replicated"]) - int(before["wsrep_replicated"])
        size = int(after["wsrep_replicated_bytes"]) - int(before["wsrep_replicated_bytes"])
    print(f"galera: {counts[0]:,} events in {seconds:.1f} s = {counts[0] / seconds:,.0f} events/s; rows on the "
          f"nodes {counts}; largest day {largest:,} events; {sets} write sets, {size / 2**20:.1f} MB replicated")
    plain = os.environ.get("BENCH_DATABASE_URL", "mysql://root:@127.0.0.1:3306/themepark_bench")
    name = plain.rsplit("/", 1)[1]
    server = MySQLdb.connect(host="127.0.0.1", port=int(plain.rsplit(":", 1)[1].split("/")[0]), user="root")
    server.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
    server.cursor().execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    manage(plain, "migrate", "--no-input")
    plain_seconds = manage(plain, "import_archive", "--source", str(archive), "--no-input", "--no-statistics")
    print(f"plain server: {counts[0] / plain_seconds:,.0f} events/s ({plain_seconds:.1f} s); "
          f"galera / plain: {plain_seconds / seconds:.2f}")


if __name__ == "__main__":
    main()
