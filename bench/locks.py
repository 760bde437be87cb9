"""Benchmark of the job lock (themepark.locks) on the benchmark database.

    BENCH_DATABASE_URL=mysql://root:@127.0.0.1:3306/bench_locks .venv/bin/python bench/locks.py [--cycles 200]

Times: a claim + release of one name (each on a connection of its own), the same for the 150
names of a statistics run over 150 parks, a lease renewal, and `ensure_held()`; then several
processes claiming one name at once, many rounds: exactly one must win each round. Reference:
a bare `SELECT 1` round trip on a new connection, the floor of any claim. Only loopback is
contacted.
"""
import argparse
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Timer, setup_django  # noqa: E402


def _mean_ms(samples):
    return 1000 * statistics.mean(samples)


def _claim_round(args):
    name, start_at = args
    from django.db import connections

    from themepark.locks import JobLock, LockBusy

    lock = JobLock(name, lease_seconds=30, purpose="bench")
    while time.time() < start_at:
        pass
    try:
        lock.acquire()
    except LockBusy:
        connections.close_all()
        return 0
    time.sleep(0.05)  # hold it while the others try
    lock.release()
    connections.close_all()
    return 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--racers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    setup_django()
    from django.db import connections

    from themepark.locks import JobLock

    with connections["default"].cursor() as cursor:
        cursor.execute("DELETE FROM job_lock")

    floor = []
    for _ in range(args.cycles):
        with Timer() as t:
            conn = connections.create_connection("default")
            with conn.cursor() as cursor:
                cursor.execute("SELECT 1")
            conn.close()
        floor.append(t.seconds)

    one, many, renew, check = [], [], [], []
    for _ in range(args.cycles):
        lock = JobLock("bench:one", lease_seconds=60)
        with Timer() as t:
            lock.acquire()
            lock.release()
        one.append(t.seconds)
    names = [f"stats:park:{i}" for i in range(150)]
    for _ in range(max(1, args.cycles // 20)):
        lock = JobLock(*names, lease_seconds=60)
        with Timer() as t:
            lock.acquire()
            lock.release()
        many.append(t.seconds)
    lock = JobLock(*names, lease_seconds=60)
    lock.acquire()
    conn = connections.create_connection("default")
    for _ in range(args.cycles):
        with Timer() as t:
            with conn.cursor() as cursor:
                cursor.execute(f"UPDATE job_lock SET expires_at = UTC_TIMESTAMP(6) + INTERVAL 60 SECOND "
                               f"WHERE token = %s AND name IN ({', '.join(['%s'] * len(names))})",
                               [lock.token, *names])
        renew.append(t.seconds)
    conn.close()
    for _ in range(args.cycles * 100):
        with Timer() as t:
            lock.ensure_held()
        check.append(t.seconds)
    lock.release()

    print(f"reference: new connection + SELECT 1: {_mean_ms(floor):.2f} ms")
    print(f"claim + release, one name: {_mean_ms(one):.2f} ms (mean of {len(one)})")
    print(f"claim + release, 150 names (a statistics run over 150 parks): {_mean_ms(many):.1f} ms "
          f"(mean of {len(many)})")
    print(f"lease renewal of 150 names (one UPDATE): {_mean_ms(renew):.2f} ms")
    print(f"ensure_held(): {1e6 * statistics.mean(check):.2f} us (no query)")

    wins = []
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(args.racers) as pool:
        for i in range(args.rounds):
            start_at = time.time() + 0.3
            wins.append(sum(pool.map(_claim_round, [(f"bench:race:{i}", start_at)] * args.racers)))
    print(f"{args.racers} processes claiming one name at once, {args.rounds} rounds: winners per round "
          f"{sorted(set(wins))} (must be [1])")
    if set(wins) != {1}:
        raise SystemExit("a round had no winner or more than one")


if __name__ == "__main__":
    main()
