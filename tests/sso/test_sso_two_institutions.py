"""The whole login against real providers: two institutions run panva's
oidc-provider, their members sign in through their own provider's login and
consent pages, and each acts for their own institution only."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from browser import browser, sign_in
from node_idp import NodeProvider
from sso_api import (
    DECLARE,
    VIEWER,
    Cluster,
    codes,
    found_cluster,
    member_count,
    registered,
    token_of,
)
from sso_server import Server

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class World:
    cluster: Cluster
    school_login: str
    university_login: str
    school_provider_id: str


@pytest.fixture(scope="module")
def world(
    server: Server, operator_token: str, institutions: tuple[NodeProvider, NodeProvider]
) -> World:
    school, university = institutions
    cluster = found_cluster(
        server, operator_token, ("School No. 4", "SCHOOL"), ("Pedagogical University", "UNIVERSITY")
    )
    by_school = registered(
        server,
        operator_token,
        cluster.id,
        cluster.subjects["School No. 4"],
        school.issuer,
        school.client_id,
        school.client_secret,
        "School No. 4 Keycloak",
    )
    by_university = registered(
        server,
        operator_token,
        cluster.id,
        cluster.subjects["Pedagogical University"],
        university.issuer,
        university.client_id,
        university.client_secret,
        "University Entra ID",
    )
    return World(cluster, by_school["loginUrl"], by_university["loginUrl"], by_school["id"])


def declare(server: Server, token: str, cluster_id: str, subject_id: str) -> list[str]:
    return codes(server.graphql(DECLARE, {"c": cluster_id, "s": subject_id}, token))


def test_members_of_two_institutions_act_for_their_own_institution_only(
    server: Server, world: World
) -> None:
    school, university = (
        world.cluster.subjects[n] for n in ("School No. 4", "Pedagogical University")
    )
    alice = token_of(server, world.school_login, "alice")
    bob = token_of(server, world.university_login, "bob")
    assert declare(server, alice, world.cluster.id, school) == []
    assert declare(server, alice, world.cluster.id, university) == ["FORBIDDEN"]
    assert declare(server, bob, world.cluster.id, university) == []
    assert declare(server, bob, world.cluster.id, school) == ["FORBIDDEN"]


def test_a_new_person_becomes_a_member_of_the_providers_subject(
    server: Server, world: World
) -> None:
    viewer = server.ok(VIEWER, token=token_of(server, world.school_login, "anna"))["viewer"]
    assert (viewer["name"], viewer["email"]) == ("anna", "anna@school.example")
    [membership] = viewer["memberships"]
    assert membership["cluster"]["id"] == world.cluster.id
    member = membership["member"]
    assert member["roles"] == ["MEMBER"]
    assert member["subject"]["id"] == world.cluster.subjects["School No. 4"]


def test_the_same_person_signing_in_again_is_the_same_member(
    server: Server, operator_token: str, world: World
) -> None:
    first = server.ok(VIEWER, token=token_of(server, world.school_login, "boris"))["viewer"]
    members = member_count(server, operator_token, world.cluster.id)
    again = server.ok(VIEWER, token=token_of(server, world.school_login, "boris"))["viewer"]
    assert again["id"] == first["id"]
    assert again["memberships"] == first["memberships"]
    assert member_count(server, operator_token, world.cluster.id) == members


def test_a_person_in_two_clusters_has_one_identity_and_a_membership_in_each(
    server: Server,
    operator_token: str,
    world: World,
    institutions: tuple[NodeProvider, NodeProvider],
) -> None:
    school = institutions[0]
    other = found_cluster(server, operator_token, ("School No. 4 (Seversk)", "SCHOOL"))
    provider = registered(
        server,
        operator_token,
        other.id,
        other.subjects["School No. 4 (Seversk)"],
        school.issuer,
        school.client_id,
        school.client_secret,
    )
    first = server.ok(VIEWER, token=token_of(server, world.school_login, "vera"))["viewer"]
    second = server.ok(VIEWER, token=token_of(server, provider["loginUrl"], "vera"))["viewer"]
    assert second["id"] == first["id"]
    clusters = [m["cluster"]["id"] for m in second["memberships"]]
    assert clusters == [world.cluster.id, other.id]


def test_a_provider_registered_in_another_cluster_is_refused(
    server: Server, operator_token: str, world: World
) -> None:
    other = found_cluster(server, operator_token, ("Kindergarten No. 7", "PRESCHOOL"))
    foreign = f"{server.base_url}/auth/login/{other.id}/{world.school_provider_id}"
    with browser() as client:
        response = client.get(foreign)
    assert response.status_code == 404
    assert "access_token" not in response.text


def test_a_provider_that_does_not_enrol_admits_only_invited_members(
    server: Server, operator_token: str, institutions: tuple[NodeProvider, NodeProvider]
) -> None:
    school = institutions[0]
    cluster = found_cluster(server, operator_token, ("School No. 9", "SCHOOL"))
    subject = cluster.subjects["School No. 9"]
    invited = server.ok(
        """mutation($c: ID!, $s: ID!) { addMember(clusterId: $c, input: {name: "Galina",
        email: "galina@school.example", subjectId: $s, roles: [MEMBER]}) { id } }""",
        {"c": cluster.id, "s": subject},
        operator_token,
    )["addMember"]["id"]
    provider = registered(
        server,
        operator_token,
        cluster.id,
        subject,
        school.issuer,
        school.client_id,
        school.client_secret,
        enrolNewMembers=False,
    )
    galina = server.ok(VIEWER, token=token_of(server, provider["loginUrl"], "galina"))["viewer"]
    assert [m["member"]["id"] for m in galina["memberships"]] == [invited]
    with browser() as client:
        stranger = sign_in(client, provider["loginUrl"], "dmitri", server.base_url)
    assert stranger.status_code == 403
    assert "access_token" not in stranger.json()
