"""GraphQL over HTTP (graphql/graphql-over-http) against `clusterwork serve`:
graphql-http's own audit of the spec, then the cases that matter most to
clients, each checked directly. application/json clients keep their answers
(200 and ``"data": null`` for a document that fails); a client that asks for
application/graphql-response+json gets the spec's status codes and no ``data``
entry when the request never executed."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e_server import Server
from node_support import require_node

pytestmark = pytest.mark.e2e

AUDIT_DIR = Path(__file__).resolve().parents[1] / "clients" / "http"
GRAPHQL_RESPONSE = "application/graphql-response+json"
AS_SPEC = {"accept": GRAPHQL_RESPONSE}
AS_JSON = {"accept": "application/json"}


def require_audit() -> str:
    """The node binary, with graphql-http installed."""
    return require_node(AUDIT_DIR, "graphql-http", "the GraphQL-over-HTTP audit runs on it")


def test_graphql_http_audit_finds_no_error_and_no_warning(server: Server) -> None:
    node = require_audit()
    done = subprocess.run(
        [node, "audit.mjs", f"{server.base_url}/graphql"],
        cwd=AUDIT_DIR,
        env={"PATH": str(Path(node).parent), "AUDIT_TOKEN": server.token},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert len(results) > 50, results  # the whole list ran, not a fragment of it
    failing = [
        f"{r['status']} {r['id']} {r['name']}: {r['reason']}"
        for r in results
        if r["status"] != "ok"
    ]
    assert not failing, "graphql-http audit:\n" + "\n".join(failing)


def post(server: Server, body: object, headers: dict[str, str]) -> httpx.Response:
    return server.client.post(
        "/graphql", json=body, headers={"Authorization": f"Bearer {server.token}", **headers}
    )


def coded(response: httpx.Response, status: int, media_type: str) -> dict[str, Any]:
    """The body of a response, after checking its status, media type and that
    every error carries a code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == media_type, response.headers
    body: dict[str, Any] = response.json()
    assert body["errors"] and all(e["extensions"]["code"] for e in body["errors"]), body
    return body


def test_a_query_over_get_runs(server: Server) -> None:
    for headers, media_type in ((AS_JSON, "application/json"), (AS_SPEC, GRAPHQL_RESPONSE)):
        response = server.client.get(
            "/graphql",
            params={
                "query": "query Viewer($n: String!) { viewer { id } __type(name: $n) { name } }",
                "variables": json.dumps({"n": "Query"}),
                "operationName": "Viewer",
            },
            headers={"Authorization": f"Bearer {server.token}", **headers},
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].split(";")[0] == media_type
        body = response.json()
        assert "errors" not in body and body["data"]["__type"] == {"name": "Query"}
        assert body["data"]["viewer"]["id"]


def test_a_mutation_over_get_is_405_and_never_runs(server: Server, operator_token: str) -> None:
    name = "Founded over GET"
    mutation = "mutation Found($input: FoundClusterInput!) { foundCluster(input: $input) { id } }"
    variables = {"input": {"name": name, "region": "Nowhere", "form": "GEOGRAPHIC"}}
    for headers, media_type in ((AS_JSON, "application/json"), (AS_SPEC, GRAPHQL_RESPONSE)):
        response = server.client.get(
            "/graphql",
            params={"query": mutation, "variables": json.dumps(variables)},
            headers={"Authorization": f"Bearer {operator_token}", **headers},
        )
        body = coded(response, 405, media_type)
        assert response.headers["allow"] == "POST"
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "mutations are not allowed" in body["errors"][0]["message"]
    mine = server.graphql("{ viewer { memberships { cluster { name } } } }", token=operator_token)
    assert name not in json.dumps(mine), mine


