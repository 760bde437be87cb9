"""Throwaway MariaDB servers for tests and benchmarks that need more than the one shared server:
one `MariaDBServer` class (a `mariadbd` on a loopback port with its own folder), used two ways:

    with ReplicationCluster() as cluster:           # a primary (binary log, GTID) and a replica
        cluster.primary.execute("CREATE DATABASE app")
        cluster.wait_replicated()
        cluster.replicas[0].status("Com_select")

    with GaleraCluster(3) as cluster:               # a Galera cluster (Debian's galera-4, rsync SST)
        cluster.query(1, "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'")
        cluster.kill(2); cluster.start_node(2); cluster.wait_size(3)

Ports: free loopback ports picked when the cluster is made (`loopback.free_ports`), unless given, so that
several runs can share a machine. Cleanup is guaranteed whatever happens: `with` exit (also when
start-up fails), interpreter exit (atexit), and each server gets SIGTERM when the process that
started it dies (PR_SET_PDEATHSIG), so an interrupted run leaves no server holding a port. The
folder is removed unless MARIADB_KEEP_DIR is set (to read the servers' error.log after a failure).
"""
import atexit
import ctypes
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import MySQLdb
import MySQLdb.cursors

from .loopback import free_ports, port_free

REPL_USER, REPL_PASSWORD = "repl", "repl-secret"
GALERA_PROVIDER = "/usr/lib/galera/libgalera_smm.so"


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


def galera_available():
    """'' when a Galera cluster can be started here, else the reason it cannot."""
    for tool in ("mariadbd", "mariadb-install-db", "rsync"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            return f"{tool} is not installed"
    if not Path(GALERA_PROVIDER).exists():
        return f"{GALERA_PROVIDER} is missing (Debian package galera-4)"
    return ""


class MariaDBServer:
    """One mariadbd on 127.0.0.1:`port`, its data, socket and error.log under `base / name`, run as
    `user` (default: the current one). `options` come after the shared ones and override them."""

    def __init__(self, base, name, port, *, server_id, options=(), user=None):
        self.name, self.port, self.server_id = name, port, server_id
        self.dir = Path(base) / name
        self.datadir = self.dir / "data"
        self.options = list(options)
        self.user = user or pwd.getpwuid(os.getuid()).pw_name
        self.process = None

    # -- life cycle -------------------------------------------------------------------------------
    def install(self):
        self.datadir.mkdir(parents=True, exist_ok=True)
        for path in (self.dir, self.datadir):
            shutil.chown(path, self.user, self.user)
        subprocess.run([_tool("mariadb-install-db", "mysql_install_db"), "--no-defaults", f"--datadir={self.datadir}",
                        f"--user={self.user}", "--auth-root-authentication-method=normal", "--skip-test-db"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)

    def start(self, *extra, timeout=60, wait=True):
        """Start it (`extra` options for this start only); with `wait`, until it takes connections."""
        if not port_free(self.port):
            raise RuntimeError(f"127.0.0.1:{self.port} is already in use")
        command = [
            _tool("mariadbd", "mysqld"), "--no-defaults", f"--datadir={self.datadir}", f"--user={self.user}",
            f"--port={self.port}", "--bind-address=127.0.0.1", f"--socket={self.dir / 'mysqld.sock'}",
            f"--pid-file={self.dir / 'mysqld.pid'}", f"--log-error={self.dir / 'error.log'}",
            f"--tmpdir={self.dir}", f"--server-id={self.server_id}", "--skip-name-resolve",
            "--innodb-buffer-pool-size=64M", "--innodb-log-file-size=48M", "--innodb-flush-log-at-trx-commit=2",
            "--max-connections=200", "--local-infile=1", "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_unicode_ci", *self.options, *extra,
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        preexec_fn=_die_with_parent, start_new_session=True)
        if wait:
            self.wait_until(lambda: self.connect(socket_auth=True).close() or True, timeout, "take connections")
        return self

    def wait_until(self, ready, timeout, what):
        """Polls `ready()` (an error counts as not yet) until true; fails early when the server exits."""
        deadline, last = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"mariadbd {self.name} exited: {self.log_tail()}")
            try:
                if ready():
                    return
            except Exception as exc:  # noqa: BLE001 - not up yet
                last = exc
            time.sleep(0.1)
        raise RuntimeError(f"mariadbd {self.name} did not {what} in {timeout} s ({last}): {self.log_tail()}")

    def stop(self, timeout=30):
        """Shut down cleanly; killed when it does not stop in time."""
        if self.running:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def kill(self):
        """SIGKILL, as a crash would (its whole process group: an SST helper too)."""
        if self.running:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(30)

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines=15):
        log = self.dir / "error.log"
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else "(no log)"

    # -- SQL --------------------------------------------------------------------------------------
    def url(self, database=""):
        return f"mysql://root:@127.0.0.1:{self.port}/{database}"

    def connect(self, database=None, *, socket_auth=False, dict_rows=True):
        kwargs = {"unix_socket": str(self.dir / "mysqld.sock")} if socket_auth else {"host": "127.0.0.1",
                                                                                        "port": self.port}
        if database:
            kwargs["db"] = database
        if dict_rows:
            kwargs["cursorclass"] = MySQLdb.cursors.DictCursor
        return MySQLdb.connect(user="root", passwd="", connect_timeout=5, autocommit=True, **kwargs)

    def execute(self, *statements, database=None, params=None, dict_rows=True):
        """Runs each statement on one new connection; returns the rows of the last one."""
        conn = self.connect(database, dict_rows=dict_rows)
        try:
            cursor = conn.cursor()
            rows = ()
            for statement in statements:
                cursor.execute(statement, params)
                rows = cursor.fetchall()
            return list(rows)
        finally:
            conn.close()

    def status(self, name):
        """A global status counter (SHOW does not count as a SELECT, so reading Com_select is neutral)."""
        return int(self.execute(f"SHOW GLOBAL STATUS LIKE '{name}'")[0]["Value"])


