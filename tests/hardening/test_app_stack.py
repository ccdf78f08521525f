"""The application's layers: /graphql goes straight to strawberry's view and
every other path through FastAPI's own stack, yet both meet the same request
id, rate limit, body guard and content security policy; the lifespan still
reaches FastAPI (the threads for operations start)."""

from __future__ import annotations

from hardening_world import VIEWER, TestClient, app_client

from infra.app import READ_THREAD_PREFIX
from infra.bootstrap import Container

SMALL = {"rate_limit_burst": 3, "rate_limit_per_second": 0.01}
KEYS = "/.well-known/clusterwork-keys.json"


def test_graphql_and_the_other_paths_share_the_request_id_and_the_rate_limit(
    shared_container: Container,
) -> None:
    client = app_client(shared_container, **SMALL)
    given = {"X-Request-ID": "trace-17"}
    graphql = client.post("/graphql", json=VIEWER, headers=given)
    keys = client.get(KEYS, headers=given)
    missing = client.get("/no-such-page")
    assert [graphql.status_code, keys.status_code, missing.status_code] == [200, 200, 404]
    assert graphql.headers["x-request-id"] == keys.headers["x-request-id"] == "trace-17"
    assert len(missing.headers["x-request-id"]) == 32
    # One caller (this IP, no token): three requests spent its bucket, whatever the path.
    refused = [client.post("/graphql", json=VIEWER), client.get(KEYS)]
    assert [r.status_code for r in refused] == [429, 429]
    assert {r.json()["errors"][0]["extensions"]["code"] for r in refused} == {"RATE_LIMITED"}
    assert client.get("/healthz").status_code == 200  # exempt


def test_pages_on_either_side_get_the_content_security_policy(shared_container: Container) -> None:
    client = app_client(shared_container)
    graphiql = client.get("/graphql", headers={"Accept": "text/html"})
    sign_out = client.get("/auth/logout")
    for page in (graphiql, sign_out):
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "default-src 'self'" in page.headers["content-security-policy"]
    answer = client.post("/graphql", json=VIEWER)
    assert "content-security-policy" not in answer.headers


def test_graphql_with_a_slash_is_redirected_and_the_guard_covers_graphql(
    shared_container: Container,
) -> None:
    client = app_client(shared_container, max_body_bytes=1024)
    redirected = client.post("/graphql/", json=VIEWER, follow_redirects=False)
    assert redirected.status_code == 307 and redirected.headers["location"].endswith("/graphql")
    too_large = client.post(
        "/graphql", content=b"x" * 2000, headers={"content-type": "application/json"}
    )
    assert too_large.status_code == 413
    batch = client.post("/graphql", json=[VIEWER])
    assert batch.status_code == 400 and "batched" in batch.json()["errors"][0]["message"]


def test_an_integer_beyond_64_bits_is_json_and_graphql_refuses_it(
    shared_container: Container,
) -> None:
    """orjson refuses such an integer; the json module, which decides then, does not:
    the request reaches GraphQL, whose Int cannot hold it."""
    client = app_client(shared_container)
    query = 'query ($n: Int) { cluster(id: "x") { events(first: $n) { __typename } } }'
    body = b'{"query": "%s", "variables": {"n": 123456789012345678901234567890}}' % (
        query.replace('"', '\\"').encode()
    )
    answer = client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 200, answer.text
    error = answer.json()["errors"][0]
    assert "Int cannot represent" in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_the_lifespan_reaches_fastapi(shared_container: Container) -> None:
    with app_client(shared_container) as client:
        assert client.post("/graphql", json={"query": '{ cluster(id: "x") { id } }'}).status_code
        schema = client.app.graphql.schema  # type: ignore[attr-defined]
        assert schema.read_executor is not None
        assert schema.read_executor._thread_name_prefix == READ_THREAD_PREFIX
    assert schema.read_executor is None


def test_graphql_answers_under_a_proxys_root_path(shared_container: Container) -> None:
    """Behind a proxy that mounts the server under a prefix (uvicorn --root-path),
    every path carries it: FastAPI's router still finds the view."""
    app = app_client(shared_container).app
    client = TestClient(app, root_path="/api", raise_server_exceptions=False)
    answer = client.post("/api/graphql", json={"query": "{ __typename }"})
    assert answer.status_code == 200 and answer.json() == {"data": {"__typename": "Query"}}
    assert len(answer.headers["x-request-id"]) == 32
