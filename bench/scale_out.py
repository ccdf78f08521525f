"""Scale-out on one PostgreSQL (docs/scaling.md).

1. Throughput with 1 vs 2 API processes: the 8-client write load of figure 1,
   spread over 20 clusters, sent to one `clusterwork serve` or split between
   two (each projecting in-process, as by default); taken in turns.
2. 1,000 clusters on one database: founding them (schema per cluster), the
   same write load spread over all of them ÷ on one of them, the connections
   the API process holds to PostgreSQL while it serves them (sampled from
   /proc), its memory, and the database's size.

PostgreSQL only: SQLite is the embedded, single-process default.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg

from bench import harness, report, seed
from bench.harness import Stack, ms, p50
from bench.write_path import CLIENTS, persons, recorder

FULL = {"clusters": 20, "seconds": 15.0, "rounds": 2, "many": 1000, "seed_threads": 4}
QUICK = {"clusters": 4, "seconds": 2.5, "rounds": 1, "many": 30, "seed_threads": 2}

RESULTS: dict[str, Any] = {}


def run(quick: bool, backends: list[str]) -> None:
    size = QUICK if quick else FULL
    if "postgres" not in backends:
        print("\n== scale-out: PostgreSQL only; skipped ==")
        return
    print(f"\n== scale-out on one PostgreSQL: 1 vs 2 API processes; {size['many']} clusters ==")
    stack = harness.stack("postgres")
    if stack is None:
        print("[postgres] skipped: PostgreSQL is unreachable")
        return
    RESULTS["processes"] = two_processes(stack, size)
    RESULTS["many"] = many_clusters(stack, size)
    if not quick:
        write_report()


def found(stack: Stack, count: int, threads: int, name: str) -> tuple[list[seed.World], float]:
    people = persons(stack)
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        worlds = list(
            pool.map(
                lambda i: seed.mutual_control_cluster(
                    stack.container, people, name=f"{name} {i + 1}"
                ),
                range(count),
            )
        )
    return worlds, time.perf_counter() - started


def two_processes(stack: Stack, size: dict[str, Any]) -> dict[str, Any]:
    api1 = stack.server()
    worlds, _ = found(stack, size["clusters"], size["seed_threads"], "Scale cluster")
    clients = [recorder(worlds, p, i) for i, p in enumerate(persons(stack))]
    ones, twos = [], []
    with harness.serve(stack, name="serve-2") as api2:
        for _ in range(size["rounds"]):
            ones.append(harness.drive([api1], clients, size["seconds"]).check())
            twos.append(harness.drive([api1, api2], clients, size["seconds"]).check())
    one = sum(x.calls for x in ones) / sum(x.seconds for x in ones)
    two = sum(x.calls for x in twos) / sum(x.seconds for x in twos)
    row = {
        "clusters": size["clusters"],
        "one_per_s": one,
        "two_per_s": two,
        "ratio": two / one,
        "one_p50": p50([t for x in ones for t in x.latencies]),
        "two_p50": p50([t for x in twos for t in x.latencies]),
    }
    print(
        f"[postgres] 2 API processes {two:.0f}/s ÷ 1 API process {one:.0f}/s = {row['ratio']:.2f} "
        f"(p50 {ms(row['two_p50'])} vs {ms(row['one_p50'])} ms)"
    )
    return row


class Sampler(threading.Thread):
    """Peak PostgreSQL connections of one process, every 50 ms."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.samples = pid, 0, 0
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            self.peak = max(self.peak, harness.postgres_connections(self.pid))
            self.samples += 1
            time.sleep(0.05)

    def stop(self) -> int:
        self.halt.set()
        self.join()
        return self.peak


