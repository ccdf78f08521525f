"""`clusterwork serve` in its own process on a free port (testkit.server), and a
GraphQL client for it. The server's environment has none of the caller's CLUSTERWORK_*."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from testkit import server as launcher
from testkit.server import free_port, server_env

__all__ = ["Server", "free_port", "serve"]


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
        return launcher.cli(self.env, self.data_dir, *args)

    def operator_token(self) -> str:
        printed = launcher.cli_in_process(self.env, self.data_dir, "token", "--operator")
        return printed.strip().splitlines()[-1]

    def printed(self) -> str:
        """Everything the server logged so far (stdout and stderr)."""
        return self.log.read_text(errors="replace")


@contextmanager
def serve(
    data_dir: Path, port: int | None = None, log_level: str = "INFO", **extra: str
) -> Iterator[Server]:
    """Runs `clusterwork serve` until the block ends."""
    port = port or free_port()
    env = server_env(data_dir, port, log_level=log_level, extra=extra)
    name = f"serve-{port}"
    with launcher.serve(data_dir, env, port, name=name, merge_output=True):
        yield Server(f"http://127.0.0.1:{port}", env, data_dir, data_dir / f"{name}.log")
