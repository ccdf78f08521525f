"""What the HTTP benchmarks share: a scratch database per backend, Clusterwork's
own processes (`clusterwork serve`, `clusterwork worker`), the baseline app, and
a load generator with concurrent clients.

Load always comes from this process (the benchmark), over HTTP on 127.0.0.1,
to servers that run in processes of their own. Every phase is bounded in time.

Within one ``python -m bench`` run, each backend gets one scratch database (or
SQLite data directory) and one default `clusterwork serve`, started on first
use and stopped at the end (`close_all`): starting a server costs seconds on a
busy machine, and each figure uses clusters of its own anyway. Processes whose
presence changes how the others behave (a projection worker, `serve
--no-worker`, a second API process) live only as long as their figure.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.mutual_control import close, fresh_database, settings
from infra.bootstrap import Container, bootstrap
from testkit import server as launcher
from testkit.server import clusterwork_command, free_port, healthy, running, server_env, wait_until

REPO = Path(__file__).resolve().parent.parent
START_SECONDS = 90


class BenchError(RuntimeError):
    """A request failed: the figure is not valid (a process that did not start raises
    testkit.server.LaunchError)."""


# --- backends --------------------------------------------------------------------------


UNLIMITED = "1000000"  # requests per second per caller


@dataclass
class Stack:
    """One backend's database and a container on it (for seeding and tokens)."""

    backend: str
    data_dir: Path
    url: str | None
    container: Container
    exits: ExitStack = field(default_factory=ExitStack)
    memo: dict[object, Any] = field(default_factory=dict)  # seeded worlds shared by figures
    _servers: dict[str, str] = field(default_factory=dict)

    def env(self, **extra: str) -> dict[str, str]:
        """A server's environment: this stack's settings and none of the caller's.
        The rate limit still runs on every request but refuses none: a benchmark's
        clients share a few tokens and ask faster than any one person may."""
        settings = {"PYTHONPATH": str(REPO), "CLUSTERWORK_RATE_LIMIT_PER_SECOND": UNLIMITED}
        return server_env(self.data_dir, None, self.url, extra={**settings, **extra})

    def server(self) -> str:
        """The run's default `clusterwork serve` on this stack (started once)."""
        if "serve" not in self._servers:
            self._servers["serve"] = self.exits.enter_context(serve(self, name="serve"))
        return self._servers["serve"]

    def baseline(self) -> str:
        """The baseline app (plain FastAPI endpoints, raw SQL) on this stack."""
        if "baseline" not in self._servers:
            self._servers["baseline"] = self.exits.enter_context(baseline_app(self))
        return self._servers["baseline"]


_STACKS: dict[str, Stack | None] = {}
_OPEN = ExitStack()


def stack(backend: str) -> Stack | None:
    """This run's stack for ``backend``; None when PostgreSQL is unreachable."""
    if backend not in _STACKS:
        _STACKS[backend] = _OPEN.enter_context(_new_stack(backend))
    return _STACKS[backend]


def stacks(backends: list[str]) -> Iterator[Stack]:
    """This run's stack for each of ``backends`` that is reachable; says which is not."""
    for backend in backends:
        made = stack(backend)
        if made is None:
            print(f"[{backend}] skipped: PostgreSQL is unreachable")
            continue
        yield made


def close_all() -> None:
    """Stops every process and drops every scratch database of this run."""
    _OPEN.close()
    _STACKS.clear()


@contextmanager
def _new_stack(backend: str) -> Iterator[Stack | None]:
    with tempfile.TemporaryDirectory(prefix="cw-bench-") as tmp:
        data_dir = Path(tmp)
        if backend == "sqlite":
            container = bootstrap(settings(data_dir))
            with _closing(Stack(backend, data_dir, None, container)) as made:
                yield made
            return
        with fresh_database() as url:
            if url is None:
                yield None
                return
            container = bootstrap(settings(data_dir, url))
            try:
                with _closing(Stack(backend, data_dir, url, container)) as made:
                    yield made
            finally:
                close(container)


@contextmanager
def _closing(made: Stack) -> Iterator[Stack]:
    with made.exits:
        yield made


# --- processes ---------------------------------------------------------------------


@contextmanager
def process(
    stack: Stack, name: str, argv: list[str], env: dict[str, str]
) -> Iterator[subprocess.Popen[bytes]]:
    """Runs ``argv``, its output in the data directory; always stops it."""
    out, err = stack.data_dir / f"{name}.out", stack.data_dir / f"{name}.err"
    with running(argv, env, stack.data_dir, out, err) as popen:
        yield popen


@contextmanager
def serve(
    stack: Stack, *args: str, name: str = "serve", env: dict[str, str] | None = None
) -> Iterator[str]:
    """`clusterwork serve ARGS` on a free port (``env``: settings changed); yields its
    base URL once healthy."""
    port = free_port()
    settings = stack.env(**(env or {}))
    with launcher.serve(
        stack.data_dir, settings, port, *args, name=name, seconds=START_SECONDS
    ) as popen:
        base_url = f"http://127.0.0.1:{port}"
        PIDS[base_url] = popen.pid
        yield base_url


