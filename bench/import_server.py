"""The database server's CPU for loading the rows of an import different ways: the import's way
against the reference load of bench/import.py, one difference at a time.

    BENCH_DATABASE_URL=mysql://root:@127.0.0.1:3306/bench_import .venv/bin/python bench/import_server.py \
        whole files-import whole-nonempty files-import-noignore files-txn files-auto files-import-2lanes

Run it on the database bench/import.py left (its imported rows are read back). The rows are cut
into the import's day files (destination, UTC day: the file order, each file's rows in key
order, wait-only queue rows in their short form) and each variant loads them into fresh copies
of the tables (CREATE TABLE LIKE: same partitions and keys), then prints the wall time, the CPU
of the server threads serving its connections (from /proc by the processlist's TID: what this
load made the server do, whatever else the shared server does) and the whole server's CPU
(that includes background work, page flushing and compression, and every other client).

- whole: the reference, each table in one LOAD DATA in key order, into empty tables;
- whole-nonempty (any variant with -nonempty): the same into tables holding one row per
  partition (InnoDB's bulk path for an empty table is not taken);
- files-import: as the import: a transaction per file, snapshots without IGNORE, queue rows
  with IGNORE, short-form wait-only queue lines; -noignore: without IGNORE;
- files-txn / files-auto: a transaction per file / autocommit, full 14-column queue lines;
- files-import-2lanes: files-import on two connections at once (the import's two lanes);
- files-import-2lanes-tables: the same, but a lane waits while the other loads into the same
  table (one loads snapshots while the other loads queue rows);
- files-import-2lanes-serial: two lanes, one file's loads at a time (the other lane's commit and
  round trips overlap them).
"""
import os
import sys
import threading
import time
from contextlib import nullcontext
from pathlib import Path

import MySQLdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
TICK = os.sysconf("SC_CLK_TCK")


def _config():
    import environ

    return environ.Env.db_url_config(os.environ.get("BENCH_DATABASE_URL",
                                                    "mysql://root:@127.0.0.1:3306/themepark_bench"))


CFG = _config()


def connect():
    return MySQLdb.connect(host=CFG["HOST"] or "127.0.0.1", port=int(CFG["PORT"] or 3306), user=CFG["USER"],
                           passwd=CFG["PASSWORD"] or "", db=CFG["NAME"], local_infile=1, charset="utf8mb4")


def server_pid():
    c = connect()
    cur = c.cursor()
    cur.execute("SELECT @@pid_file")
    pid = open(cur.fetchone()[0]).read().strip()
    c.close()
    return pid


PID = server_pid()


def cpu(path):
    f = open(path).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / TICK


def tid_of(conn):
    cur = conn.cursor()
    cur.execute("SELECT TID FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()")
    return cur.fetchone()[0]


def thread_cpu(tid):
    return cpu(f"/proc/{PID}/task/{tid}/stat")


def server_cpu():
    return cpu(f"/proc/{PID}/stat")


COUNTERS = ("Innodb_buffer_pool_reads", "Innodb_pages_written", "Innodb_buffer_pool_pages_flushed",
            "Innodb_page_compression_saved", "Innodb_os_log_written", "Innodb_rows_inserted")


def status(conn):
    """The server's InnoDB counters that say what a load made it read, write and compress."""
    cur = conn.cursor()
    cur.execute(f"SHOW GLOBAL STATUS WHERE Variable_name IN ({', '.join(['%s'] * len(COUNTERS))})", COUNTERS)
    return {name: int(value) for name, value in cur.fetchall()}


SNAP = ("ride_id", "recorded_at", "status", "wait_time", "computed_is_open", "data_source")
QUEUE = ("ride_id", "recorded_at", "queue_type", "wait_time_minutes", "return_time_start", "return_time_end",
         "state", "price_amount", "price_currency", "boarding_group_status", "boarding_group_current_start",
         "boarding_group_current_end", "next_allocation_time", "estimated_wait_minutes")


def fmt(row):
    return "\t".join("\\N" if v is None else str(v) for v in row) + "\n"