class _Servers:
    """A set of servers under one temporary folder, torn down on `with` exit and at interpreter exit."""

    prefix = "themepark-mariadb-"

    def __init__(self, base_dir=None):
        self.base = Path(tempfile.mkdtemp(prefix=self.prefix, dir=base_dir))
        self.servers = []
        atexit.register(self.close)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc):
        self.close()

    def close(self):
        for server in reversed(self.servers):
            try:
                server.stop()
            except Exception:  # noqa: BLE001 - keep tearing the rest down
                server.kill()
        if self.base is not None and not os.environ.get("MARIADB_KEEP_DIR"):
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = None


class ReplicationCluster(_Servers):
    """A primary (binary log, GTID) and `replicas` replicas replicating from it with GTID; `ports`
    (primary first) are picked free unless given."""

    def __init__(self, ports=None, *, replicas=1, base_dir=None):
        super().__init__(base_dir)
        ports = list(ports or free_ports(1 + replicas))
        self.primary = MariaDBServer(self.base, "primary", ports[0], server_id=1, options=[
            f"--log-bin={self.base / 'primary' / 'binlog'}", "--binlog-format=ROW", "--gtid-strict-mode=1",
            "--sync-binlog=0"])
        self.replicas = [MariaDBServer(self.base, f"replica{i}", port, server_id=i + 2, options=[
            "--gtid-strict-mode=1", "--read-only=1", "--skip-log-bin", "--relay-log=relay"])
            for i, port in enumerate(ports[1:])]
        self.servers = [self.primary, *self.replicas]

    def start(self):
        for server in self.servers:
            server.install()
            server.start()
            self._bootstrap_users(server)
        for replica in self.replicas:
            self.attach(replica)
        return self

    @staticmethod
    def _bootstrap_users(server):
        """Root over TCP from 127.0.0.1 and the replication user, kept out of the binary log so that
        every server can create them before replication starts."""
        conn = server.connect(socket_auth=True)
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

    def attach(self, replica):
        replica.execute(
            "STOP SLAVE",
            f"CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={self.primary.port}, MASTER_USER='{REPL_USER}', "
            f"MASTER_PASSWORD='{REPL_PASSWORD}', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
            "START SLAVE")

        def replicating():
            state = replica.execute("SHOW SLAVE STATUS")[0]
            if state["Slave_IO_Running"] == "Yes" and state["Slave_SQL_Running"] == "Yes":
                return True
            raise RuntimeError(f"{state.get('Last_IO_Error')} {state.get('Last_SQL_Error')}")
        replica.wait_until(replicating, 30, "start replicating")

    def wait_replicated(self, timeout=30):
        """Waits until every running replica has applied everything the primary has logged."""
        position = self.primary.execute("SELECT @@GLOBAL.gtid_binlog_pos AS pos")[0]["pos"]
        for replica in self.replicas:
            if not replica.running:
                continue
            done = replica.execute(f"SELECT MASTER_GTID_WAIT('{position}', {timeout}) AS done")[0]["done"]
            if done != 0:
                raise RuntimeError(f"{replica.name} did not reach {position} in {timeout} s")


