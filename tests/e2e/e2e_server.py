"""`clusterwork serve --demo` in its own process, and a real HTTP client for it.

The server gets a free port, its own data directory (and, for PostgreSQL, its
own database) and an environment without any CLUSTERWORK_* of the caller's
(testkit.server starts, watches and stops it).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from pg_support import fresh_database as _module_database

from testkit import server as launcher
from testkit.server import (
    clusterwork_command,
    free_port,
    printed_token,
    printed_value,
    server_env,
    stop,
)

__all__ = [
    "OPERATIONS",
    "REPO",
    "Server",
    "clusterwork_command",
    "codes",
    "free_port",
    "fresh_database",
    "printed_token",
    "printed_value",
    "serve",
    "serve_process",
    "server_env",
    "stop",
]

REPO = Path(__file__).resolve().parents[2]
OPERATIONS = REPO / "graphql" / "operations"


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
        """`clusterwork token ARGS` with the server's settings: the last stdout line.
        Run in this process (tests/infra/test_cli_state.py runs the command in its own)."""
        printed = launcher.cli_in_process(self.env, self.data_dir, "token", *args)
        return printed.strip().splitlines()[-1]

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
    with serve_process(data_dir, database_url, *extra, name=name) as (_, server):
        yield server


@contextmanager
def serve_process(
    data_dir: Path, database_url: str | None = None, *extra: str, name: str = "serve"
) -> Iterator[tuple[subprocess.Popen[bytes], Server]]:
    """As ``serve``, and the server's process too (stopped at the end if alive)."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = server_env(data_dir, port, database_url)
    out = data_dir / f"{name}.out"
    with (
        launcher.serve(
            data_dir,
            env,
            port,
            "--demo",
            *extra,
            name=name,
            ready=lambda: bool(printed_token(out.read_text().splitlines())),
        ) as process,
        httpx.Client(base_url=base_url, timeout=30) as client,
    ):
        lines = out.read_text().splitlines()
        cluster = printed_value(lines, "Demo cluster:")
        yield process, Server(base_url, env, data_dir, cluster, printed_token(lines), lines, client)


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new PostgreSQL database for one server; dropped afterwards."""
    with _module_database("cw_e2e") as url:
        yield url
