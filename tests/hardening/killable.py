"""`clusterwork serve` as a process this test may SIGKILL, and restart on the
same data (directory and database). Settings come from a ``.env`` file in the
data directory (the server's working directory), since e2e_server gives the
server an environment without the caller's CLUSTERWORK_* variables."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))

from e2e_server import (
    Server,
    clusterwork_command,
    free_port,
    fresh_database,
    printed_token,
    printed_value,
    server_env,
    stop,
    wait_until_ready,
)
from live_client import Subscriber

__all__ = ["Server", "Subscriber", "fresh_database", "kill", "running", "write_env"]


def write_env(data_dir: Path, **settings: object) -> None:
    """Settings for every server started in ``data_dir``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    lines = [f"CLUSTERWORK_{k.upper()}={v}" for k, v in settings.items()]
    (data_dir / ".env").write_text("\n".join(lines) + "\n")


@contextmanager
def running(
    data_dir: Path, database_url: str | None, name: str
) -> Iterator[tuple[subprocess.Popen[bytes], Server]]:
    """Starts `serve --demo`; yields the process and a Server; stops it if alive."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = server_env(data_dir, port, database_url)
    out, err = data_dir / f"{name}.out", data_dir / f"{name}.err"
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            [clusterwork_command(), "serve", "--demo", "--port", str(port)],
            env=env, cwd=data_dir, stdout=stdout, stderr=stderr,
        )  # fmt: skip
    try:
        base_url = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base_url, timeout=30) as client:
            lines = wait_until_ready(process, client, out, err)
            cluster = printed_value(lines, "Demo cluster:")
            yield (
                process,
                Server(base_url, env, data_dir, cluster, printed_token(lines), lines, client),
            )
    finally:
        stop(process)


def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL: no shutdown handler, no flush, no goodbye."""
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=15)
