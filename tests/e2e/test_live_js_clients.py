"""The JavaScript clients people use, graphql-ws 6 and Apollo Client 4's
GraphQLWsLink (tests/clients/ws, installed by `make install` with npm ci), run
in node against `clusterwork serve`: the history, then events written during
the subscription, in order, without gaps or duplicates; a resume with `after`;
a bad token closed with 4403, as graphql-ws reports it; an expired token ending the
stream with UNAUTHENTICATED."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from e2e_server import Server
from js_clients import CLIENT_NAMES, positions, subscribe
from live_client import admit, own_cluster

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("client", CLIENT_NAMES)
def test_a_standard_client_gets_the_history_then_live_events_and_resumes(
    server: Server, client: str
) -> None:
    cluster_id, token = own_cluster(server)
    head = server.position(cluster_id, token)

    def write_once_the_history_is_in(position: int) -> None:
        if position == head:
            for i in range(3):
                admit(server, token, cluster_id, f"Live {i}")

    reports = subscribe(
        client, server, token, cluster_id, 0, head + 3, write_once_the_history_is_in
    )
    assert positions(reports) == list(range(1, head + 4))
    assert [r["event"]["type"] for r in reports[-3:]] == ["SubjectAdmitted"] * 3
    assert all(set(r) == {"event"} for r in reports), reports

    admit(server, token, cluster_id, "While away")
    resumed = subscribe(client, server, token, cluster_id, head + 2, head + 4)
    assert positions(resumed) == [head + 3, head + 4]


@pytest.mark.parametrize("client", CLIENT_NAMES)
def test_a_standard_client_with_a_bad_token_is_closed_with_4403(
    server: Server, client: str
) -> None:
    reports = subscribe(client, server, "not-a-token", server.demo_cluster_id, 0, 1)
    assert positions(reports) == []
    assert [r.get("closed") for r in reports if "closed" in r] == [4403], reports


def test_both_standard_clients_see_the_stream_end_when_their_token_expires(
    server: Server,
) -> None:
    cluster_id, operator = own_cluster(server)
    reader = {"clusterId": cluster_id, "input": {"name": "Reader", "roles": ["MEMBER"]}}
    member_id = server.run("add_member", reader, operator)["addMember"]["id"]
    head = server.position(cluster_id, operator)
    # Long enough for node to start and connect on a busy machine, short for a test.
    token = server.cli_token("--cluster", cluster_id, "--member", member_id, "--ttl", "6")
    # Both clients at once, each on its own connection: the wait for the expiry is shared.
    with ThreadPoolExecutor(len(CLIENT_NAMES)) as pool:
        runs = [
            pool.submit(subscribe, client, server, token, cluster_id, 0, head + 1000)
            for client in CLIENT_NAMES
        ]
        for client, run in zip(CLIENT_NAMES, runs, strict=True):
            reports = run.result()
            assert positions(reports) == list(range(1, head + 1)), (client, reports)
            ending = [r for r in reports if "event" not in r]
            codes = [e.get("extensions", {}).get("code") for e in ending[0]["errors"]]
            assert (codes, ending[1:]) == (["UNAUTHENTICATED"], [{"complete": True}]), (
                client,
                reports,
            )
