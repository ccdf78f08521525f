"""Tenants are isolated: a member of cluster A cannot see B (it looks like it
does not exist), and every cluster's log starts at position 1."""

from __future__ import annotations

import uuid

import pytest
from e2e_server import Server, codes

pytestmark = pytest.mark.e2e

OVERVIEW = "query($id: ID!) { cluster(id: $id) { id position } }"


def found(server: Server, operator_token: str, name: str) -> str:
    form = {"name": f"{name} {uuid.uuid4().hex[:6]}", "region": "Altai", "form": "GEOGRAPHIC"}
    return server.run("found_cluster", {"input": form}, operator_token)["foundCluster"]["id"]


def member_of(server: Server, operator_token: str, cluster_id: str) -> str:
    variables = {"clusterId": cluster_id, "input": {"name": "Alexei", "roles": ["MEMBER"]}}
    member = server.run("add_member", variables, operator_token)["addMember"]["id"]
    return server.cli_token("--cluster", cluster_id, "--member", member)


def test_a_member_of_one_cluster_gets_not_found_for_another(
    server: Server, operator_token: str
) -> None:
    cluster_a, cluster_b = found(server, operator_token, "A"), found(server, operator_token, "B")
    token_a = member_of(server, operator_token, cluster_a)
    assert (
        server.graphql(OVERVIEW, {"id": cluster_a}, token_a)["data"]["cluster"]["id"] == cluster_a
    )
    for foreign in (cluster_b, server.demo_cluster_id, str(uuid.uuid4())):
        body = server.graphql(OVERVIEW, {"id": foreign}, token_a)
        assert codes(body) == ["NOT_FOUND"], foreign
        assert body["data"] is None
    variables = {"clusterId": cluster_b, "input": {"name": "Intruder school", "kind": "SCHOOL"}}
    admit = server.graphql(
        "mutation($clusterId: ID!, $input: AdmitSubjectInput!) "
        "{ admitSubject(clusterId: $clusterId, input: $input) { id } }",
        variables,
        token_a,
    )
    assert codes(admit) == ["NOT_FOUND"]
    memberships = server.run("viewer", {}, token_a)["viewer"]["memberships"]
    assert [m["cluster"]["id"] for m in memberships] == [cluster_a]


def test_every_cluster_log_starts_at_position_one_without_gaps(
    server: Server, operator_token: str
) -> None:
    cluster_a = found(server, operator_token, "A")
    member_of(server, operator_token, cluster_a)
    cluster_b = found(server, operator_token, "B")
    for cluster_id in (cluster_a, cluster_b):
        cluster = server.run("cluster_events", {"id": cluster_id}, operator_token)["cluster"]
        positions = [e["position"] for e in cluster["events"]["events"]]
        assert positions == list(range(1, cluster["position"] + 1))
        assert {e["aggregateId"] for e in cluster["events"]["events"]} == {cluster_id}
