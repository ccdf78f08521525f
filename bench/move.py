"""Moving a cluster between stores (`clusterwork cluster move`): the time to move
N events, from SQLite to PostgreSQL and back, beside a baseline measured in the
same run on the same source: the raw export (the audit export written to a file)
plus a raw read of the source's events table. The move does both and more
(verify the export, append through the recorder and check every hash, project
the read model), so move ÷ baseline says what the rest costs.
"""

from __future__ import annotations

import json
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from bench.audit import raw_scan, seed
from bench.stores import close, container_on
from domain.cluster import ClusterFounding
from infra.audit.export import write_export
from infra.bootstrap import Container, bootstrap
from infra.cluster_move import move_cluster, target_settings
from services.principal import Principal

RESULTS: list[dict[str, object]] = []
DIRECTIONS = [("sqlite", "postgres"), ("postgres", "sqlite")]


def run(quick: bool, backends: list[str]) -> None:
    events = 2_000 if quick else 100_000
    print(f"\n== move: {events} events ==")
    for source_backend, target_backend in DIRECTIONS:
        if source_backend not in backends:
            continue
        with container_on(source_backend) as source, container_on(target_backend) as target:
            if source is None or target is None:
                print(f"[{source_backend} → {target_backend}] skipped: PostgreSQL is unreachable")
                continue
            RESULTS.append(measure(source, target, source_backend, target_backend, events))
    if RESULTS and not quick:  # a smoke run never overwrites the recorded figures
        write_report()


def measure(
    source: Container, scratch: Container, source_backend: str, target_backend: str, events: int
) -> dict[str, object]:
    operator = Principal(f"op-{uuid.uuid4().hex[:8]}", "Bench operator", None, True)
    cluster = source.registry.found_cluster(
        operator, ClusterFounding("Move bench", "Bench", "GEOGRAPHIC")
    )
    partition = source.partitions.open(cluster.id)
    seed(source, partition, events)
    head = partition.log.head()
    export_s = best(lambda: raw_export(source, partition), runs=3)
    read_s = best(lambda: raw_scan(partition.log.engine), runs=3)
    # The scratch container only made the target store (a database, or a folder);
    # the move's own container opens it, with the source's keys.
    close(scratch)
    to = scratch.settings.database_url or str(scratch.settings.data_dir / "moved")
    target = bootstrap(target_settings(source.settings, to))
    steps = StepTimes()
    started = time.perf_counter()
    moved = move_cluster(source, target, cluster.id, steps.start)
    move_s = time.perf_counter() - started
    steps.stop()
    close(target)
    assert moved.head == head, (moved, head)
    row = {
        "direction": f"{source_backend} → {target_backend}",
        "events": head,
        "move_s": move_s,
        "move_per_s": head / move_s,
        "raw_export_s": export_s,
        "raw_read_s": read_s,
        "move_vs_baseline": move_s / (export_s + read_s),
        "writes_refused_s": moved.sealed_s,
        "steps_s": steps.spent,
    }
    print(json.dumps(row, indent=1, ensure_ascii=False))
    return row


def raw_export(container: Container, partition) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory(prefix="cw-move-") as folder:
        path = Path(folder) / "export.ndjson"
        with path.open("w") as handle:
            write_export(partition, handle, container.tokens.public_jwks(), "Move bench")


def best(action: Callable[[], object], runs: int) -> float:
    """Seconds of the fastest of ``runs`` runs (a shared machine's noise only slows)."""
    fastest = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        action()
        fastest = min(fastest, time.perf_counter() - started)
    return fastest


class StepTimes:
    """The seconds each step of the move took (a step ends when the next starts)."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self._current: tuple[str, float] | None = None

    def start(self, name: str, _total: int | None) -> Callable[[int], None]:
        self.stop()
        self._current = (name, time.perf_counter())
        return lambda _: None

    def stop(self) -> None:
        if self._current is not None:
            name, since = self._current
            self.spent[name] = self.spent.get(name, 0.0) + time.perf_counter() - since
            self._current = None


def write_report() -> None:
    from bench.report import replace_section

    lines = [
        "Command: `.venv/bin/python -m bench move` (part of `make bench`).",
        "",
        "The baseline is the raw export (the audit export written to a file) plus a raw read of "
        "the source's events table, fastest of 3 runs each, measured in the same run. The move "
        "exports, verifies the export, appends through the target's recorder checking every "
        "hash and projects the read model while the source takes writes, then seals the source "
        "(writes refused), catches up, copies checkpoints and projects what it caught up.",
        "",
        "| direction | events | move s | events/s | raw export s | raw read s "
        "| move ÷ (export + read) | writes refused s | steps (s) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in RESULTS:
        steps = ", ".join(f"{k} {v:.1f}" for k, v in r["steps_s"].items())  # type: ignore[attr-defined]
        lines.append(
            f"| {r['direction']} | {r['events']} | {r['move_s']:.1f} | {r['move_per_s']:,.0f} "
            f"| {r['raw_export_s']:.1f} | {r['raw_read_s']:.2f} | {r['move_vs_baseline']:.1f} "
            f"| {r['writes_refused_s']:.2f} | {steps} |"
        )
    replace_section("move", "Moving a cluster", "\n".join(lines))
