"""registerIdentityProvider: only coordinators; the issuer's discovery document
is fetched and checked (BAD_USER_INPUT when unreachable or naming another
issuer); a refused registration records nothing; every member sees the
providers with their login URL."""

from __future__ import annotations

import httpx
import pytest
from fake_issuer import FakeIssuer
from sso_api import PROVIDERS, FakeWorld, codes, found_cluster, register
from sso_server import Server, free_port

pytestmark = pytest.mark.e2e


def head(server: Server, token: str, cluster_id: str) -> int:
    return server.ok("query($c: ID!) { cluster(id: $c) { position } }", {"c": cluster_id}, token)[
        "cluster"
    ]["position"]


def refused_field(body: dict) -> tuple[list[str], str | None]:
    [error] = body["errors"]
    return codes(body), error["extensions"].get("field")


@pytest.fixture
def lyceum(server: Server, operator_token: str) -> tuple[str, str]:
    cluster = found_cluster(server, operator_token, ("Lyceum No. 1", "SCHOOL"))
    return cluster.id, cluster.subjects["Lyceum No. 1"]


def test_an_unreachable_issuer_is_bad_input_and_records_nothing(
    server: Server, operator_token: str, lyceum: tuple[str, str]
) -> None:
    cluster_id, subject_id = lyceum
    before = head(server, operator_token, cluster_id)
    nowhere = f"http://127.0.0.1:{free_port()}"
    body = register(server, operator_token, cluster_id, subject_id, nowhere, "c", "s")
    assert refused_field(body) == (["BAD_USER_INPUT"], "issuer")
    assert head(server, operator_token, cluster_id) == before


def test_a_discovery_document_naming_another_issuer_is_bad_input(
    server: Server, operator_token: str, lyceum: tuple[str, str], issuer: FakeIssuer
) -> None:
    issuer.discovery_issuer = "https://login.evil.example"
    body = register(server, operator_token, *lyceum, issuer.url, issuer.client_id, "s")
    assert refused_field(body) == (["BAD_USER_INPUT"], "issuer")
    assert "login.evil.example" in body["errors"][0]["message"]


def test_plain_http_is_only_for_this_machine(
    server: Server, operator_token: str, lyceum: tuple[str, str]
) -> None:
    body = register(server, operator_token, *lyceum, "http://sso.school.example", "c", "s")
    assert refused_field(body) == (["BAD_USER_INPUT"], "issuer")


def test_the_subject_must_be_an_active_subject_of_the_cluster(
    server: Server, operator_token: str, lyceum: tuple[str, str], issuer: FakeIssuer
) -> None:
    other = found_cluster(server, operator_token, ("Another school", "SCHOOL"))
    foreign_subject = other.subjects["Another school"]
    body = register(server, operator_token, lyceum[0], foreign_subject, issuer.url, "c", "s")
    assert refused_field(body) == (["BAD_USER_INPUT"], "subjectId")


def test_a_blank_client_secret_is_bad_input(
    server: Server, operator_token: str, lyceum: tuple[str, str], issuer: FakeIssuer
) -> None:
    body = register(server, operator_token, *lyceum, issuer.url, "c", "   ")
    assert refused_field(body) == (["BAD_USER_INPUT"], "clientSecret")


def test_a_member_may_not_register_a_provider(
    server: Server, issuer: FakeIssuer, fake_world: FakeWorld
) -> None:
    with httpx.Client(
        follow_redirects=True, timeout=30, headers={"Accept": "application/json"}
    ) as c:
        member_token = c.get(fake_world.login_url).json()["access_token"]
    body = register(
        server, member_token, fake_world.cluster.id, fake_world.subject_id, issuer.url, "c", "s"
    )
    assert codes(body) == ["FORBIDDEN"]


def test_every_member_sees_the_providers_with_their_login_url(
    server: Server, issuer: FakeIssuer, fake_world: FakeWorld
) -> None:
    with httpx.Client(
        follow_redirects=True, timeout=30, headers={"Accept": "application/json"}
    ) as c:
        member_token = c.get(fake_world.login_url).json()["access_token"]
    found = server.ok(PROVIDERS, {"c": fake_world.cluster.id}, member_token)
    [provider] = found["cluster"]["identityProviders"]
    assert provider["issuer"] == issuer.url
    assert provider["subject"]["id"] == fake_world.subject_id
    assert provider["loginUrl"] == (
        f"{server.base_url}/auth/login/{fake_world.cluster.id}/{fake_world.provider_id}"
    )