def dump():
    """{file key: [snap text, queue full text, queue short text]} in import order, and whole-table texts."""
    c = connect()
    cur = c.cursor()
    cur.execute("SELECT r.id, d.themeparks_wiki_id FROM themepark_ride r JOIN themepark_park p ON p.id = r.park_id "
                "JOIN themepark_destination d ON d.id = p.destination_id")
    dest = dict(cur.fetchall())
    files = {}
    cur = c.cursor(MySQLdb.cursors.SSCursor)
    cur.execute(f"SELECT {', '.join(SNAP)} FROM ride_status_snapshots ORDER BY ride_id, recorded_at")
    whole_snap = []
    for row in cur:
        line = fmt(row)
        whole_snap.append(line)
        files.setdefault((dest[row[0]], row[1].date()), [[], [], []])[0].append(line)
    cur.close()
    cur = c.cursor(MySQLdb.cursors.SSCursor)
    cur.execute(f"SELECT {', '.join(QUEUE)} FROM queue_data ORDER BY ride_id, recorded_at, queue_type")
    whole_queue = []
    for row in cur:
        whole_queue.append(fmt(row))
        entry = files.setdefault((dest[row[0]], row[1].date()), [[], [], []])
        if all(v is None for v in row[4:]):
            entry[2].append(fmt(row[:4]))
        else:
            entry[1].append(fmt(row))
    cur.close()
    c.close()
    ordered = [(k, ["".join(x) for x in files[k]]) for k in sorted(files)]
    return ordered, "".join(whole_snap), "".join(whole_queue)


def write_tmp(text):
    path = f"/dev/shm/exp-{os.getpid()}-{threading.get_ident()}.tsv"
    with open(path, "w") as f:
        f.write(text)
    return path


def load(cur, table, columns, text, ignore):
    if not text:
        return 0
    path = write_tmp(text)
    cur.execute(f"LOAD DATA LOCAL INFILE %s {'IGNORE ' if ignore else ''}INTO TABLE {table} CHARACTER SET utf8mb4 "
                "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' "
                f"({', '.join(columns)})", [path])
    os.unlink(path)
    return cur.rowcount


def fresh(c, nonempty=False):
    cur = c.cursor()
    for t in ("ride_status_snapshots", "queue_data"):
        cur.execute(f"DROP TABLE IF EXISTS x_{t}")
        cur.execute(f"CREATE TABLE x_{t} LIKE {t}")
    if nonempty:  # one row far away in every partition: the tables are not empty
        cur.execute("SELECT PARTITION_DESCRIPTION FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() "
                    "AND TABLE_NAME = 'ride_status_snapshots'")
        bounds = [r[0].strip("'") for r in cur.fetchall() if r[0] != "MAXVALUE"]
        for b in bounds:
            cur.execute("INSERT INTO x_ride_status_snapshots (ride_id, recorded_at, status, wait_time, "
                        "computed_is_open, data_source) "
                        "VALUES (999999, %s - INTERVAL 1 SECOND, NULL, NULL, 0, 'ARCHIVE')", [b])
            cur.execute("INSERT INTO x_queue_data (ride_id, recorded_at, queue_type) "
                        "VALUES (999999, %s - INTERVAL 1 SECOND, 'STANDBY')", [b])
    c.commit()


