"""`clusterwork serve --demo` in its own process, and a real HTTP client for it.

The server gets a free port, its own data directory (and, for PostgreSQL, its
own database) and an environment without any CLUSTERWORK_* of the caller's.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest
from pg_support import new_database
from psycopg import sql

REPO = Path(__file__).resolve().parents[2]
OPERATIONS = REPO / "graphql" / "operations"
ADMIN_URL = os.environ.get(
    "CLUSTERWORK_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
START_SECONDS = 60


def clusterwork_command() -> str:
    """The installed console script beside this interpreter (pip install -e .)."""
    script = Path(sys.executable).parent / "clusterwork"
    assert script.exists(), f"{script} is missing: install the package (make install)"
    return str(script)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_env(data_dir: Path, port: int, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERWORK_")}
    env.update(
        CLUSTERWORK_DATA_DIR=str(data_dir),
        CLUSTERWORK_HOST="127.0.0.1",
        CLUSTERWORK_PORT=str(port),
        CLUSTERWORK_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    if database_url:
        env["CLUSTERWORK_DATABASE_URL"] = database_url
    return env


@dataclass
class Server:
    """A running server, what it printed, and how to talk to it."""

    base_url: str
    env: dict[str, str]
    data_dir: Path
    demo_cluster_id: str
    token: str
    printed: list[str]
    client: httpx.Client = field(repr=False)

    def graphql(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        """The JSON body of a POST /graphql (errors included, never raised)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.headers["content-type"].startswith("application/json"), response.text
        return response.json()

    def run(self, name: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
        """graphql/operations/<name>.graphql; its data, asserting it raised no error."""
        body = self.graphql((OPERATIONS / f"{name}.graphql").read_text(), variables, token)
        assert not body.get("errors"), body["errors"]
        return body["data"]

    def cli_token(self, *args: str) -> str:
        """`clusterwork token ARGS` with the server's settings: the last stdout line."""
        done = subprocess.run(
            [clusterwork_command(), "token", *args],
            env=self.env,
            cwd=self.data_dir,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1]

    def position(self, cluster_id: str, token: str) -> int:
        body = self.graphql(
            "query($id: ID!) { cluster(id: $id) { position } }", {"id": cluster_id}, token
        )
        return int(body["data"]["cluster"]["position"])


def codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


@contextmanager
def serve(
    data_dir: Path, database_url: str | None = None, *extra: str, name: str = "serve"
) -> Iterator[Server]:
    """Starts `clusterwork serve --demo EXTRA…`; always terminates it. Servers
    sharing a data directory share its signing key (and the demo cluster)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = server_env(data_dir, port, database_url)
    out, err = data_dir / f"{name}.out", data_dir / f"{name}.err"
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            [clusterwork_command(), "serve", "--demo", "--port", str(port), *extra],
            env=env,
            cwd=data_dir,
            stdout=stdout,
            stderr=stderr,
        )
    try:
        base_url = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base_url, timeout=30) as client:
            lines = wait_until_ready(process, client, out, err)
            yield Server(
                base_url,
                env,
                data_dir,
                printed_value(lines, "Demo cluster:"),
                printed_token(lines),
                lines,
                client,
            )
    finally:
        stop(process)


def wait_until_ready(
    process: subprocess.Popen[bytes], client: httpx.Client, out: Path, err: Path
) -> list[str]:
    """The printed lines, once the token is printed and /healthz answers."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"clusterwork serve exited {process.returncode}:\n{err.read_text()[-3000:]}"
            )
        lines = out.read_text().splitlines()
        if printed_token(lines) and healthy(client):
            return lines
        time.sleep(0.2)
    pytest.fail(f"clusterwork serve did not start in {START_SECONDS}s:\n{err.read_text()[-3000:]}")


def healthy(client: httpx.Client) -> bool:
    try:
        return client.get("/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def printed_token(lines: list[str]) -> str:
    """The line after "Coordinator token" (empty until printed)."""
    for index, line in enumerate(lines[:-1]):
        if line.startswith("Coordinator token"):
            return lines[index + 1].strip()
    return ""


def printed_value(lines: list[str], label: str) -> str:
    return next(line.removeprefix(label).strip() for line in lines if line.startswith(label))


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new PostgreSQL database for one server; dropped afterwards."""
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.Error as error:  # CI=true turns this skip into a failure
        pytest.skip(f"PostgreSQL at {ADMIN_URL} is unreachable: {error}")
    with admin:
        name = new_database(admin, "cw_e2e")
    try:
        yield urlsplit(ADMIN_URL)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
