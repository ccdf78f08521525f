"""`clusterwork serve` in its own process on a free port, and a GraphQL client
for it. The server's environment has none of the caller's CLUSTERWORK_*."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clusterwork_command() -> str:
    script = Path(sys.executable).parent / "clusterwork"
    assert script.exists(), f"{script} is missing: install the package (make install)"
    return str(script)


@dataclass
class Server:
    base_url: str
    env: dict[str, str]
    data_dir: Path
    log: Path

    def graphql(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        """The JSON body of POST /graphql (errors included, never raised)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = httpx.post(
            f"{self.base_url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
            timeout=30,
        )
        return response.json()

    def ok(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        body = self.graphql(query, variables, token)
        assert not body.get("errors"), body["errors"]
        return body["data"]

    def cli(self, *args: str) -> str:
        """`clusterwork ARGS` with the server's settings; its stdout."""
        done = subprocess.run(
            [clusterwork_command(), *args],
            env=self.env,
            cwd=self.data_dir,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def operator_token(self) -> str:
        return self.cli("token", "--operator").strip().splitlines()[-1]

    def printed(self) -> str:
        """Everything the server logged so far (stdout and stderr)."""
        return self.log.read_text(errors="replace")


def server_env(data_dir: Path, port: int, log_level: str, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERWORK_")}
    env.update(
        CLUSTERWORK_DATA_DIR=str(data_dir),
        CLUSTERWORK_HOST="127.0.0.1",
        CLUSTERWORK_PORT=str(port),
        CLUSTERWORK_LOG_LEVEL=log_level,
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


@contextmanager
def serve(
    data_dir: Path, port: int | None = None, log_level: str = "INFO", **extra: str
) -> Iterator[Server]:
    """Runs `clusterwork serve` until the block ends."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    env = server_env(data_dir, port, log_level, extra)
    log = data_dir / f"serve-{port}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [clusterwork_command(), "serve", "--port", str(port)],
            env=env,
            cwd=data_dir,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        server = Server(f"http://127.0.0.1:{port}", env, data_dir, log)
        wait_until_healthy(process, server)
        yield server
    finally:
        stop(process)


def wait_until_healthy(process: subprocess.Popen[bytes], server: Server) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"clusterwork serve exited {process.returncode}:\n{server.printed()[-3000:]}"
            )
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"clusterwork serve did not start in {START_SECONDS}s:\n{server.printed()[-3000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
