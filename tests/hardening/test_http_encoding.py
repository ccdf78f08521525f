"""The answer's JSON over HTTP (infra/app.py, orjson): the same data as the
schema gives in-process, names beyond ASCII intact, and what orjson refuses
encoded by the json module as before."""

from __future__ import annotations

import json

import pytest
from hardening_world import Gql, World, app_client, build_world

from graphql_api.schema import build_schema
from infra.app import GraphQLEndpoint
from infra.bootstrap import Container

QUERY = "query($id: ID!) { cluster(id: $id) { id name subjects { id name kind } } }"


@pytest.fixture(scope="module")
def world(shared_container: Container) -> World:
    return build_world(Gql(shared_container), "Encoding")


def test_a_view_over_http_is_the_view_in_process(shared_container: Container, world) -> None:
    gql = Gql(shared_container)
    gql.ok(
        "mutation($c: ID!, $i: AdmitSubjectInput!) { admitSubject(clusterId: $c, input: $i) { id } }",
        {"c": world.cluster_id, "i": {"name": "Школа № 5 «Радуга»", "kind": "SCHOOL"}},
        world.coordinator,
    )
    token = shared_container.tokens.mint(world.coordinator)
    response = app_client(shared_container).post(
        "/graphql",
        json={"query": QUERY, "variables": {"id": world.cluster_id}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    in_process = gql.run(QUERY, {"id": world.cluster_id}, world.coordinator)
    assert response.json()["data"] == in_process["data"]
    names = [s["name"] for s in response.json()["data"]["cluster"]["subjects"]]
    assert "Школа № 5 «Радуга»" in names


def test_what_orjson_refuses_is_encoded_as_before(shared_container: Container) -> None:
    router = GraphQLEndpoint(
        build_schema(),
        services=shared_container.services,
        tokens=shared_container.tokens,
        sign_on=shared_container.sign_on,
    )
    beyond_64_bits = {"data": {"event": {"data": {"amount": 2**70}}}}
    encoded = router.encode_json(beyond_64_bits)
    assert json.loads(encoded) == beyond_64_bits
    plain = {"data": {"x": [1, 2.5, None, True, "ü"]}}
    assert json.loads(router.encode_json(plain)) == plain
