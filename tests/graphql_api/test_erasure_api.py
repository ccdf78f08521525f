"""erasePerson over GraphQL: its codes, nothing recorded when refused, the
erased member's placeholder in every answer, and a missing key as INTERNAL."""

from __future__ import annotations

from gql_harness import Api, Registry, operation
from sqlalchemy import text

from domain.personal import erased_name

MEMBERS = "query($id: ID!) { cluster(id: $id) { position members { id name email } } }"


def members(api: Api, registry: Registry) -> dict[str, tuple[str, str | None]]:
    found = api.run(MEMBERS, {"id": registry.cluster_id}, principal=registry.operator).ok()
    return {m["id"]: (m["name"], m["email"]) for m in found["cluster"]["members"]}


def test_erase_person_codes_and_the_placeholder(api: Api, registry: Registry) -> None:
    erase = operation("erase_person")
    person_id = registry.member.person_id
    before = api.position(registry.cluster_id, registry.operator)
    refused = {
        "NOT_FOUND": ({"personId": "nobody", "reason": "t-1"}, registry.operator),
        "BAD_USER_INPUT": ({"personId": person_id, "reason": " "}, registry.operator),
        "FORBIDDEN": ({"personId": person_id, "reason": "t-1"}, registry.member),
    }
    for code, (variables, principal) in refused.items():
        assert api.run(erase, variables, principal=principal).codes == [code], code
    assert api.position(registry.cluster_id, registry.operator) == before

    done = api.run(erase, {"personId": person_id, "reason": "t-2"}, principal=registry.operator)
    answer = done.ok()["erasePerson"]
    assert answer["personId"] == person_id and answer["clusterIds"] == [registry.cluster_id]
    assert members(api, registry)[registry.member_id] == (erased_name(registry.member_id), None)
    assert b"Irina" not in repr(members(api, registry)).encode()

    position = api.position(registry.cluster_id, registry.operator)
    again = api.run(erase, {"personId": person_id, "reason": "t-3"}, principal=registry.operator)
    assert again.codes == ["CONFLICT"]
    assert api.position(registry.cluster_id, registry.operator) == position
    # the erased person's principal reaches nothing
    gone = api.run(MEMBERS, {"id": registry.cluster_id}, principal=registry.member)
    assert gone.codes == ["NOT_FOUND"]


def test_a_missing_person_key_is_internal_with_a_correlation_id(
    api: Api, registry: Registry
) -> None:
    container = api.container
    with container.directory.engine.begin() as conn:
        conn.execute(text("DELETE FROM dir_person_key"))
    container.person_keys.forget()  # as a process started after the damage would be
    as_of = "query($id: ID!) { cluster(id: $id, asOf: 4) { members { name } } }"
    outcome = api.run(as_of, {"id": registry.cluster_id}, principal=registry.operator)
    assert outcome.codes == ["INTERNAL"], outcome.errors
    error = outcome.errors[0]
    assert error["extensions"]["correlationId"] == outcome.request_id
    assert "person key" not in error["message"] and "Irina" not in str(error)
