"""An erased person's stream ends, seen by the standard clients (graphql-ws 6
and Apollo Client 4's GraphQLWsLink in node) against `clusterwork serve`: the
member is erased and the person's token revoked, so the server ends the
operation with a coded error and completes it, and nothing written after the erasure reaches
the client. Anyone who subscribes afterwards reads the erased member's events
with the placeholder, never the name. Both backends."""

from __future__ import annotations

import json

import pytest
from e2e_server import Server
from js_clients import CLIENT_NAMES, positions, subscribe
from live_client import admit, own_cluster

from domain.personal import erased_name

pytestmark = pytest.mark.e2e

READER = "Rustam Erasable"


def test_erasing_the_person_ends_their_stream(server: Server) -> None:
    # graphql-ws follows the erased person's stream; Apollo reads the history after.
    follower, historian = CLIENT_NAMES
    cluster_id, operator = own_cluster(server)
    reader = {"clusterId": cluster_id, "input": {"name": READER, "roles": ["MEMBER"]}}
    member_id = server.run("add_member", reader, operator)["addMember"]["id"]
    token = server.cli_token("--cluster", cluster_id, "--member", member_id)
    person_id = server.graphql("{ viewer { id } }", token=token)["data"]["viewer"]["id"]
    head = server.position(cluster_id, operator)
    erased: list[dict[str, object]] = []

    def erase_once_the_history_is_in(position: int) -> None:
        if position == head and not erased:
            variables = {"personId": person_id, "reason": "ticket 2026-117"}
            erased.append(server.run("erase_person", variables, operator)["erasePerson"])
            admit(server, operator, cluster_id, "Written after the erasure")

    reports = subscribe(
        follower, server, token, cluster_id, 0, head + 1000, erase_once_the_history_is_in
    )

    assert erased and erased[0]["clusterIds"] == [cluster_id], erased
    received = positions(reports)
    # The history, then at most the erasure itself (PersonErased carries no
    # personal data); never the subject admitted after it.
    assert received in (list(range(1, head + 1)), list(range(1, head + 2))), reports
    ending = [r for r in reports if "event" not in r]
    codes = [e.get("extensions", {}).get("code") for e in ending[0]["errors"]]
    # FORBIDDEN when the stream meets the member's erasure first (recorded before the
    # person's directory rows go), UNAUTHENTICATED when it meets the revoked token first.
    assert len(codes) == 1 and codes[0] in {"FORBIDDEN", "UNAUTHENTICATED"}, reports
    assert ending[1:] == [{"complete": True}], reports

    # The token stays refused: on a new connection the client is closed with 4403.
    again = subscribe(follower, server, token, cluster_id, 0, 1)
    assert positions(again) == []
    assert [r.get("closed") for r in again if "closed" in r] == [4403], again

    # The whole history afterwards, with the events' facts, as the operator reads it.
    last = server.position(cluster_id, operator)
    history = subscribe(
        historian, server, operator, cluster_id, 0, last, fields="position type data"
    )
    assert positions(history) == list(range(1, last + 1)), history
    added = [
        r["event"]["data"]
        for r in history
        if "event" in r
        and r["event"]["type"] == "MemberAdded"
        and r["event"]["data"]["member_id"] == member_id
    ]
    assert [(a["name"], a["email"]) for a in added] == [(erased_name(member_id), None)], added
    assert READER not in json.dumps(history) and "Erasable" not in json.dumps(history)