@pytest.mark.parametrize(
    ("request_body", "says"),
    [
        ({"query": "{"}, "Syntax Error"),
        ({"query": "{ noSuchField }"}, "Cannot query field 'noSuchField'"),
        (
            {"query": "query($n: String!) { __type(name: $n) { name } }", "variables": {"n": None}},
            "Variable '$n' has invalid value",
        ),
    ],
    ids=["parse", "validation", "variable coercion"],
)
def test_a_request_that_never_executed(
    server: Server, request_body: dict[str, Any], says: str
) -> None:
    as_spec = coded(post(server, request_body, AS_SPEC), 400, GRAPHQL_RESPONSE)
    assert "data" not in as_spec and says in as_spec["errors"][0]["message"]
    assert as_spec["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    # application/json, or no Accept at all: 200 and data null, as always.
    for headers in (AS_JSON, {}):
        as_json = coded(post(server, request_body, headers), 200, "application/json")
        assert as_json["data"] is None and says in as_json["errors"][0]["message"]


def test_an_executed_request_is_200_in_either_media_type(server: Server) -> None:
    for headers, media_type in ((AS_JSON, "application/json"), (AS_SPEC, GRAPHQL_RESPONSE)):
        ok = post(server, {"query": "{ viewer { id } }"}, headers)
        assert ok.status_code == 200 and ok.json()["data"]["viewer"]["id"]
        assert ok.headers["content-type"].split(";")[0] == media_type
        # Execution started, so a resolver's error keeps 200 and the data entry.
        refused = server.client.post(
            "/graphql", json={"query": "{ viewer { id } }"}, headers=headers
        )
        body = coded(refused, 200, media_type)
        assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    ("method", "kwargs", "status", "says"),
    [
        ("GET", {"params": {}}, 400, "No GraphQL query"),
        ("GET", {"params": {"query": "{ __typename }", "variables": "{oops"}}, 400, "JSON"),
        ("POST", {"content": b"{ __typename }"}, 400, "Unsupported content type"),
        (
            "POST",
            {"content": b"query=x", "headers": {"content-type": "text/plain"}},
            400,
            "Unsupported content type",
        ),
        (
            "POST",
            {"json": {"query": "query A { __typename }", "operationName": "B"}},
            400,
            'Unknown operation named "B"',
        ),
        ("PUT", {"json": {"query": "{ __typename }"}}, 405, "Method Not Allowed"),
    ],
    ids=["no query", "variables not JSON", "no content type", "text/plain", "unknown op", "PUT"],
)
def test_the_servers_own_refusals_are_coded_json(
    server: Server, method: str, kwargs: dict[str, Any], status: int, says: str
) -> None:
    for accept, media_type in (("application/json", "application/json"), (GRAPHQL_RESPONSE,) * 2):
        headers = {"accept": accept, **kwargs.get("headers", {})}
        response = server.client.request(method, "/graphql", **{**kwargs, "headers": headers})
        body = coded(response, status, media_type)
        [error] = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT" and says in error["message"]
        assert ("data" in body) is (media_type == "application/json")


def test_the_request_guards_refusals_follow_the_accept_header(server: Server) -> None:
    batch = [{"query": "{ __typename }"}, {"query": "{ __typename }"}]
    as_spec = coded(post(server, batch, AS_SPEC), 400, GRAPHQL_RESPONSE)
    assert "data" not in as_spec and "batched" in as_spec["errors"][0]["message"]
    as_json = coded(post(server, batch, AS_JSON), 400, "application/json")
    assert as_json["data"] is None and "batched" in as_json["errors"][0]["message"]
    too_large = {"query": "{ __typename }" + " " * 2**20}  # the default limit is 1 MiB
    as_spec = coded(post(server, too_large, AS_SPEC), 413, GRAPHQL_RESPONSE)
    assert "data" not in as_spec and as_spec["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    as_json = coded(post(server, too_large, AS_JSON), 413, "application/json")
    assert as_json["data"] is None and "larger than" in as_json["errors"][0]["message"]


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
        (f"application/json;q=0.9, {GRAPHQL_RESPONSE.upper()}", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE};q=0.5", "application/json"),
        (f"{GRAPHQL_RESPONSE};q=0", "application/json"),
        ("*/*", "application/json"),
    ],
)
def test_the_accept_header_chooses_by_preference(
    server: Server, accept: str, media_type: str
) -> None:
    body = coded(
        post(server, {"query": "{"}, {"accept": accept}),
        400 if media_type == GRAPHQL_RESPONSE else 200,
        media_type,
    )
    assert ("data" in body) is (media_type == "application/json")


def test_a_subscription_over_http_is_refused_with_a_pointer_to_websocket(server: Server) -> None:
    subscription = "subscription($c: ID!) { clusterEvents(clusterId: $c, after: 0) { position } }"
    request = {"query": subscription, "variables": {"c": server.demo_cluster_id}}
    for headers, media_type in ((AS_JSON, "application/json"), (AS_SPEC, GRAPHQL_RESPONSE)):
        over_post = coded(post(server, request, headers), 400, media_type)
        over_get = server.client.get(
            "/graphql",
            params={"query": subscription, "variables": json.dumps(request["variables"])},
            headers={"Authorization": f"Bearer {server.token}", **headers},
        )
        for body in (over_post, coded(over_get, 400, media_type)):
            [error] = body["errors"]
            assert error["extensions"]["code"] == "BAD_USER_INPUT", error
            assert "subscribe over WebSocket" in error["message"]
