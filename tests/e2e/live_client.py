"""A graphql-transport-ws client (the `websockets` library) for clusterEvents."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from e2e_server import Server
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

ADMIT = (
    "mutation($c: ID!, $n: String!) "
    "{ admitSubject(clusterId: $c, input: {name: $n, kind: SCHOOL}) { id } }"
)
FOUND = 'mutation { foundCluster(input: {name: "Live", region: "Fergana", form: FOCUSED}) { id } }'
SUBSCRIPTION = (
    "subscription($c: ID!, $after: Int) "
    "{ clusterEvents(clusterId: $c, after: $after) { position type hash aggregateId } }"
)


def parse_message(raw: str | bytes) -> dict[str, Any]:
    """A protocol message: JSON in a *text* frame. Browsers hand binary frames to
    JavaScript as a Blob and graphql-ws refuses them, so a bytes frame fails here."""
    assert isinstance(raw, str), f"binary frame on graphql-transport-ws: {raw[:80]!r}"
    message = json.loads(raw)
    assert isinstance(message, dict), message
    return message


def admit(server: Server, token: str, cluster_id: str, name: str) -> None:
    """Writes one event (SubjectAdmitted) through the HTTP API."""
    body = server.graphql(ADMIT, {"c": cluster_id, "n": name}, token)
    assert not body.get("errors"), body


def own_cluster(server: Server, history: int = 2) -> tuple[str, str]:
    """A new cluster (the shared demo cluster stays untouched) with a founding
    event and ``history`` more; its operator's token."""
    token = server.cli_token("--operator", "--name", f"Live operator {uuid.uuid4().hex[:6]}")
    cluster_id = server.graphql(FOUND, token=token)["data"]["foundCluster"]["id"]
    for i in range(history):
        admit(server, token, cluster_id, f"History {i}")
    return cluster_id, token


@contextmanager
def open_socket(base_url: str, token: str | None) -> Iterator[ClientConnection]:
    """Connects and sends connection_init with the token in its payload."""
    url = base_url.replace("http://", "ws://") + "/graphql"
    with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        payload = {"Authorization": f"Bearer {token}"} if token else {}
        ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        yield ws


@dataclass
class Subscriber:
    """Collects clusterEvents in a background thread."""

    base_url: str
    token: str
    cluster_id: str
    after: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    errors: list[Any] = field(default_factory=list)
    ended: float | None = None  # wall-clock time the server ended the operation
    _ws: ClientConnection | None = None
    _thread: threading.Thread | None = None
    _stack: ExitStack = field(default_factory=ExitStack)

    def start(self) -> Subscriber:
        self._ws = self._stack.enter_context(open_socket(self.base_url, self.token))
        ack = parse_message(self._ws.recv(timeout=30))
        assert ack["type"] == "connection_ack", ack
        variables = {"c": self.cluster_id, "after": self.after}
        self._ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": SUBSCRIPTION, "variables": variables},
                }
            )
        )
        self._thread = threading.Thread(target=self._collect, daemon=True)
        self._thread.start()
        return self

    def _collect(self) -> None:
        assert self._ws is not None
        try:
            for raw in self._ws:
                message = parse_message(raw)
                if message["type"] == "next" and not message["payload"].get("errors"):
                    self.events.append(message["payload"]["data"]["clusterEvents"])
                elif message["type"] in ("next", "error"):
                    self.errors.append(message["payload"])
                if message["type"] in ("complete", "error"):
                    self.ended = time.time()
        except ConnectionClosed:
            pass

    def wait_for(self, position: int, timeout: float) -> None:
        """Waits until the event at ``position`` has arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not any(
            e["position"] >= position for e in self.events
        ):
            time.sleep(0.05)

    def wait_until_ended(self, timeout: float) -> float | None:
        """Waits until the server ends the operation; the wall-clock time it did."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.ended is None:
            time.sleep(0.05)
        return self.ended

    @property
    def error_codes(self) -> list[str]:
        """The codes of the errors the server ended the operation with."""
        payloads = [p if isinstance(p, list) else p.get("errors", []) for p in self.errors]
        return [e.get("extensions", {}).get("code") for errors in payloads for e in errors]

    def stop(self) -> None:
        self._stack.close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    @property
    def positions(self) -> list[int]:
        return [e["position"] for e in self.events]