class GaleraCluster(_Servers):
    """`nodes` Galera nodes (numbered from 1): the first starts a new cluster, the others join it
    (state transfer by rsync), and `start` waits until every node is synced in a cluster of all of
    them. Four free loopback ports per node: SQL, group communication, IST and SST. The nodes run
    with row binlogs and `innodb_autoinc_lock_mode=2`, as Galera needs, as the current user (as
    `mysql` when that is root: rsync's SST daemon would drop root to `nobody`)."""

    prefix = "themepark-galera-"

    def __init__(self, nodes=3, *, extra=(), base_dir=None):
        super().__init__(base_dir)
        user = None
        if os.getuid() == 0:
            try:
                user = pwd.getpwnam("mysql").pw_name
                os.chmod(self.base, 0o755)
            except KeyError:
                pass
        ports = free_ports(4 * nodes)
        sql, group, ist, sst = (ports[k * nodes:(k + 1) * nodes] for k in range(4))
        members = ",".join(f"127.0.0.1:{port}" for port in group)
        self.servers = [MariaDBServer(self.base, f"node{i + 1}", sql[i], server_id=i + 1, user=user, options=[
            "--innodb-flush-log-at-trx-commit=0", "--binlog-format=ROW", "--innodb-autoinc-lock-mode=2",
            "--default-storage-engine=InnoDB", "--wsrep-on=ON", f"--wsrep-provider={GALERA_PROVIDER}",
            f"--wsrep-cluster-address=gcomm://{members}", "--wsrep-cluster-name=themepark_test",
            f"--wsrep-node-address=127.0.0.1:{group[i]}", f"--wsrep-node-name=node{i + 1}",
            f"--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:{group[i]};"
            f"ist.recv_addr=127.0.0.1:{ist[i]};gcache.size=64M;evs.suspect_timeout=PT3S;"
            "evs.inactive_timeout=PT6S;evs.install_timeout=PT4S",
            f"--wsrep-sst-receive-address=127.0.0.1:{sst[i]}", "--wsrep-sst-method=rsync",
            "--wsrep-slave-threads=2", *extra]) for i in range(nodes)]

    def node(self, i):
        return self.servers[i - 1]

    def port(self, i):
        return self.node(i).port

    def url(self, i, database=""):
        return self.node(i).url(database)

    def query(self, i, sql, database=None, params=None):
        """The rows (tuples) of one statement on node `i`."""
        return self.node(i).execute(sql, database=database, params=params, dict_rows=False)

    def start(self, timeout=120.0):
        for server in self.servers:
            server.install()
        for i in range(1, len(self.servers) + 1):
            self.start_node(i, bootstrap=i == 1, timeout=timeout)
        self.wait_size(len(self.servers), timeout=timeout)
        return self

    def start_node(self, i, *, bootstrap=False, timeout=120.0):
        server = self.node(i)
        server.start(*(["--wsrep-new-cluster"] if bootstrap else []), wait=False)

        def synced():
            rows = dict(self.query(i, "SHOW GLOBAL STATUS WHERE Variable_name IN "
                                      "('wsrep_local_state_comment', 'wsrep_ready')"))
            return rows.get("wsrep_local_state_comment") == "Synced" and rows.get("wsrep_ready") == "ON"
        server.wait_until(synced, timeout, "sync with the cluster")

    def wait_size(self, size, timeout=60.0):
        """Waits until every running node sees a cluster of `size` nodes."""
        running = [i for i, server in enumerate(self.servers, 1) if server.running]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if all(int(self.query(i, "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'")[0][1]) == size
                       for i in running):
                    return
            except Exception:  # noqa: BLE001 - a node still reconfiguring
                pass
            time.sleep(0.3)
        raise TimeoutError(f"cluster size is not {size}")

    def kill(self, i):
        """SIGKILL node `i`, as a crash would."""
        self.node(i).kill()
