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

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))

from e2e_server import Server, fresh_database, serve_process
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
    with serve_process(data_dir, database_url, name=name) as started:
        yield started


def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL: no shutdown handler, no flush, no goodbye."""
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=15)
