"""How many threads should run GraphQL operations (CLUSTERWORK_REQUEST_THREADS)?
A paired comparison behind “Threads for operations” in docs/performance.md.

Two `clusterwork serve` processes run at once on one database, one with as many
threads as CPUs (at least 2; SQLite's default) and one with Python's default
for waiting work (CPUs + 4, up to 32; PostgreSQL's default). Each has its own
clusters. The four phases of figure 2's load (8 clients, one cluster or spread
over all of them, on either server) are interleaved in short rounds, in a
rotating order, so the machine's drift falls on all four alike: taken one
server after the other, the same setting moved by a quarter between runs.
"""

from __future__ import annotations

import statistics
from contextlib import ExitStack
from typing import Any

from bench import harness, report
from bench.write_path import clusters_in_use, persons, recorder, warm_up
from infra.settings import default_request_threads

FULL = {"clusters": 100, "past_events": 3_000, "rounds": 10, "seconds": 4.0}
QUICK = {"clusters": 4, "past_events": 100, "rounds": 1, "seconds": 1.0}
PHASES = ("one", "spread")

RESULTS: dict[str, dict[str, Any]] = {}


def settings_compared() -> dict[str, int]:
    """The two sizes: the SQLite rule and Python's default (the PostgreSQL rule)."""
    return {
        "CPUs": default_request_threads(postgres=False),
        "CPUs + 4": default_request_threads(postgres=True),
    }


def run(quick: bool, backends: list[str]) -> None:
    size = QUICK if quick else FULL
    print(f"\n== request threads: paired, {size['rounds']} rounds of {size['seconds']} s ==")
    for stack in harness.stacks(backends):
        RESULTS[stack.backend] = compare(stack, size)
    if RESULTS and not quick:
        write_report()


def compare(stack: harness.Stack, size: dict[str, Any]) -> dict[str, Any]:
    people = persons(stack)
    sizes = settings_compared()
    loads: dict[tuple[str, str], tuple[str, list[harness.Client]]] = {}
    rates: dict[tuple[str, str], list[float]] = {}
    with ExitStack() as servers:
        for name, threads in sizes.items():
            worlds = clusters_in_use(
                stack, people, size["clusters"], size["past_events"], f"Threads {threads}"
            )
            base = servers.enter_context(
                harness.serve(stack, name=f"serve-threads-{threads}", env=threads_env(threads))
            )
            one = [recorder(worlds[:1], p, i) for i, p in enumerate(people)]
            spread = [recorder(worlds, p, i) for i, p in enumerate(people)]
            warm_up(base, one, spread, size["clusters"], size["seconds"])
            loads[(name, "one")], loads[(name, "spread")] = (base, one), (base, spread)
        keys = list(loads)
        rates = {key: [] for key in keys}
        for turn in range(size["rounds"]):
            order = keys[turn % len(keys) :] + keys[: turn % len(keys)]
            for key in reversed(order) if turn % 2 else order:
                base, clients = loads[key]
                rates[key].append(harness.drive([base], clients, size["seconds"]).check().rate)
    few, many = sizes
    row: dict[str, Any] = {"threads": sizes, "load": harness.load_average()}
    for name in sizes:
        for phase in PHASES:
            row[f"{name} {phase}"] = statistics.mean(rates[(name, phase)])
        row[f"{name} figure 2"] = row[f"{name} spread"] / row[f"{name} one"]
    for phase in PHASES:
        paired = [a / b for a, b in zip(rates[(few, phase)], rates[(many, phase)], strict=True)]
        row[f"paired {phase}"] = (statistics.mean(paired), min(paired), max(paired))
    print(
        f"[{stack.backend}] {sizes[few]} threads ÷ {sizes[many]}: one cluster "
        f"{row['paired one'][0]:.2f}, spread {row['paired spread'][0]:.2f}; figure 2 "
        f"{row[f'{few} figure 2']:.2f} with {sizes[few]}, {row[f'{many} figure 2']:.2f} "
        f"with {sizes[many]}"
    )
    return row


def threads_env(threads: int) -> dict[str, str]:
    return {"CLUSTERWORK_REQUEST_THREADS": str(threads)}


def write_report() -> None:
    sizes = settings_compared()
    few, many = sizes
    lines = [
        "Command: `make bench` (this section: `.venv/bin/python -m bench request_threads`).",
        "",
        f"Two servers at once, `CLUSTERWORK_REQUEST_THREADS` = {sizes[few]} "
        f"(CPUs) and {sizes[many]} (CPUs + 4), each with its own "
        f"{FULL['clusters']} clusters ({FULL['past_events']:,} past events each); figure 2's "
        f"load (8 clients) on one cluster or spread, the four phases interleaved in "
        f"{FULL['rounds']} rounds of {FULL['seconds']:.0f} s.",
        "",
        "| backend | threads | one cluster mutations/s | spread mutations/s | spread ÷ one "
        "| paired ÷, one cluster (min-max) | paired ÷, spread (min-max) |",
        "|---|---|---|---|---|---|---|",
    ]
    for backend, r in RESULTS.items():
        for name in (few, many):
            lines.append(
                f"| {backend} | {r['threads'][name]} ({name}) | {r[f'{name} one']:.0f} "
                f"| {r[f'{name} spread']:.0f} | {r[f'{name} figure 2']:.2f} | | |"
            )
        one, spread = r["paired one"], r["paired spread"]
        lines.append(
            f"| {backend} | {r['threads'][few]} ÷ {r['threads'][many]} | | | "
            f"| **{one[0]:.2f}** ({one[1]:.2f}-{one[2]:.2f}) "
            f"| **{spread[0]:.2f}** ({spread[1]:.2f}-{spread[2]:.2f}) |"
        )
    report.replace_section("request_threads", "Threads for operations", "\n".join(lines) + NOTES)


NOTES = """

"Paired ÷" is the mean, over the rounds, of one round's rate with as many threads as
CPUs ÷ the same round's rate with CPUs + 4. On SQLite the fewer threads served more spread
over many clusters in every run, and as much on one cluster: SQLite runs as many threads as
CPUs. On PostgreSQL the two settings came out within the rounds' spread of each other before
group commit; since, more threads serve one cluster far more (writers of a cluster share an
append only when they are in flight together) and spread load alike: it keeps Python's
default, which also leaves room for round trips to a database across a network (README,
"Settings"; docs/scaling.md, "Threads").
"""
