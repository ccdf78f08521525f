"""The registry over HTTP: an operator founds a cluster, a coordinator admits
subjects and adds members, a member acts for their own subject only, and a
refused mutation leaves the log where it was."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from e2e_server import OPERATIONS, Server, codes

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Founded:
    cluster_id: str
    school_id: str
    college_id: str
    member_id: str
    member_token: str


def admit(server: Server, token: str, cluster_id: str, name: str, kind: str) -> str:
    variables = {"clusterId": cluster_id, "input": {"name": name, "kind": kind, "region": "Tomsk"}}
    return server.run("admit_subject", variables, token)["admitSubject"]["id"]


def add_member(server: Server, token: str, cluster_id: str, subject_id: str) -> str:
    person = {"name": "Irina Petrova", "email": "i.petrova@school4.ru", "subjectId": subject_id}
    variables = {"clusterId": cluster_id, "input": {**person, "roles": ["MEMBER"]}}
    added = server.run("add_member", variables, token)["addMember"]
    assert added["subject"]["id"] == subject_id
    return added["id"]


@pytest.fixture(scope="module")
def founded(server: Server, operator_token: str) -> Founded:
    form = {
        "name": f"Tomsk cluster {uuid.uuid4().hex[:6]}",
        "region": "Tomsk Oblast",
        "form": "VERTICAL",
    }
    cluster = server.run("found_cluster", {"input": form}, operator_token)["foundCluster"]
    assert [m["roles"] for m in cluster["members"]] == [["COORDINATOR"]]
    school = admit(server, operator_token, cluster["id"], "Tomsk School No. 4", "SCHOOL")
    college = admit(server, operator_token, cluster["id"], "Tomsk Pedagogical College", "COLLEGE")
    member = add_member(server, operator_token, cluster["id"], school)
    token = server.cli_token("--cluster", cluster["id"], "--member", member)
    return Founded(cluster["id"], school, college, member, token)


def interest(
    founded: Founded, subject_id: str, statement: str = "Graduates teach here."
) -> dict[str, Any]:
    return {
        "clusterId": founded.cluster_id,
        "subjectId": subject_id,
        "kind": "SOCIAL",
        "statement": statement,
    }


def test_a_member_declares_an_interest_of_their_own_subject(
    server: Server, founded: Founded
) -> None:
    subject = server.run(
        "declare_interest", interest(founded, founded.school_id), founded.member_token
    )
    assert subject["declareInterest"]["interests"] == [
        {"kind": "SOCIAL", "statement": "Graduates teach here."}
    ]
    events = server.run(
        "cluster_events",
        {"id": founded.cluster_id, "types": ["InterestDeclared"]},
        founded.member_token,
    )["cluster"]["events"]["events"]
    assert [e["actor"]["id"] for e in events] == [founded.member_id]


def test_a_member_acting_for_another_subject_is_forbidden(server: Server, founded: Founded) -> None:
    before = server.position(founded.cluster_id, founded.member_token)
    declare = (OPERATIONS / "declare_interest.graphql").read_text()
    body = server.graphql(declare, interest(founded, founded.college_id), founded.member_token)
    assert codes(body) == ["FORBIDDEN"]
    assert server.position(founded.cluster_id, founded.member_token) == before


def test_a_member_may_not_administer(server: Server, founded: Founded) -> None:
    add = (OPERATIONS / "add_member.graphql").read_text()
    variables = {
        "clusterId": founded.cluster_id,
        "input": {"name": "Eve", "roles": ["COORDINATOR"]},
    }
    assert codes(server.graphql(add, variables, founded.member_token)) == ["FORBIDDEN"]


def test_a_coordinator_grants_and_revokes_a_role(
    server: Server, founded: Founded, operator_token: str
) -> None:
    variables = {"clusterId": founded.cluster_id, "memberId": founded.member_id, "role": "AUDITOR"}
    granted = server.run("grant_role", variables, operator_token)["grantRole"]
    assert sorted(granted["roles"]) == ["AUDITOR", "MEMBER"]
    revoked = server.run("revoke_role", variables, operator_token)["revokeRole"]
    assert revoked["roles"] == ["MEMBER"]


def test_a_member_of_a_withdrawn_subject_may_only_read(
    server: Server, founded: Founded, operator_token: str
) -> None:
    leaving = admit(
        server, operator_token, founded.cluster_id, "Tomsk Kindergarten No. 9", "PRESCHOOL"
    )
    member = add_member(server, operator_token, founded.cluster_id, leaving)
    token = server.cli_token("--cluster", founded.cluster_id, "--member", member)
    ids = {"clusterId": founded.cluster_id, "subjectId": leaving}
    assert server.run("withdraw_subject", ids, operator_token)["withdrawSubject"]["active"] is False
    before = server.position(founded.cluster_id, token)
    declare = (OPERATIONS / "declare_interest.graphql").read_text()
    body = server.graphql(declare, interest(founded, leaving), token)
    assert codes(body) == ["FORBIDDEN"]
    assert "withdrawn" in body["errors"][0]["message"]
    assert server.position(founded.cluster_id, token) == before


BAD_INPUT = [  # operation, variables beyond clusterId, expected code, field named
    ("admit_subject", {"input": {"name": "  ", "kind": "SCHOOL"}}, "BAD_USER_INPUT", "name"),
    ("admit_subject", {"input": {"name": "N" * 201, "kind": "SCHOOL"}}, "BAD_USER_INPUT", "name"),
    (
        "admit_subject",
        {"input": {"name": "S", "kind": "SCHOOL", "region": "R" * 201}},
        "BAD_USER_INPUT",
        "region",
    ),
    (
        "admit_subject",
        {"input": {"name": "Observatory", "kind": "OBSERVATORY"}},
        "BAD_USER_INPUT",
        None,
    ),
    (
        "add_member",
        {"input": {"name": "Ghost", "subjectId": str(uuid.uuid4()), "roles": ["MEMBER"]}},
        "BAD_USER_INPUT",
        "subjectId",
    ),
    (
        "add_member",
        {"input": {"name": "Ann", "email": "not-an-address", "roles": ["MEMBER"]}},
        "BAD_USER_INPUT",
        "email",
    ),
    ("add_member", {"input": {"name": "Ann", "roles": ["OWNER"]}}, "BAD_USER_INPUT", None),
    ("grant_role", {"memberId": str(uuid.uuid4()), "role": "AUDITOR"}, "NOT_FOUND", None),
    ("withdraw_subject", {"subjectId": str(uuid.uuid4())}, "NOT_FOUND", None),
]


def test_bad_input_is_refused_with_its_code_and_records_nothing(
    server: Server, founded: Founded, operator_token: str
) -> None:
    before = server.position(founded.cluster_id, operator_token)
    for name, variables, code, field in BAD_INPUT:
        query = (OPERATIONS / f"{name}.graphql").read_text()
        body = server.graphql(query, {"clusterId": founded.cluster_id, **variables}, operator_token)
        assert codes(body) == [code], (name, variables, body)
        assert body["errors"][0]["message"]
        if field:
            assert body["errors"][0]["extensions"]["field"] == field, body
    too_long = interest(founded, founded.school_id, "x" * 4001)
    declare = (OPERATIONS / "declare_interest.graphql").read_text()
    assert codes(server.graphql(declare, too_long, operator_token)) == ["BAD_USER_INPUT"]
    assert server.position(founded.cluster_id, operator_token) == before


def test_the_last_coordinator_keeps_the_role(
    server: Server, founded: Founded, operator_token: str
) -> None:
    cluster = server.run("cluster_overview", {"id": founded.cluster_id}, operator_token)["cluster"]
    [coordinator] = [m for m in cluster["members"] if "COORDINATOR" in m["roles"]]
    variables = {
        "clusterId": founded.cluster_id,
        "memberId": coordinator["id"],
        "role": "COORDINATOR",
    }
    revoke = (OPERATIONS / "revoke_role.graphql").read_text()
    assert codes(server.graphql(revoke, variables, operator_token)) == ["CONFLICT"]
    assert server.position(founded.cluster_id, operator_token) == cluster["position"]
