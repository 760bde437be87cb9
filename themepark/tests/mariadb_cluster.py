"""Throwaway MariaDB servers for tests that need more than the one shared server: a primary with
binary logging and GTID replicas, each `mariadbd` on its own loopback port with its own data
directory under one temporary folder.

    with ReplicationCluster(ports=(3360, 3361)) as cluster:
        cluster.primary.execute("CREATE DATABASE app")
        cluster.wait_replicated()
        cluster.replicas[0].status("Com_select")

Everything is torn down on exit, whatever happened: the servers are shut down (killed if they do
not stop), the folder is removed, and each server also gets SIGTERM if the process that started it
dies (PR_SET_PDEATHSIG), so an interrupted run leaves no server holding a port. `MariaDBServer` is
the building block for other topologies (a Galera cluster passes its own options).
"""
import ctypes
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import MySQLdb
import MySQLdb.cursors

REPL_USER, REPL_PASSWORD = "repl", "repl-secret"


def _die_with_parent():
    """Runs in the child before exec: SIGTERM when the parent process goes away."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _tool(*names):
    for name in names:
        found = shutil.which(name) or (Path("/usr/sbin") / name if (Path("/usr/sbin") / name).exists() else None)
        if found:
            return str(found)
    raise RuntimeError(f"none of {', '.join(names)} is installed (Debian package mariadb-server)")


def port_free(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


class MariaDBServer:
    """One mariadbd on 127.0.0.1:`port` with the data directory `base / name`."""

    def __init__(self, base, name, port, *, server_id, options=()):
        self.name, self.port, self.server_id = name, port, server_id
        self.dir = Path(base) / name
        self.datadir = self.dir / "data"
        self.options = list(options)
        self.process = None

    # -- life cycle -------------------------------------------------------------------------------
    def install(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        subprocess.run([_tool("mariadb-install-db", "mysql_install_db"), "--no-defaults", f"--datadir={self.datadir}",
                        "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)

    def start(self, timeout=60):
        if not port_free(self.port):
            raise RuntimeError(f"127.0.0.1:{self.port} is already in use")
        command = [
            _tool("mariadbd", "mysqld"), "--no-defaults", f"--datadir={self.datadir}", "--user=root",
            f"--port={self.port}", "--bind-address=127.0.0.1", f"--socket={self.dir / 'mysqld.sock'}",
            f"--pid-file={self.dir / 'mysqld.pid'}", f"--log-error={self.dir / 'error.log'}",
            f"--tmpdir={self.dir}", f"--server-id={self.server_id}", "--skip-name-resolve",
            "--innodb-buffer-pool-size=64M", "--innodb-log-file-size=32M", "--innodb-flush-log-at-trx-commit=2",
            "--max-connections=200", "--local-infile=1", "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_unicode_ci", *self.options,
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        preexec_fn=_die_with_parent)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mariadbd {self.name} exited: {self.log_tail()}")
            try:
                self.connect(socket_auth=True).close()
                return self
            except MySQLdb.OperationalError:
                time.sleep(0.1)
        raise RuntimeError(f"mariadbd {self.name} did not start in {timeout} s: {self.log_tail()}")

    def stop(self, timeout=30):
        """Shut down cleanly (as a crash would lose nothing here, a kill is the fallback)."""
        if self.process is None or self.process.poll() is not None:
            self.process = None
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.process = None

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines=15):
        log = self.dir / "error.log"
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else "(no log)"

    # -- SQL --------------------------------------------------------------------------------------
    def url(self, database=""):
        return f"mysql://root:@127.0.0.1:{self.port}/{database}"

    def connect(self, database=None, *, socket_auth=False):
        if socket_auth:
            kwargs = {"unix_socket": str(self.dir / "mysqld.sock")}
        else:
            kwargs = {"host": "127.0.0.1", "port": self.port}
        if database:
            kwargs["db"] = database
        return MySQLdb.connect(user="root", passwd="", connect_timeout=5, autocommit=True,
                               cursorclass=MySQLdb.cursors.DictCursor, **kwargs)

    def execute(self, *statements, database=None):
        """Runs each statement on a new connection; returns the rows of the last one."""
        conn = self.connect(database)
        try:
            cursor = conn.cursor()
            rows = ()
            for statement in statements:
                cursor.execute(statement)
                rows = cursor.fetchall()
            return list(rows)
        finally:
            conn.close()

    def status(self, name):
        """A global status counter (SHOW does not count as a SELECT, so reading Com_select is neutral)."""
        return int(self.execute(f"SHOW GLOBAL STATUS LIKE '{name}'")[0]["Value"])

    def _bootstrap_users(self):
        """Root over TCP from 127.0.0.1 and the replication user, kept out of the binary log so that
        every server can create them before replication starts."""
        conn = self.connect(socket_auth=True)
        try:
            cursor = conn.cursor()
            for statement in ("SET SESSION sql_log_bin = 0",
                              "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''",
                              "GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION",
                              f"CREATE USER IF NOT EXISTS '{REPL_USER}'@'127.0.0.1' IDENTIFIED BY '{REPL_PASSWORD}'",
                              f"GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '{REPL_USER}'@'127.0.0.1'",
                              "FLUSH PRIVILEGES"):
                cursor.execute(statement)
        finally:
            conn.close()


class ReplicationCluster:
    """A primary (binary log, GTID) and one replica per further port, replicating with GTID."""

    def __init__(self, ports=(3360, 3361), *, base_dir=None):
        self.ports = list(ports)
        self.base_dir = base_dir
        self.base = None
        self.primary, self.replicas = None, []

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc):
        self.close()

    def start(self):
        self.base = Path(tempfile.mkdtemp(prefix="themepark-mariadb-", dir=self.base_dir))
        self.primary = MariaDBServer(self.base, "primary", self.ports[0], server_id=1, options=[
            f"--log-bin={self.base / 'primary' / 'binlog'}", "--binlog-format=ROW", "--gtid-strict-mode=1",
            "--sync-binlog=0"])
        self.replicas = [MariaDBServer(self.base, f"replica{i}", port, server_id=i + 2, options=[
            "--gtid-strict-mode=1", "--read-only=1", "--skip-log-bin", "--relay-log=relay"])
            for i, port in enumerate(self.ports[1:])]
        for server in (self.primary, *self.replicas):
            server.install()
            server.start()
            server._bootstrap_users()
        for replica in self.replicas:
            self.attach(replica)
        return self

    def attach(self, replica):
        replica.execute(
            "STOP SLAVE",
            f"CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={self.primary.port}, MASTER_USER='{REPL_USER}', "
            f"MASTER_PASSWORD='{REPL_PASSWORD}', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
            "START SLAVE")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            state = replica.execute("SHOW SLAVE STATUS")[0]
            if state["Slave_IO_Running"] == "Yes" and state["Slave_SQL_Running"] == "Yes":
                return
            time.sleep(0.1)
        raise RuntimeError(f"{replica.name} did not start replicating: {state.get('Last_IO_Error')} "
                           f"{state.get('Last_SQL_Error')}")

    def wait_replicated(self, timeout=30):
        """Waits until every running replica has applied everything the primary has logged."""
        position = self.primary.execute("SELECT @@GLOBAL.gtid_binlog_pos AS pos")[0]["pos"]
        for replica in self.replicas:
            if not replica.running:
                continue
            done = replica.execute(f"SELECT MASTER_GTID_WAIT('{position}', {timeout}) AS done")[0]["done"]
            if done != 0:
                raise RuntimeError(f"{replica.name} did not reach {position} in {timeout} s")

    def close(self):
        for server in (*self.replicas, self.primary):
            if server is not None:
                try:
                    server.stop()
                except Exception:  # noqa: BLE001 - keep tearing the rest down
                    if server.process is not None:
                        server.process.kill()
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = None
