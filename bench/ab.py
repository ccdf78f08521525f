"""Two checkouts side by side: each one's `clusterwork serve --demo` (SQLite in a
scratch data directory each, or with ``BENCH_AB_BACKEND=postgres`` a scratch
PostgreSQL database each), the same request driven at both by autocannon in
alternated phases; the server's CPU per request (/proc) and its rate, per phase,
their medians, and B ÷ A.

    .venv/bin/python -m bench.ab CHECKOUT_A CHECKOUT_B [floor|members] [CLIENTS] [ROUNDS]

``floor`` is ``{ __typename }`` with the demo coordinator's token, ``members`` the
demo cluster's ``members { id name roles }``; 8 clients and 10 rounds of 2-s phases
unless given. Both servers run on this interpreter and its installed libraries,
each with its checkout first on the path, so only the project's code differs.
Phases alternate (A B, B A, ...) and the figure is the median of the per-round
ratios: on a shared machine, speed moves by a third within minutes, and two
servers measured minutes apart compare the machine. Not part of ``make bench``;
the tool behind "The floor, second round" in docs/performance.md.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.harness import UNLIMITED, BenchError
from bench.peer import CW_MEMBERS, FLOOR, Phase, Request, Server, load, load_generator
from bench.stores import fresh_database
from testkit.server import (
    LaunchError,
    free_port,
    healthy,
    printed_token,
    printed_value,
    running,
    server_env,
    wait_until,
)

PHASE_SECONDS = 2.0
DEMO_CLUSTER = "Demo cluster:"


@dataclass
class Served:
    server: Server
    token: str
    cluster_id: str


def printed(out: Path) -> tuple[str, str] | None:
    """The demo coordinator's token and cluster, once `serve --demo` printed them."""
    lines = out.read_text().splitlines() if out.exists() else []
    token = printed_token(lines)  # the banner's last line: the cluster's is there by then
    return (token, printed_value(lines, DEMO_CLUSTER)) if token else None


@contextmanager
def served(checkout: Path, data_dir: Path, database_url: str | None = None) -> Iterator[Served]:
    if not (checkout / "infra" / "cli.py").exists():
        raise BenchError(f"{checkout} is not a Clusterwork checkout (no infra/cli.py)")
    port = free_port()
    extra = {"PYTHONPATH": str(checkout), "CLUSTERWORK_RATE_LIMIT_PER_SECOND": UNLIMITED}
    env = server_env(data_dir, port, database_url, extra=extra)
    argv = [sys.executable, "-c", "from infra.cli import main; main()", "serve", "--demo"]
    out, err = data_dir / "serve.out", data_dir / "serve.err"
    base_url = f"http://127.0.0.1:{port}"
    with running(argv, env, data_dir, out, err) as process:
        wait_until(process, lambda: printed(out) is not None and healthy(base_url), err)
        found = printed(out)
        assert found is not None
        yield Served(Server(f"{base_url}/graphql", process.pid), *found)


def request(case: str, at: Served) -> Request:
    if case == "floor":
        return Request(FLOOR, token=at.token)
    return Request(CW_MEMBERS, {"id": at.cluster_id}, token=at.token)


def database(exits: ExitStack, backend: str) -> str | None:
    """A scratch PostgreSQL database's URL for one server, None on SQLite."""
    if backend == "sqlite":
        return None
    url = exits.enter_context(fresh_database())
    if url is None:
        raise BenchError("PostgreSQL is not reachable (BENCH_PG_ADMIN_URL)")
    return url


def compare(
    checkouts: tuple[Path, Path], case: str, clients: int, rounds: int, backend: str = "sqlite"
) -> None:
    with tempfile.TemporaryDirectory(prefix="cw-ab-") as tmp, ExitStack() as exits:
        root = Path(tmp)
        servers = []
        for name, checkout in zip("AB", checkouts, strict=True):
            (root / name).mkdir()
            url = database(exits, backend)
            servers.append(exits.enter_context(served(checkout.resolve(), root / name, url)))
        generator = exits.enter_context(load_generator(root))
        cpu: list[list[float]] = [[], []]
        rate: list[list[float]] = [[], []]
        for at in servers:  # a warm-up each
            load(generator, at.server, [request(case, at)] * clients, PHASE_SECONDS, None)
        for turn in range(rounds):
            for index in (0, 1) if turn % 2 == 0 else (1, 0):
                at, phase = servers[index], Phase()
                load(generator, at.server, [request(case, at)] * clients, PHASE_SECONDS, phase)
                cpu[index].append(phase.cpu_ms * 1000)
                rate[index].append(phase.rate)
    print(
        f"{case} ({backend}), {clients} client(s), {rounds} alternated rounds of "
        f"{PHASE_SECONDS:g} s:"
    )
    for name, checkout, used, rates in zip("AB", checkouts, cpu, rate, strict=True):
        print(
            f"  {name} {checkout}: CPU {statistics.median(used):.0f} µs per request "
            f"(rounds {' '.join(f'{u:.0f}' for u in used)}), {statistics.median(rates):,.0f} req/s"
        )
    ratios = [b / a for a, b in zip(cpu[0], cpu[1], strict=True)]
    print(
        f"  CPU per request B ÷ A: median {statistics.median(ratios):.2f} "
        f"(rounds {' '.join(f'{r:.2f}' for r in ratios)})"
    )


def main(argv: list[str]) -> None:
    if len(argv) < 2 or (len(argv) > 2 and argv[2] not in ("floor", "members")):
        raise SystemExit(
            "usage: python -m bench.ab CHECKOUT_A CHECKOUT_B [floor|members] [CLIENTS] [ROUNDS]"
        )
    case = argv[2] if len(argv) > 2 else "floor"
    clients = int(argv[3]) if len(argv) > 3 else 8
    rounds = int(argv[4]) if len(argv) > 4 else 10
    backend = os.environ.get("BENCH_AB_BACKEND", "sqlite")
    if backend not in ("sqlite", "postgres"):
        raise SystemExit(f"bench.ab: BENCH_AB_BACKEND is sqlite or postgres, not {backend!r}")
    try:
        compare((Path(argv[0]), Path(argv[1])), case, clients, rounds, backend)
    except (BenchError, LaunchError) as failed:
        raise SystemExit(f"bench.ab: {failed}") from None


if __name__ == "__main__":
    main(sys.argv[1:])
