"""The JavaScript clients people use, graphql-ws 6 and Apollo Client 4's
GraphQLWsLink (tests/clients/ws, installed by `make install` with npm ci), run
in node against `clusterwork serve`: the history, then events written during
the subscription, in order, without gaps or duplicates; a resume with `after`;
a bad token closed with 4403, as graphql-ws reports it."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from e2e_server import REPO, Server
from live_client import admit, own_cluster
from node_support import require_node

pytestmark = pytest.mark.e2e

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
) -> list[dict[str, Any]]:
    """Everything tests/clients/ws/subscribe.mjs reported, one dict a line;
    ``on_event`` sees each position as it arrives."""
    node = require_node(CLIENTS, "graphql-ws", "the subscription clients run on it")
    options = {
        "client": client,
        "url": server.base_url.replace("http://", "ws://") + "/graphql",
        "token": token,
        "clusterId": cluster_id,
        "after": after,
        "until": until,
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


@pytest.mark.parametrize("client", CLIENT_NAMES)
def test_a_standard_client_sees_the_stream_end_when_its_token_expires(
    server: Server, client: str
) -> None:
    cluster_id, operator = own_cluster(server)
    reader = {"clusterId": cluster_id, "input": {"name": "Reader", "roles": ["MEMBER"]}}
    member_id = server.run("add_member", reader, operator)["addMember"]["id"]
    head = server.position(cluster_id, operator)
    # Long enough for node to start and connect on a busy machine, short for a test.
    token = server.cli_token("--cluster", cluster_id, "--member", member_id, "--ttl", "6")
    reports = subscribe(client, server, token, cluster_id, 0, head + 1000)
    assert positions(reports) == list(range(1, head + 1)), reports
    ending = [r for r in reports if "event" not in r]
    codes = [e.get("extensions", {}).get("code") for e in ending[0]["errors"]]
    assert (codes, ending[1:]) == (["UNAUTHENTICATED"], [{"complete": True}]), reports