def run_files(c, files, *, ignore_snap, ignore_queue, short, txn, extra=None, lanes=1, table_turns=False,
              one_load=False):
    turns = {table: threading.Lock() for table in ("x_ride_status_snapshots", "x_queue_data")}
    loading = threading.Lock()

    def turn(table):  # with table_turns, a lane waits while the other loads into the same table
        return turns[table] if table_turns else nullcontext()

    def work(conn, part):
        cur = conn.cursor()
        for key, (snap, qfull, qshort) in part:
            if txn:
                cur.execute("START TRANSACTION")
            with loading if one_load else nullcontext():  # one_load: one lane's file loads at a time
                with turn("x_ride_status_snapshots"):
                    load(cur, "x_ride_status_snapshots", SNAP, snap, ignore_snap)
                with turn("x_queue_data"):
                    if short:
                        load(cur, "x_queue_data", QUEUE, qfull, ignore_queue)
                        load(cur, "x_queue_data", QUEUE[:4], qshort, ignore_queue)
                    else:
                        full = qfull + "".join(line[:-1] + "\t\\N" * 10 + "\n" for line in qshort.splitlines(True))
                        load(cur, "x_queue_data", QUEUE, full, ignore_queue)
            if extra:
                extra(cur, key)
            if txn:
                conn.commit()
    if lanes == 1:
        tids = [tid_of(c)]
        before = [thread_cpu(t) for t in tids]
        s0 = server_cpu()
        t0 = time.perf_counter()
        work(c, files)
        return time.perf_counter() - t0, sum(thread_cpu(t) for t in tids) - sum(before), server_cpu() - s0
    conns = [connect() for _ in range(lanes)]
    tids = [tid_of(x) for x in conns]
    parts = [files[i::lanes] for i in range(lanes)]
    before = [thread_cpu(t) for t in tids]
    s0 = server_cpu()
    t0 = time.perf_counter()
    threads = [threading.Thread(target=work, args=(x, p)) for x, p in zip(conns, parts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out = time.perf_counter() - t0, sum(thread_cpu(t) for t in tids) - sum(before), server_cpu() - s0
    for x in conns:
        x.close()
    return out


def _key(line):
    ride, at, _ = line.split("\t", 2)
    return int(ride), at


def grouped(files, size, ordered=True):
    """Each `size` consecutive files as one, every text's lines in key order (or file after file)."""
    out = []
    for start in range(0, len(files), size):
        part = files[start:start + size]
        texts = ["".join(f[1][i] for f in part) for i in range(3)]
        if ordered:
            texts = ["".join(sorted(text.splitlines(True), key=_key)) for text in texts]
        out.append((part[0][0], texts))
    return out


def main():
    t0 = time.perf_counter()
    files, whole_snap, whole_queue = dump()
    events = whole_snap.count("\n")
    print(f"dumped {len(files)} files, {events} events, {whole_queue.count(chr(10))} queue rows "
          f"in {time.perf_counter() - t0:.1f} s")
    c = connect()
    for variant in sys.argv[1:]:
        fresh(c, nonempty=variant.endswith("-nonempty"))
        name = variant.removesuffix("-nonempty")
        time.sleep(2)
        counters = status(c)
        if name == "whole":  # the bench's reference
            tid = tid_of(c)
            b, s0, w0 = thread_cpu(tid), server_cpu(), time.perf_counter()
            cur = c.cursor()
            load(cur, "x_ride_status_snapshots", SNAP, whole_snap, False)
            load(cur, "x_queue_data", QUEUE, whole_queue, False)
            c.commit()
            res = time.perf_counter() - w0, thread_cpu(tid) - b, server_cpu() - s0
        elif name == "files-auto":  # per file, autocommit, no IGNORE, full queue lines
            res = run_files(c, files, ignore_snap=False, ignore_queue=False, short=False, txn=False)
        elif name == "files-txn":
            res = run_files(c, files, ignore_snap=False, ignore_queue=False, short=False, txn=True)
        elif name == "files-import":  # as the import: txn, queue IGNORE, short form
            res = run_files(c, files, ignore_snap=False, ignore_queue=True, short=True, txn=True)
        elif name == "files-import-noignore":
            res = run_files(c, files, ignore_snap=False, ignore_queue=False, short=True, txn=True)
        elif name == "files-import-2lanes":
            res = run_files(c, files, ignore_snap=False, ignore_queue=True, short=True, txn=True, lanes=2)
        elif name == "files-import-2lanes-serial":  # two lanes, one LOAD DATA at a time
            res = run_files(c, files, ignore_snap=False, ignore_queue=True, short=True, txn=True, lanes=2,
                            one_load=True)
        elif name == "files-import-2lanes-tables":  # two lanes, never both loading into one table
            res = run_files(c, files, ignore_snap=False, ignore_queue=True, short=True, txn=True, lanes=2,
                            table_turns=True)
        elif name.startswith("files-import-group"):  # N files in one transaction, their rows in key order
            size = int(name.removeprefix("files-import-group"))
            res = run_files(c, grouped(files, size), ignore_snap=False, ignore_queue=True, short=True, txn=True)
        elif name.startswith("files-import-cat"):  # N files in one transaction, file after file
            size = int(name.removeprefix("files-import-cat"))
            res = run_files(c, grouped(files, size, ordered=False), ignore_snap=False, ignore_queue=True, short=True,
                            txn=True)
        else:
            raise SystemExit(f"unknown {variant}")
        wall, thread, server = res
        print(f"{variant:28s} wall {wall:6.1f} s  connection threads {thread:6.1f} s "
              f"({thread / events * 1e6:4.1f} us/ev)  "
              f"server {server:6.1f} s ({server / events * 1e6:4.1f} us/ev)  load {os.getloadavg()[0]:.1f}", flush=True)
        after = status(c)
        print("    " + ", ".join(f"{name.removeprefix('Innodb_')} {after[name] - counters.get(name, 0):,}"
                                 for name in COUNTERS if name in after), flush=True)
    cur = c.cursor()
    cur.execute("DROP TABLE IF EXISTS x_ride_status_snapshots, x_queue_data")


if __name__ == "__main__":
    main()
