"""The GraphQL the SSO tests speak, over HTTP to a running server."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from browser import browser, sign_in
from sso_server import Server

FOUND = """mutation($input: FoundClusterInput!) { foundCluster(input: $input) { id } }"""
ADMIT = """mutation($c: ID!, $input: AdmitSubjectInput!) {
  admitSubject(clusterId: $c, input: $input) { id } }"""
REGISTER = """mutation($c: ID!, $input: IdentityProviderInput!) {
  registerIdentityProvider(clusterId: $c, input: $input) {
    id name issuer loginUrl subject { id name } } }"""
PROVIDERS = """query($c: ID!) { cluster(id: $c) {
  identityProviders { id name issuer loginUrl subject { id } } } }"""
VIEWER = """{ viewer { id name email memberships {
  cluster { id name } member { id name email roles subject { id } } } } }"""
DECLARE = """mutation($c: ID!, $s: ID!) {
  declareInterest(clusterId: $c, subjectId: $s, kind: SOCIAL,
    statement: "Our graduates teach here.") { id } }"""
MEMBERS = """query($c: ID!) { cluster(id: $c) { members { id name email roles } } }"""
EVENTS = """query($c: ID!) { cluster(id: $c) { events(first: 500) { events { type data } } } }"""


@dataclass(frozen=True)
class Cluster:
    id: str
    subjects: dict[str, str]  # name → id


@dataclass(frozen=True)
class FakeWorld:
    """A cluster whose only subject trusts the fake issuer."""

    cluster: Cluster
    subject_id: str
    provider_id: str
    login_url: str


def found_cluster(server: Server, token: str, *subjects: tuple[str, str]) -> Cluster:
    """A new cluster with ``subjects`` (name, kind) admitted."""
    form = {"name": f"Tomsk cluster {uuid.uuid4().hex[:6]}", "region": "Tomsk", "form": "VERTICAL"}
    cluster_id = server.ok(FOUND, {"input": form}, token)["foundCluster"]["id"]
    admitted = {}
    for name, kind in subjects:
        variables = {"c": cluster_id, "input": {"name": name, "kind": kind}}
        admitted[name] = server.ok(ADMIT, variables, token)["admitSubject"]["id"]
    return Cluster(cluster_id, admitted)


def register(
    server: Server,
    token: str,
    cluster_id: str,
    subject_id: str,
    issuer: str,
    client_id: str,
    client_secret: str,
    name: str = "Institution SSO",
    **extra: Any,
) -> dict[str, Any]:
    """The whole GraphQL body of registerIdentityProvider (errors included)."""
    provider = {
        "name": name,
        "subjectId": subject_id,
        "issuer": issuer,
        "clientId": client_id,
        "clientSecret": client_secret,
        **extra,
    }
    return server.graphql(REGISTER, {"c": cluster_id, "input": provider}, token)


def registered(server: Server, token: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    body = register(server, token, *args, **kwargs)
    assert not body.get("errors"), body["errors"]
    return body["data"]["registerIdentityProvider"]


def codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


def member_count(server: Server, token: str, cluster_id: str) -> int:
    return len(server.ok(MEMBERS, {"c": cluster_id}, token)["cluster"]["members"])


def token_of(server: Server, login_url: str, login: str) -> str:
    with browser() as client:
        response = sign_in(client, login_url, login, server.base_url)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    return body["access_token"]
