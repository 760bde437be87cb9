"""A throwaway MariaDB Galera cluster on loopback, for tests and benchmarks.

`GaleraCluster(n)` initialises `n` data directories in a temporary folder
(`mariadb-install-db`), starts the first node with `--wsrep-new-cluster` and the others
joining it (state transfer by rsync), and waits until every node is SYNCED with the full
cluster size. `stop()` (also on `with` exit and at interpreter exit) kills every node it
started and removes the folder, whatever happened. `kill(i)` SIGKILLs one node.

Ports (loopback only): SQL `sql_base + i`, group replication `repl_base + i`, IST
`ist_base + i`, SST `ist_base + 5 + i` (i counts from 1). The nodes run as the current user
(as `mysql` when that is root: rsync's SST daemon would drop root to `nobody`), with
`innodb_autoinc_lock_mode=2` and row binlogs, as Galera needs. Needs Debian's `galera-4`, `mariadb-server` and `rsync`.
"""
from __future__ import annotations

import atexit
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

PROVIDER = "/usr/lib/galera/libgalera_smm.so"


def galera_available() -> str:
    """'' when a cluster can be started here, else the reason it cannot."""
    for tool in ("mariadbd", "mariadb-install-db", "rsync"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            return f"{tool} is not installed"
    if not Path(PROVIDER).exists():
        return f"{PROVIDER} is missing (Debian package galera-4)"
    return ""


def _tool(name):
    return shutil.which(name) or f"/usr/sbin/{name}"


class GaleraCluster:
    def __init__(self, nodes: int = 3, *, sql_base: int = 3390, repl_base: int = 4590, ist_base: int = 4690,
                 extra: tuple = ()):
        self.n = nodes
        self.sql_base, self.repl_base, self.ist_base = sql_base, repl_base, ist_base
        self.extra = tuple(extra)
        self.root = Path(tempfile.mkdtemp(prefix="galera-"))
        self.procs: dict[int, subprocess.Popen] = {}
        self.user = pwd.getpwuid(os.getuid()).pw_name
        if os.getuid() == 0:  # as root, rsync's SST daemon drops to nobody: the nodes run as mysql
            try:
                pwd.getpwnam("mysql")
                self.user = "mysql"
            except KeyError:
                pass
            os.chmod(self.root, 0o755)
        atexit.register(self.stop)

    # -- addresses -------------------------------------------------------------------------------
    def port(self, i: int) -> int:
        return self.sql_base + i

    def url(self, i: int, database: str) -> str:
        return f"mysql://root:@127.0.0.1:{self.port(i)}/{database}"

    def connect(self, i: int, database: str | None = None):
        import MySQLdb

        kwargs = {"db": database} if database else {}
        return MySQLdb.connect(host="127.0.0.1", port=self.port(i), user="root", passwd="", autocommit=True,
                               connect_timeout=5, **kwargs)

    def query(self, i: int, sql: str, database: str | None = None, params=None):
        conn = self.connect(i, database)
        try:
            cursor = conn.cursor()
            cursor.execute(sql, params)
            return cursor.fetchall()
        finally:
            conn.close()

    # -- life cycle ------------------------------------------------------------------------------
    def _datadir(self, i):
        return self.root / f"node{i}"

    def _options(self, i) -> list[str]:
        address = ",".join(f"127.0.0.1:{self.repl_base + j}" for j in range(1, self.n + 1))
        d = self._datadir(i)
        return [
            "--no-defaults", f"--datadir={d}", f"--socket={d}/mysqld.sock", f"--pid-file={d}/mysqld.pid",
            f"--log-error={d}/error.log", "--bind-address=127.0.0.1", f"--port={self.port(i)}",
            f"--user={self.user}", "--skip-name-resolve", "--innodb-buffer-pool-size=64M",
            "--innodb-log-file-size=48M", "--innodb-flush-log-at-trx-commit=0", "--max-connections=200",
            "--local-infile=1", "--binlog-format=ROW", "--innodb-autoinc-lock-mode=2",
            "--default-storage-engine=InnoDB", "--wsrep-on=ON", f"--wsrep-provider={PROVIDER}",
            f"--wsrep-cluster-address=gcomm://{address}", "--wsrep-cluster-name=themepark_test",
            f"--wsrep-node-address=127.0.0.1:{self.repl_base + i}", f"--wsrep-node-name=node{i}",
            f"--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:{self.repl_base + i};"
            f"ist.recv_addr=127.0.0.1:{self.ist_base + i};gcache.size=64M;evs.suspect_timeout=PT3S;"
            "evs.inactive_timeout=PT6S;evs.install_timeout=PT4S",
            f"--wsrep-sst-receive-address=127.0.0.1:{self.ist_base + 5 + i}", "--wsrep-sst-method=rsync",
            "--wsrep-slave-threads=2", *self.extra,
        ]

    def start(self, timeout: float = 120.0) -> "GaleraCluster":
        try:
            for i in range(1, self.n + 1):
                d = self._datadir(i)
                d.mkdir()
                shutil.chown(d, self.user, self.user)
                subprocess.run([_tool("mariadb-install-db"), "--no-defaults", f"--datadir={d}", f"--user={self.user}",
                                "--auth-root-authentication-method=normal", "--skip-test-db"],
                               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)
            self.start_node(1, bootstrap=True, timeout=timeout)
            for i in range(2, self.n + 1):
                self.start_node(i, timeout=timeout)
            self.wait_size(self.n, timeout=timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def start_node(self, i: int, *, bootstrap: bool = False, timeout: float = 120.0) -> None:
        args = [_tool("mariadbd"), *self._options(i)] + (["--wsrep-new-cluster"] if bootstrap else [])
        self.procs[i] = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                         start_new_session=True)
        self.wait_synced(i, timeout=timeout)

    def wait_synced(self, i: int, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.procs[i].poll() is not None:
                raise RuntimeError(f"galera node {i} exited: {self.log_tail(i)}")
            try:
                rows = dict(self.query(i, "SHOW GLOBAL STATUS WHERE Variable_name IN "
                                          "('wsrep_local_state_comment', 'wsrep_ready')"))
                if rows.get("wsrep_local_state_comment") == "Synced" and rows.get("wsrep_ready") == "ON":
                    return
                last = rows
            except Exception as exc:  # noqa: BLE001 - not up yet
                last = exc
            time.sleep(0.3)
        raise TimeoutError(f"galera node {i} not synced: {last}; {self.log_tail(i)}")

    def wait_size(self, size: int, timeout: float = 60.0, nodes=None) -> None:
        deadline = time.monotonic() + timeout
        nodes = nodes or [i for i, p in self.procs.items() if p.poll() is None]
        while time.monotonic() < deadline:
            try:
                if all(int(self.query(i, "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'")[0][1]) == size
                       for i in nodes):
                    return
            except Exception:  # noqa: BLE001 - a node still reconfiguring
                pass
            time.sleep(0.3)
        raise TimeoutError(f"cluster size is not {size}")

    def kill(self, i: int) -> None:
        """SIGKILL one node, as a crash would."""
        proc = self.procs.get(i)
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)

    def log_tail(self, i: int, lines: int = 15) -> str:
        path = self._datadir(i) / "error.log"
        try:
            return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        for i in list(self.procs):
            try:
                self.kill(i)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        self.procs.clear()
        if not os.environ.get("GALERA_KEEP_DIR"):  # set it to read the nodes' logs after a failure
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
