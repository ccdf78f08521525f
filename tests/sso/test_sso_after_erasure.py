"""After an erasure the same identity signing in again is a new person: the
identity link went with the erased person, and the erased member is claimed by
no one, not even by the verified e-mail it once had."""

from __future__ import annotations

import uuid

import pytest
from node_idp import NodeProvider
from sso_api import MEMBERS, VIEWER, codes, found_cluster, registered, token_of
from sso_server import Server
from store_support import AcceptingDiscovery

from domain.cluster import MemberAddition, SubjectAdmission
from domain.identity_provider import ProviderRegistration
from domain.personal import erased_name
from infra.bootstrap import Container
from services.dto import ClusterInfo
from services.identity import IdentityService
from services.ports.identity import ProviderRecord, VerifiedIdentity
from services.principal import Principal

ISSUER = "https://sso.erasure.example"
ERASE = """mutation($p: ID!, $r: String!) {
  erasePerson(personId: $p, reason: $r) { erasureId clusterIds } }"""


def provider(container: Container, operator: Principal, cluster: ClusterInfo) -> ProviderRecord:
    subject = container.registry.admit_subject(
        operator, cluster.id, SubjectAdmission("School No. 9", "SCHOOL", None)
    ).subject
    service = IdentityService(
        container.runner, AcceptingDiscovery(), container.identity.secrets, "http://cw.example"
    )
    info = service.register_identity_provider(
        operator,
        cluster.id,
        ProviderRegistration("School SSO", subject.id, ISSUER, "cw", "s3cret", True),
    )
    return container.identity.login_client(cluster.id, info.id).provider


def test_the_same_identity_after_erasure_is_a_new_person(
    container: Container, operator: Principal, cluster: ClusterInfo
) -> None:
    record = provider(container, operator, cluster)
    email = "yolanda.erasable@school9.example"
    invited = container.registry.add_member(
        operator,
        cluster.id,
        MemberAddition("Yolanda Erasable", email, record.subject_id, ["MEMBER"]),
    ).member
    who = VerifiedIdentity(ISSUER, "sub-yolanda", "Yolanda Erasable", email, email_verified=True)
    sign_in = container.sign_on.sign_in.sign_in
    first = sign_in(cluster.id, record, who)
    assert container.directory.member_of(first.person_id, cluster.id) == invited.id
    container.privacy.erase_person(operator, first.person_id, "ticket 9")

    again = sign_in(cluster.id, record, who)
    assert again.person_id != first.person_id
    member_id = container.directory.member_of(again.person_id, cluster.id)
    assert member_id not in (None, invited.id)  # enrolled anew, not the erased member
    assert container.directory.member_of(first.person_id, cluster.id) is None
    scope = container.queries.scope(operator, cluster.id)
    old = scope.member(invited.id)
    assert old is not None and old.name == erased_name(invited.id)
    new = scope.member(member_id or "")
    assert new is not None and new.name == "Yolanda Erasable"


@pytest.mark.e2e
def test_after_erasure_the_real_provider_sign_in_makes_a_new_person(
    server: Server, operator_token: str, institutions: tuple[NodeProvider, NodeProvider]
) -> None:
    """The whole flow against panva's oidc-provider: sign in through its login and
    consent pages, be erased, find the old token refused, sign in again as the
    same login and be a new person and a new member; the old member stays, erased."""
    school = institutions[0]
    cluster = found_cluster(server, operator_token, ("School No. 11", "SCHOOL"))
    provider = registered(
        server,
        operator_token,
        cluster.id,
        cluster.subjects["School No. 11"],
        school.issuer,
        school.client_id,
        school.client_secret,
    )
    login = f"zarina{uuid.uuid4().hex[:6]}"
    first_token = token_of(server, provider["loginUrl"], login)
    first = server.ok(VIEWER, token=first_token)["viewer"]
    [first_membership] = first["memberships"]
    old_member = first_membership["member"]["id"]

    erased = server.ok(ERASE, {"p": first["id"], "r": "ticket 11"}, operator_token)
    assert erased["erasePerson"]["clusterIds"] == [cluster.id]
    assert codes(server.graphql(VIEWER, token=first_token)) == ["UNAUTHENTICATED"]

    again = server.ok(VIEWER, token=token_of(server, provider["loginUrl"], login))["viewer"]
    assert again["id"] != first["id"]
    assert (again["name"], again["email"]) == (login, f"{login}@school.example")
    [membership] = again["memberships"]
    assert membership["cluster"]["id"] == cluster.id
    assert membership["member"]["id"] != old_member

    members = server.ok(MEMBERS, {"c": cluster.id}, operator_token)["cluster"]["members"]
    by_id = {m["id"]: m for m in members}
    assert (by_id[old_member]["name"], by_id[old_member]["email"]) == (
        erased_name(old_member),
        None,
    )
    assert by_id[membership["member"]["id"]]["name"] == login
