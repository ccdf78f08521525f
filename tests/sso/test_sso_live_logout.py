"""A browser signed in by SSO may subscribe with its session cookie alone (as
GraphiQL on our own origin does); POST /auth/logout ends that stream within
5 s with UNAUTHENTICATED, and nothing written after arrives."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import httpx
import pytest
from fake_issuer import FakeIssuer
from sso_api import ADMIT, FakeWorld
from sso_server import Server
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

pytestmark = pytest.mark.e2e

EVENTS = "subscription($c: ID!) { clusterEvents(clusterId: $c) { position } }"
POSITION = "query($c: ID!) { cluster(id: $c) { position } }"


def socket(server: Server, session: str, origin: str | None = None) -> ClientConnection:
    url = server.base_url.replace("http://", "ws://") + "/graphql"
    return connect(
        url,
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        additional_headers={"Cookie": f"cw_session={session}"},
        origin=origin,  # type: ignore[arg-type]
    )


class Stream:
    """clusterEvents over a socket signed in by the cookie; messages as they come."""

    def __init__(self, ws: ClientConnection, cluster_id: str) -> None:
        self.ws = ws
        self.messages: list[tuple[float, dict[str, Any]]] = []
        ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(ws.recv(timeout=30))["type"] == "connection_ack"
        subscribe = {"query": EVENTS, "variables": {"c": cluster_id}}
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
        self.thread = threading.Thread(target=self._collect, daemon=True)
        self.thread.start()

    def _collect(self) -> None:
        try:
            for raw in self.ws:
                assert isinstance(raw, str), raw
                self.messages.append((time.time(), json.loads(raw)))
        except ConnectionClosed:
            pass

    @property
    def positions(self) -> list[int]:
        return [
            m["payload"]["data"]["clusterEvents"]["position"]
            for _, m in self.messages
            if m["type"] == "next" and not m["payload"].get("errors")
        ]

    def wait(self, done: Any, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not done():
            time.sleep(0.05)


def test_logout_ends_a_stream_signed_in_by_the_session_cookie(
    issuer: FakeIssuer, fake_world: FakeWorld, server: Server, operator_token: str
) -> None:
    cluster_id = fake_world.cluster.id

    def admit(name: str) -> None:
        server.ok(
            ADMIT, {"c": cluster_id, "input": {"name": name, "kind": "SCHOOL"}}, operator_token
        )

    def head() -> int:
        return int(server.ok(POSITION, {"c": cluster_id}, operator_token)["cluster"]["position"])

    with httpx.Client(
        follow_redirects=True, timeout=30, headers={"Accept": "application/json"}
    ) as browser:
        assert browser.get(fake_world.login_url).status_code == 200
        session = browser.cookies["cw_session"]
        with socket(server, session) as ws:
            stream = Stream(ws, cluster_id)
            admit("Live with the cookie")
            live = head()
            stream.wait(lambda: live in stream.positions, timeout=30)
            assert stream.positions == list(range(1, live + 1))
            assert browser.post(f"{server.base_url}/auth/logout").json() == {"signed_out": True}
            signed_out = time.time()
            stream.wait(lambda: stream.messages[-1][1]["type"] == "complete", timeout=15)
            ended, last = stream.messages[-1]
            assert last == {"id": "1", "type": "complete"}
            assert ended - signed_out <= 5.0
            error = stream.messages[-2][1]["payload"]["errors"]
            assert [e["extensions"]["code"] for e in error] == ["UNAUTHENTICATED"]
            admit("Written after the logout")
            time.sleep(1.0)
            assert stream.positions == list(range(1, live + 1))
        # The ended session opens no socket either.
        with socket(server, session) as again, pytest.raises(ConnectionClosed) as closed:
            again.send(json.dumps({"type": "connection_init", "payload": {}}))
            again.recv(timeout=30)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


def test_a_page_of_another_origin_cannot_ride_the_session_cookie(
    issuer: FakeIssuer, fake_world: FakeWorld, server: Server
) -> None:
    with httpx.Client(
        follow_redirects=True, timeout=30, headers={"Accept": "application/json"}
    ) as browser:
        assert browser.get(fake_world.login_url).status_code == 200
        session = browser.cookies["cw_session"]
        with pytest.raises(InvalidStatus) as refused:
            socket(server, session, origin="http://pages.example")
        assert refused.value.response.status_code == 403
        with socket(server, session, origin=server.base_url) as ws:
            stream = Stream(ws, fake_world.cluster.id)
            stream.wait(lambda: bool(stream.positions), timeout=30)
            assert stream.positions[0] == 1
