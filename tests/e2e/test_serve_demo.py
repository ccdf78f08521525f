"""The README's promise: `clusterwork serve --demo` prints a token that a plain
HTTP client can query the demo cluster with."""

from __future__ import annotations

import re

import pytest
from e2e_server import Server

pytestmark = pytest.mark.e2e


def test_serve_prints_the_graphiql_url_and_the_authorization_header(server: Server) -> None:
    assert f"GraphiQL:     {server.base_url}/graphql" in server.printed
    assert any('{"Authorization": "Bearer' in line for line in server.printed)
    assert re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", server.token)


def test_the_demo_cluster_has_eight_subjects_and_one_continuity_gap(server: Server) -> None:
    cluster = server.run("cluster_overview", {"id": server.demo_cluster_id}, server.token)[
        "cluster"
    ]
    assert cluster["id"] == server.demo_cluster_id
    assert len(cluster["subjects"]) == 8
    assert cluster["continuity"]["gaps"] == ["RESEARCH_INSTITUTE"]
    stages = [stage["kind"] for stage in cluster["continuity"]["stages"]]
    assert stages == [
        "PRESCHOOL",
        "SCHOOL",
        "COLLEGE",
        "UNIVERSITY",
        "RESEARCH_INSTITUTE",
        "ENTERPRISE",
    ]
    assert any(subject["interests"] for subject in cluster["subjects"])


def test_the_demo_cluster_has_members_in_each_role(server: Server) -> None:
    cluster = server.run("cluster_overview", {"id": server.demo_cluster_id}, server.token)[
        "cluster"
    ]
    roles = {role for member in cluster["members"] for role in member["roles"]}
    assert roles == {"COORDINATOR", "MEMBER", "AUDITOR"}
    auditors = [m for m in cluster["members"] if m["roles"] == ["AUDITOR"]]
    assert auditors and auditors[0]["subject"] is None


def test_the_printed_token_is_a_coordinator_of_the_demo_cluster(server: Server) -> None:
    viewer = server.run("viewer", {}, server.token)["viewer"]
    [membership] = [
        m for m in viewer["memberships"] if m["cluster"]["id"] == server.demo_cluster_id
    ]
    assert "COORDINATOR" in membership["member"]["roles"]


def test_the_demo_log_pages_by_position_with_chain_hashes(server: Server) -> None:
    variables = {"id": server.demo_cluster_id, "first": 5}
    cluster = server.run("cluster_events", variables, server.token)["cluster"]
    events = cluster["events"]["events"]
    assert [e["position"] for e in events] == [1, 2, 3, 4, 5]
    assert events[0]["type"] == "ClusterFounded"
    assert all(re.fullmatch(r"[0-9a-f]{64}", e["hash"]) for e in events)
    assert cluster["events"]["hasMore"] is (cluster["position"] > 5)


def test_graphiql_is_served_to_a_browser(server: Server) -> None:
    page = server.client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