def many_clusters(stack: Stack, size: dict[str, Any]) -> dict[str, Any]:
    api = stack.server()
    pid = harness.PIDS[api]
    worlds, seconds = found(stack, size["many"], size["seed_threads"], "Tenant")
    with psycopg.connect(stack.url or "", autocommit=True) as conn:
        schemas = conn.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'cluster\\_%%'"
        ).fetchone()[0]  # type: ignore[index]
        db_bytes = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]  # type: ignore[index]
        max_connections = int(conn.execute("SHOW max_connections").fetchone()[0])  # type: ignore[index]
    people = persons(stack)
    one = [recorder(worlds[:1], p, i) for i, p in enumerate(people)]
    spread = [recorder(worlds, p, i) for i, p in enumerate(people)]
    sampler = Sampler(pid)
    sampler.start()
    ones, manys = [], []
    for _ in range(size["rounds"]):
        ones.append(harness.drive([api], one, size["seconds"]).check())
        manys.append(harness.drive([api], spread, size["seconds"]).check())
    peak = sampler.stop()
    single = sum(x.calls for x in ones) / sum(x.seconds for x in ones)
    many = sum(x.calls for x in manys) / sum(x.seconds for x in manys)
    settings = stack.container.settings
    row = {
        "clusters": len(worlds),
        "schemas": schemas,
        "seed_s": seconds,
        "db_mib": db_bytes / 2**20,
        "one_per_s": single,
        "many_per_s": many,
        "ratio": many / single,
        "many_p50": p50([t for x in manys for t in x.latencies]),
        "one_p50": p50([t for x in ones for t in x.latencies]),
        "peak_connections": peak,
        "samples": sampler.samples,
        "max_connections": max_connections,
        "bound": 2 * (settings.pg_pool_size + settings.pg_max_overflow) + 1,  # + LISTEN
        "rss_mib": harness.rss_mib(pid),
        "open_clusters": settings.partitions_open,
    }
    print(
        f"[postgres] {row['clusters']} clusters founded in {seconds:.0f} s "
        f"({1000 * seconds / row['clusters']:.0f} ms each, {row['db_mib']:.0f} MiB); writes over all "
        f"{many:.0f}/s ÷ one {single:.0f}/s = {row['ratio']:.2f}; API process peak "
        f"{peak} PostgreSQL connections (bound {row['bound']}, max_connections {max_connections}), "
        f"RSS {row['rss_mib']:.0f} MiB"
    )
    return row


def write_report() -> None:
    p, m = RESULTS["processes"], RESULTS["many"]
    opened = min(m["clusters"], round(m["many_per_s"] * FULL["seconds"] * FULL["rounds"]))
    body = f"""Command: `make bench` (this section: `.venv/bin/python -m bench scale_out --backend postgres`).

### Throughput with 1 vs 2 API processes on one PostgreSQL

{CLIENTS} clients recording assessments, each call to the next of {p["clusters"]} clusters, for
{FULL["seconds"]:.0f} s per phase, {FULL["rounds"]} phases each, in turns: all clients on one `clusterwork serve`,
or half on each of two (both projecting in-process, coordinated by the advisory-lock lease).

| API processes | mutations/s | p50 ms |
|---|---|---|
| 1 | {p["one_per_s"]:.0f} | {ms(p["one_p50"])} |
| 2 | {p["two_per_s"]:.0f} | {ms(p["two_p50"])} |
| ratio 2 ÷ 1 | **{p["ratio"]:.2f}** | |

### {m["clusters"]:,} clusters on one database

| measure | value |
|---|---|
| clusters founded, 8 subjects and a round each | {m["clusters"]:,} in {m["seed_s"]:.0f} s ({1000 * m["seed_s"] / m["clusters"]:.0f} ms each, {FULL["seed_threads"]} threads); {m["schemas"]:,} cluster schemas in the database |
| database size | {m["db_mib"]:.0f} MiB |
| writes spread over all clusters ÷ on one cluster | **{m["ratio"]:.2f}** ({m["many_per_s"]:.0f} vs {m["one_per_s"]:.0f} mutations/s; p50 {ms(m["many_p50"])} vs {ms(m["one_p50"])} ms) |
| peak PostgreSQL connections of the API process | **{m["peak_connections"]}** ({m["samples"]} samples; bound {m["bound"]} = 2 pools x (pool_size + max_overflow) + LISTEN; max_connections {m["max_connections"]}) |
| API process memory after the load (RSS) | {m["rss_mib"]:.0f} MiB, with about {opened:,} of the clusters opened by the spread load (open_clusters = {m["open_clusters"]}) |
"""
    report.replace_section("scale_out", "Scale-out on one PostgreSQL", body + NOTES)


NOTES = """

The machine has 2 cores, shared with PostgreSQL, the load generator and other work. A
second API process can only help as far as the first one is limited by its own GIL
rather than by the cores: the ratio above says how far that is here; on a machine with
a core per process the processes share nothing but PostgreSQL (no in-memory state that
must agree: leases, tracking positions and NOTIFY are in the database).

Connections stay bounded by the two pools of each process however many clusters there
are: every cluster's schema is reached through the same pools (the schema is chosen per
statement), so 1,000 clusters cost schemas, not connections. Writes spread over all of
them run at nearly the rate of writes to one; the small difference has the cause given
under figure 2 (concurrent writers of one cluster share projection passes).
"""