PIDS: dict[str, int] = {}  # base URL → process id of the server behind it


@contextmanager
def worker(stack: Stack, name: str = "worker") -> Iterator[subprocess.Popen[bytes]]:
    """`clusterwork worker`; yields once it says it runs (it claims clusters on its first pass)."""
    with process(stack, name, [clusterwork_command(), "worker"], stack.env()) as popen:
        err = stack.data_dir / f"{name}.err"
        wait_until(popen, lambda: "worker running" in err.read_text(), err, START_SECONDS)
        yield popen


@contextmanager
def baseline_app(stack: Stack) -> Iterator[str]:
    """bench/baseline_app.py under uvicorn, configured as `serve` configures it."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    argv = [sys.executable, "-m", "bench.baseline_app", "--port", str(port)]
    with process(stack, "baseline", argv, stack.env()) as popen:
        wait_until(popen, lambda: healthy(base_url), stack.data_dir / "baseline.err", START_SECONDS)
        yield base_url


# --- requests and load -----------------------------------------------------------------

OPERATIONS = REPO / "graphql" / "operations"


def operation(name: str) -> str:
    """A client operation of the contract (graphql/operations/NAME.graphql)."""
    return (OPERATIONS / f"{name}.graphql").read_text()


def graphql(
    client: httpx.Client,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
) -> dict[str, Any]:
    """POST /graphql; the data, or BenchError when the answer holds errors."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise BenchError(f"GraphQL error {response.status_code}: {str(body)[:500]}")
    return body["data"]  # type: ignore[no-any-return]


def http_client(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=60)


@dataclass
class Load:
    """What a timed load phase achieved."""

    calls: int
    seconds: float
    latencies: list[float]
    errors: int
    first_error: str | None = None

    @property
    def rate(self) -> float:
        return self.calls / self.seconds

    def check(self) -> Load:
        if self.errors:
            raise BenchError(
                f"{self.errors} of {self.calls + self.errors} requests failed: {self.first_error}"
            )
        return self


# One client: called again and again with its HTTP client and its call counter.
Client = Callable[[httpx.Client, int], None]


def drive(base_urls: list[str], clients: list[Client], seconds: float, warmup: int = 2) -> Load:
    """Runs every client in a thread of its own, for ``seconds``; client i talks to
    base_urls[i % len(base_urls)]. Each makes ``warmup`` untimed calls first."""
    ready = threading.Barrier(len(clients) + 1)
    times: list[list[float]] = [[] for _ in clients]
    failures: list[str] = []
    bounds: dict[str, float] = {}

    def run(index: int, call: Client) -> None:
        with http_client(base_urls[index % len(base_urls)]) as http:
            counter = 0
            try:
                for _ in range(warmup):
                    call(http, counter)
                    counter += 1
            except Exception as error:
                failures.append(repr(error))
            ready.wait()
            ready.wait()  # the clock starts
            deadline = bounds["end"]
            while True:
                started = time.perf_counter()
                if started >= deadline:
                    return
                try:
                    call(http, counter)
                except Exception as error:
                    failures.append(repr(error))
                else:
                    times[index].append(time.perf_counter() - started)
                counter += 1

    threads = [
        threading.Thread(target=run, args=(i, c), daemon=True) for i, c in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    ready.wait()
    bounds["start"] = time.perf_counter()
    bounds["end"] = bounds["start"] + seconds
    ready.wait()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    elapsed = time.perf_counter() - bounds["start"]
    latencies = [t for per_client in times for t in per_client]
    return Load(
        len(latencies), elapsed, latencies, len(failures), failures[0] if failures else None
    )


def timed(action: Callable[[], object], repeats: int) -> list[float]:
    found = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        found.append(time.perf_counter() - started)
    return found


def interleaved(
    actions: list[Callable[[], object]], repeats: int, warmup: int = 2
) -> list[list[float]]:
    """Times each action ``repeats`` times, in turns, so that all see the same load."""
    for action in actions:
        for _ in range(warmup):
            action()
    found: list[list[float]] = [[] for _ in actions]
    for _ in range(repeats):
        for action, times in zip(actions, found, strict=True):
            started = time.perf_counter()
            action()
            times.append(time.perf_counter() - started)
    return found


def p50(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def load_average() -> float:
    return os.getloadavg()[0]


def rss_mib(pid: int) -> float:
    """Resident memory of a process (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def postgres_connections(pid: int, port: int = 5432) -> int:
    """TCP connections a process holds to PostgreSQL (Linux /proc): its sockets
    whose remote port is ``port``."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if remote_port == port and fields[3] == "01" and fields[9] in inodes:  # ESTABLISHED
                count += 1
    return count


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"
