"""A clusterEvents stream lasts only as long as the caller's right to it: a real
`clusterwork serve`, a real socket, the access taken away by a mutation or by
the clock. The server then ends the operation with a coded error (a last
`next` with errors, then `complete`) and delivers nothing written after."""

from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass

import pytest
from e2e_server import Server
from live_client import Subscriber

pytestmark = pytest.mark.e2e

STOPS_WITHIN = 5.0  # seconds, from the moment access ended
ADMIT = "mutation($c: ID!, $n: String!) { admitSubject(clusterId: $c, input: {name: $n, kind: SCHOOL}) { id } }"


@dataclass(frozen=True)
class Watched:
    """A cluster of the test's own, a member who reads it, and the operator."""

    server: Server
    cluster_id: str
    operator: str
    member_id: str
    subject_id: str

    def admit(self, name: str) -> None:
        body = self.server.graphql(ADMIT, {"c": self.cluster_id, "n": name}, self.operator)
        assert not body.get("errors"), body

    def head(self) -> int:
        return self.server.position(self.cluster_id, self.operator)

    def member_token(self, *extra: str) -> str:
        return self.server.cli_token(
            "--cluster", self.cluster_id, "--member", self.member_id, *extra
        )

    def subscribe(self, token: str) -> Subscriber:
        """Subscribed from the start, with the whole history received."""
        head = self.head()
        subscriber = Subscriber(self.server.base_url, token, self.cluster_id).start()
        subscriber.wait_for(head, timeout=30)
        assert subscriber.positions == list(range(1, head + 1)), subscriber.errors
        return subscriber


@pytest.fixture
def watched(server: Server, operator_token: str) -> Watched:
    form = {"name": f"Watched {uuid.uuid4().hex[:6]}", "region": "Khorezm", "form": "FOCUSED"}
    cluster_id = server.run("found_cluster", {"input": form}, operator_token)["foundCluster"]["id"]
    admitted = server.graphql(ADMIT, {"c": cluster_id, "n": "Reader school"}, operator_token)
    subject_id = admitted["data"]["admitSubject"]["id"]
    variables = {
        "clusterId": cluster_id,
        "input": {"name": "Reader", "roles": ["MEMBER"], "subjectId": subject_id},
    }
    member_id = server.run("add_member", variables, operator_token)["addMember"]["id"]
    return Watched(server, cluster_id, operator_token, member_id, subject_id)


def assert_ends_with(subscriber: Subscriber, code: str, since: float) -> None:
    ended = subscriber.wait_until_ended(timeout=since - time.time() + STOPS_WITHIN + 10)
    assert ended is not None, f"the stream went on: {subscriber.positions}"
    assert ended - since <= STOPS_WITHIN, f"stopped {ended - since:.1f}s after access ended"
    assert subscriber.error_codes == [code]


def assert_nothing_after(watched: Watched, subscriber: Subscriber, last_allowed: int) -> None:
    """An event written after the end never arrives."""
    watched.admit("Written after the end")
    time.sleep(1.0)
    assert subscriber.positions == list(range(1, last_allowed + 1))


def test_revoking_the_role_ends_the_stream_with_forbidden(watched: Watched) -> None:
    subscriber = watched.subscribe(watched.member_token())
    try:
        watched.admit("Live before")
        subscriber.wait_for(watched.head(), timeout=30)
        before = watched.head()
        revoked = watched.server.run(
            "revoke_role",
            {"clusterId": watched.cluster_id, "memberId": watched.member_id, "role": "MEMBER"},
            watched.operator,
        )
        assert revoked["revokeRole"]["roles"] == []
        assert_ends_with(subscriber, "FORBIDDEN", since=time.time())
        # The revocation itself (position before + 1) is already past the end.
        assert_nothing_after(watched, subscriber, before)
    finally:
        subscriber.stop()


def test_an_expired_token_ends_the_stream_with_unauthenticated_even_when_idle(
    watched: Watched,
) -> None:
    # Long enough to connect and receive the history on a busy machine.
    token = watched.member_token("--ttl", "6")
    expires = claims(token)["exp"]
    subscriber = watched.subscribe(token)
    try:
        head = watched.head()
        assert subscriber.ended is None
        assert_ends_with(subscriber, "UNAUTHENTICATED", since=expires)
        assert_nothing_after(watched, subscriber, head)
    finally:
        subscriber.stop()


def test_withdrawing_the_subject_ends_its_members_stream_with_forbidden(
    watched: Watched,
) -> None:
    subscriber = watched.subscribe(watched.member_token())
    try:
        watched.admit("Live before")
        subscriber.wait_for(watched.head(), timeout=30)
        before = watched.head()
        withdrawn = {"clusterId": watched.cluster_id, "subjectId": watched.subject_id}
        watched.server.run("withdraw_subject", withdrawn, watched.operator)
        assert_ends_with(subscriber, "FORBIDDEN", since=time.time())
        # The withdrawal itself (position before + 1) is already past the end.
        assert_nothing_after(watched, subscriber, before)
        # Queries still read the history: withdrawn members keep read access.
        read = watched.server.graphql(
            "query($id: ID!) { cluster(id: $id) { position } }",
            {"id": watched.cluster_id},
            watched.member_token(),
        )
        assert read["data"]["cluster"]["position"] > before, read
    finally:
        subscriber.stop()


def claims(token: str) -> dict[str, int]:
    """The token's claims, read without verifying (the server verifies)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
