"""Member.roleChanges: every role granted or revoked after the member was added,
oldest first, with when, at which position and by whom; read for a whole list of
members in one batch, and as of an earlier position."""

from __future__ import annotations

from gql_harness import Api, Registry, operation

CHANGES = """query($id: ID!, $asOf: Int) { cluster(id: $id, asOf: $asOf) { members {
  id name roles roleChanges { role granted changedAt position changedBy { name } } } } }"""


def change(api: Api, registry: Registry, name: str, role: str) -> int:
    variables = {"clusterId": registry.cluster_id, "memberId": registry.member_id, "role": role}
    api.run(operation(name), variables, principal=registry.operator).ok()
    return api.position(registry.cluster_id, registry.operator)


def members(api: Api, registry: Registry, as_of: int | None = None) -> dict[str, dict]:
    variables = {"id": registry.cluster_id, "asOf": as_of}
    found = api.run(CHANGES, variables, principal=registry.operator).ok()["cluster"]["members"]
    return {m["name"]: m for m in found}


def test_role_changes_are_listed_oldest_first_with_who_and_when(
    api: Api, registry: Registry
) -> None:
    granted = change(api, registry, "grant_role", "AUDITOR")
    revoked = change(api, registry, "revoke_role", "MEMBER")

    irina = members(api, registry)["Irina"]
    assert irina["roles"] == ["AUDITOR"]
    changes = irina["roleChanges"]
    assert [(c["role"], c["granted"], c["position"]) for c in changes] == [
        ("AUDITOR", True, granted),
        ("MEMBER", False, revoked),
    ]
    assert changes[0]["changedAt"] <= changes[1]["changedAt"]
    founder = [m for m in members(api, registry).values() if m["id"] != registry.member_id]
    assert [c["changedBy"]["name"] for c in changes] == [founder[0]["name"]] * 2
    # The roles given when a member was added are not changes.
    assert founder[0]["roleChanges"] == []

    before = members(api, registry, as_of=granted)["Irina"]
    assert [c["position"] for c in before["roleChanges"]] == [granted]
    assert sorted(before["roles"]) == ["AUDITOR", "MEMBER"]


def test_a_revocation_that_changes_nothing_is_no_change(api: Api, registry: Registry) -> None:
    before = api.position(registry.cluster_id, registry.operator)
    variables = {
        "clusterId": registry.cluster_id,
        "memberId": registry.member_id,
        "role": "AUDITOR",
    }
    api.run(operation("revoke_role"), variables, principal=registry.operator).ok()
    assert api.position(registry.cluster_id, registry.operator) == before
    assert members(api, registry)["Irina"]["roleChanges"] == []
