"""The JavaScript subscription clients people use, graphql-ws 6 and Apollo
Client 4's GraphQLWsLink (tests/clients/ws, installed by `make install` with
npm ci), run in node by tests/clients/ws/subscribe.mjs."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from typing import Any

from e2e_server import REPO, Server
from node_support import require_node

CLIENTS = REPO / "tests" / "clients" / "ws"
CLIENT_NAMES = ["graphql-ws", "apollo"]


def subscribe(
    client: str,
    server: Server,
    token: str,
    cluster_id: str,
    after: int,
    until: int,
    on_event: Callable[[int], None] = lambda _: None,
    fields: str = "position type",
) -> list[dict[str, Any]]:
    """Everything tests/clients/ws/subscribe.mjs reported, one dict a line;
    ``on_event`` sees each position as it arrives; ``fields`` are the event's
    fields selected (``position`` among them)."""
    node = require_node(CLIENTS, "graphql-ws", "the subscription clients run on it")
    options = {
        "client": client,
        "url": server.base_url.replace("http://", "ws://") + "/graphql",
        "token": token,
        "clusterId": cluster_id,
        "after": after,
        "until": until,
        "fields": fields,
    }
    with subprocess.Popen(
        [node, str(CLIENTS / "subscribe.mjs"), json.dumps(options)],
        cwd=CLIENTS,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        reports = []
        for report in lines(process):
            reports.append(report)
            if "event" in report:
                on_event(report["event"]["position"])
        stderr = process.stderr.read() if process.stderr else ""
        assert process.wait(timeout=30) == 0, (reports, stderr)
    return reports


def lines(process: subprocess.Popen[str]) -> Iterator[dict[str, Any]]:
    assert process.stdout is not None
    for line in process.stdout:
        yield json.loads(line)


def positions(reports: list[dict[str, Any]]) -> list[int]:
    return [r["event"]["position"] for r in reports if "event" in r]
