"""Python's standard GraphQL client, gql (websockets transport, the
graphql-transport-ws subprotocol), subscribes to `clusterwork serve`: the
history, then events written during the subscription, in order, without gaps
or duplicates; a resume with `after`; a bad token refused with 4403."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from e2e_server import Server
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportError
from gql.transport.websockets import WebsocketsTransport
from live_client import admit, own_cluster
from websockets.exceptions import ConnectionClosed

pytestmark = pytest.mark.e2e

EVENTS = (
    "subscription($c: ID!, $after: Int) "
    "{ clusterEvents(clusterId: $c, after: $after) { position type } }"
)


def client(server: Server, token: str) -> Client:
    transport = WebsocketsTransport(
        url=server.base_url.replace("http://", "ws://") + "/graphql",
        init_payload={"Authorization": f"Bearer {token}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    return Client(transport=transport)


async def collect(
    server: Server,
    token: str,
    cluster_id: str,
    after: int,
    until: int,
    on_event: Callable[[int], None] = lambda _: None,
) -> list[dict[str, Any]]:
    """clusterEvents after ``after`` until the event at ``until`` arrived;
    ``on_event`` (run in a thread, as HTTP calls are) sees every position."""
    received = []
    async with client(server, token) as session:
        request = GraphQLRequest(EVENTS, variable_values={"c": cluster_id, "after": after})
        async for result in session.subscribe(request):
            received.append(result["clusterEvents"])
            await asyncio.to_thread(on_event, received[-1]["position"])
            if received[-1]["position"] >= until:
                return received
    return received


@pytest.fixture
def cluster(server: Server) -> tuple[str, str]:
    return own_cluster(server)


def test_gql_gets_the_history_then_live_events_and_resumes_after_a_position(
    server: Server, cluster: tuple[str, str]
) -> None:
    cluster_id, token = cluster
    head = server.position(cluster_id, token)

    def write_once_the_history_is_in(position: int) -> None:
        if position == head:
            for i in range(3):
                admit(server, token, cluster_id, f"Live {i}")

    received = asyncio.run(
        collect(server, token, cluster_id, 0, head + 3, write_once_the_history_is_in)
    )
    assert [e["position"] for e in received] == list(range(1, head + 4))
    assert [e["type"] for e in received[-3:]] == ["SubjectAdmitted"] * 3

    admit(server, token, cluster_id, "While away")
    resumed = asyncio.run(collect(server, token, cluster_id, head + 2, head + 4))
    assert [e["position"] for e in resumed] == [head + 3, head + 4]


def test_gql_with_a_bad_token_is_closed_with_4403(server: Server) -> None:
    with pytest.raises(TransportError) as failed:
        asyncio.run(collect(server, "not-a-token", server.demo_cluster_id, 0, 1))
    assert close_code(failed.value) == 4403


def close_code(error: BaseException) -> int | None:
    """The close code the server sent, from the cause gql keeps of its failure."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ConnectionClosed) and cause.rcvd is not None:
            return cause.rcvd.code
        cause = cause.__cause__ or cause.__context__
    return None
