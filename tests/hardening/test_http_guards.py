"""What the HTTP layer refuses before GraphQL runs (body size, malformed JSON,
batches), introspection and GraphiQL switched off, and an internal error
masked as INTERNAL with a correlation id, over HTTP (the app in-process)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from hardening_world import VIEWER, Gql, TestClient, World, app_client, build_world

from infra.app import create_app
from infra.bootstrap import Container


@pytest.fixture(scope="module")
def world(shared_container: Container) -> World:
    return build_world(Gql(shared_container), "Http")


@pytest.fixture(scope="module")
def bearer(shared_container: Container, world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {shared_container.tokens.mint(world.coordinator)}"}


def error_of(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["x-request-id"]
    body = response.json()
    assert body["data"] is None and [e["extensions"]["code"] for e in body["errors"]] == [code]
    return body["errors"][0]  # type: ignore[no-any-return]


def test_a_body_over_the_limit_gets_413_unparsed(shared_container: Container, bearer: dict) -> None:
    client = app_client(shared_container, max_body_bytes=4096)
    # Not JSON at all: 413, not 400, shows it was refused before parsing.
    declared = client.post(
        "/graphql", content=b"x" * 5000, headers={"content-type": "application/json"}
    )
    assert "4096 bytes" in error_of(declared, 413, "BAD_USER_INPUT")["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
        yield from [b"y" * 1000] * 6

    streamed = client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    error_of(streamed, 413, "BAD_USER_INPUT")
    padded = {"query": "{ viewer { id } }" + " " * 3900}
    assert client.post("/graphql", json=padded, headers=bearer).json()["data"]["viewer"]["id"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"{not json", "not valid JSON"),
        (b"", "not valid JSON"),
        (b'[{"query": "{ viewer { id } }"}, {"query": "{ viewer { id } }"}]', "batched"),
        (b'"{ viewer { id } }"', "JSON object"),
        (b'{"query": 5}', "query must be a string"),
        (b'{"query": "{ viewer { id } }", "variables": [1]}', "variables must be an object"),
        (b'{"query": "{ viewer { id } }", "operationName": 3}', "operationName must be"),
        (b'{"variables": {}}', "no GraphQL query"),
    ],
)
def test_a_malformed_body_gets_400_with_a_coded_error(
    shared_container: Container, body: bytes, says: str
) -> None:
    response = app_client(shared_container).post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert says in error_of(response, 400, "BAD_USER_INPUT")["message"]


def test_introspection_can_be_switched_off(shared_container: Container, bearer: dict) -> None:
    query = {"query": "{ __schema { queryType { name } } }"}
    on = app_client(shared_container).post("/graphql", json=query)
    assert on.json()["data"]["__schema"]["queryType"]["name"] == "Query"
    client = app_client(shared_container, introspection=False)
    off = client.post("/graphql", json=query).json()
    assert off["data"] is None and off["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "introspection" in off["errors"][0]["message"]
    assert client.post("/graphql", json=VIEWER, headers=bearer).json()["data"]["viewer"]["id"]


def test_graphiql_can_be_switched_off(shared_container: Container) -> None:
    browser = {"accept": "text/html"}
    shown = app_client(shared_container).get("/graphql", headers=browser)
    assert shown.status_code == 200 and "graphiql" in shown.text.lower()
    hidden = app_client(shared_container, graphiql=False).get("/graphql", headers=browser)
    assert hidden.status_code == 404 and "graphiql" not in hidden.text.lower()


VIEWER_NAME = {"query": "{ viewer { id name } }"}  # name reads the person


class BrokenQueries:
    """The real queries, except that reading the viewer's person hits a bug."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def person(self, principal: Any) -> Any:
        raise RuntimeError("db password=hunter2 at /srv/secret")


def test_an_internal_error_is_masked_with_a_correlation_id(
    shared_container: Container, bearer: dict, caplog: pytest.LogCaptureFixture
) -> None:
    broken = dataclasses.replace(shared_container, queries=BrokenQueries(shared_container.queries))
    client = TestClient(create_app(broken), raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="clusterwork.errors"):
        response = client.post(
            "/graphql", json=VIEWER_NAME, headers={**bearer, "X-Request-ID": "req-42"}
        )
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "INTERNAL", "correlationId": "req-42"}
    assert response.headers["x-request-id"] == "req-42" and "req-42" in error["message"]
    assert "hunter2" not in response.text and "RuntimeError" not in response.text
    logged = [r for r in caplog.records if "req-42" in r.getMessage()]
    assert logged and "hunter2" in str(logged[0].exc_info[1])  # type: ignore[index]
