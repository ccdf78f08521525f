"""clusterEvents over graphql-transport-ws against `clusterwork serve`."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

import pytest
from e2e_server import Server
from live_client import Subscriber, open_socket, parse_message
from websockets.exceptions import ConnectionClosed

ADMIT = "mutation($c: ID!, $n: String!) { admitSubject(clusterId: $c, input: {name: $n, kind: SCHOOL}) { id } }"
FOUND = 'mutation { foundCluster(input: {name: "Live", region: "Fergana", form: FOCUSED}) { id } }'


@dataclass(frozen=True)
class Live:
    """A cluster of this test's own (the shared demo cluster stays untouched)."""

    server: Server
    cluster_id: str
    token: str

    def admit(self, name: str) -> None:
        body = self.server.graphql(ADMIT, {"c": self.cluster_id, "n": name}, self.token)
        assert not body.get("errors"), body

    def head(self) -> int:
        return self.server.position(self.cluster_id, self.token)

    def subscriber(self, after: int) -> Subscriber:
        return Subscriber(self.server.base_url, self.token, self.cluster_id, after=after).start()


@pytest.fixture
def live(server: Server) -> Live:
    token = server.cli_token("--operator", "--name", f"Live operator {uuid.uuid4().hex[:6]}")
    body = server.graphql(FOUND, token=token)
    return Live(server, body["data"]["foundCluster"]["id"], token)


def test_a_subscriber_gets_the_history_after_its_position_then_live_events(live: Live) -> None:
    for i in range(3):
        live.admit(f"History school {i}")
    head = live.head()
    subscriber = live.subscriber(after=head - 3)
    try:
        subscriber.wait_for(head, timeout=30)
        for i in range(3):
            live.admit(f"Live school {i}")
        subscriber.wait_for(head + 3, timeout=30)
    finally:
        subscriber.stop()
    assert subscriber.positions == list(range(head - 2, head + 4))
    assert [e["type"] for e in subscriber.events[-3:]] == ["SubjectAdmitted"] * 3
    assert all(len(e["hash"]) == 64 for e in subscriber.events)


def test_a_subscriber_that_reconnects_after_its_last_position_misses_nothing(live: Live) -> None:
    head = live.head()
    first = live.subscriber(after=head)
    live.admit("Before the drop")
    first.wait_for(head + 1, timeout=30)
    first.stop()
    live.admit("While away 1")
    live.admit("While away 2")
    again = live.subscriber(after=first.positions[-1])
    try:
        again.wait_for(head + 3, timeout=30)
    finally:
        again.stop()
    assert first.positions + again.positions == [head + 1, head + 2, head + 3]


@pytest.mark.parametrize("token", [None, "not-a-token", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."])
def test_a_connection_without_a_valid_token_is_closed_with_4403(
    server: Server, token: str | None
) -> None:
    with open_socket(server.base_url, token) as ws, pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=30)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


def test_a_subscription_to_a_foreign_cluster_is_not_found(server: Server) -> None:
    stranger = server.cli_token("--operator", "--name", "Operator of another region")
    with open_socket(server.base_url, stranger) as ws:
        assert parse_message(ws.recv(timeout=30))["type"] == "connection_ack"
        ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {
                        "query": "subscription($c: ID!) { clusterEvents(clusterId: $c) { position } }",
                        "variables": {"c": server.demo_cluster_id},
                    },
                }
            )
        )
        message = parse_message(ws.recv(timeout=30))
    codes = (
        [e["extensions"]["code"] for e in message["payload"]]
        if message["type"] == "error"
        else [e["extensions"]["code"] for e in message["payload"]["errors"]]
    )
    assert codes == ["NOT_FOUND"]
