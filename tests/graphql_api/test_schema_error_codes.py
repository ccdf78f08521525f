"""Every failure leaves with one of the contract's codes, and a failed
mutation leaves the cluster's log position where it was."""

from __future__ import annotations

import uuid

from gql_harness import Api, Registry, operation
from joserfc import jwt
from joserfc.jwk import OKPKey

from infra.cli_context import operator_principal
from services.principal import Principal
from services.registry import RegistryService

ADMIT = operation("admit_subject")
VIEWER = "{ viewer { id } }"


def admit(api: Api, reg: Registry, name: str, kind: str = "SCHOOL", **extra: str):
    variables = {"clusterId": reg.cluster_id, "input": {"name": name, "kind": kind, **extra}}
    return api.run(ADMIT, variables, principal=reg.operator)


def test_viewer_without_a_token_is_unauthenticated(api: Api) -> None:
    outcome = api.run(VIEWER)
    assert outcome.codes == ["UNAUTHENTICATED"]
    assert outcome.data is None


def test_a_header_that_is_not_bearer_is_unauthenticated(api: Api) -> None:
    assert api.run(VIEWER, authorization="Basic b2xnYTpzZWNyZXQ=").codes == ["UNAUTHENTICATED"]


def test_a_token_signed_with_another_key_is_unauthenticated(api: Api) -> None:
    stranger = OKPKey.generate_key("Ed25519", parameters={"kid": api.container.tokens.key.kid})
    claims = {"iss": "clusterwork", "aud": "clusterwork", "sub": "x", "iat": 1, "exp": 2**31}
    forged = jwt.encode({"alg": "EdDSA"}, claims, stranger, algorithms=["EdDSA"])
    outcome = api.run(VIEWER, authorization=f"Bearer {forged}")
    assert outcome.codes == ["UNAUTHENTICATED"]


def test_a_valid_token_reaches_the_viewer(api: Api) -> None:
    person = Principal("p-1", "Anna", "anna@example.org")
    token = api.container.tokens.mint(person)
    assert api.run(VIEWER, authorization=f"Bearer {token}").ok() == {"viewer": {"id": "p-1"}}


def test_a_blank_name_is_bad_user_input_naming_the_field(api: Api, registry: Registry) -> None:
    before = api.position(registry.cluster_id, registry.operator)
    outcome = admit(api, registry, "   ")
    assert outcome.codes == ["BAD_USER_INPUT"]
    assert outcome.errors[0]["extensions"]["field"] == "name"
    assert "blank" in outcome.errors[0]["message"]
    assert api.position(registry.cluster_id, registry.operator) == before


def test_a_name_over_200_characters_is_bad_user_input(api: Api, registry: Registry) -> None:
    before = api.position(registry.cluster_id, registry.operator)
    outcome = admit(api, registry, "S" * 201)
    assert outcome.codes == ["BAD_USER_INPUT"]
    assert "200" in outcome.errors[0]["message"]
    assert admit(api, registry, "S" * 200).codes == []
    assert api.position(registry.cluster_id, registry.operator) == before + 1


def test_an_enum_value_outside_the_contract_is_bad_user_input(api: Api, registry: Registry) -> None:
    before = api.position(registry.cluster_id, registry.operator)
    by_variable = admit(api, registry, "Observatory", kind="OBSERVATORY")
    literal = api.run(
        'mutation($c: ID!) { admitSubject(clusterId: $c, input: {name: "X", kind: OBSERVATORY})'
        " { id } }",
        {"c": registry.cluster_id},
        principal=registry.operator,
    )
    assert by_variable.codes == ["BAD_USER_INPUT"]
    assert literal.codes == ["BAD_USER_INPUT"]
    assert "OBSERVATORY" in by_variable.errors[0]["message"]
    assert api.position(registry.cluster_id, registry.operator) == before


def test_an_unknown_subject_id_in_input_is_bad_user_input(api: Api, registry: Registry) -> None:
    variables = {
        "clusterId": registry.cluster_id,
        "input": {"name": "Ghost", "subjectId": str(uuid.uuid4()), "roles": ["MEMBER"]},
    }
    outcome = api.run(operation("add_member"), variables, principal=registry.operator)
    assert outcome.codes == ["BAD_USER_INPUT"]
    assert outcome.errors[0]["extensions"]["field"] == "subjectId"


def test_an_events_page_outside_1_to_500_is_bad_user_input(api: Api, registry: Registry) -> None:
    events = operation("cluster_events")
    for first in (0, 501):
        outcome = api.run(
            events, {"id": registry.cluster_id, "first": first}, principal=registry.operator
        )
        assert outcome.codes == ["BAD_USER_INPUT"], first
        assert outcome.errors[0]["extensions"]["field"] == "first"
    page = api.run(events, {"id": registry.cluster_id, "first": 500}, principal=registry.operator)
    assert page.ok()["cluster"]["events"]["events"][0]["position"] == 1


def test_a_cluster_the_caller_does_not_belong_to_is_not_found(api: Api, registry: Registry) -> None:
    outsider = operator_principal("Another operator")
    for cluster_id in (registry.cluster_id, str(uuid.uuid4()), "not-a-uuid"):
        outcome = api.run(operation("cluster_overview"), {"id": cluster_id}, principal=outsider)
        assert outcome.codes == ["NOT_FOUND"], cluster_id
        assert outcome.data is None


def test_a_member_acting_for_another_subject_is_forbidden(api: Api, registry: Registry) -> None:
    before = api.position(registry.cluster_id, registry.member)
    variables = {
        "clusterId": registry.cluster_id,
        "subjectId": registry.college_id,
        "kind": "SOCIAL",
        "statement": "Our graduates teach here.",
    }
    outcome = api.run(operation("declare_interest"), variables, principal=registry.member)
    assert outcome.codes == ["FORBIDDEN"]
    assert api.position(registry.cluster_id, registry.member) == before


def test_a_member_may_not_found_a_cluster(api: Api, registry: Registry) -> None:
    variables = {"input": {"name": "Mine", "region": "Tomsk", "form": "FOCUSED"}}
    outcome = api.run(operation("found_cluster"), variables, principal=registry.member)
    assert outcome.codes == ["FORBIDDEN"]


class ExplodingRegistry(RegistryService):
    """A registry whose store broke in a way nobody anticipated."""

    def admit_subject(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk /srv/secret-volume is full")


def test_an_unexpected_failure_is_internal_masked_with_a_correlation_id(
    api: Api, registry: Registry
) -> None:
    services = api.services(registry=ExplodingRegistry(api.container.runner))
    variables = {"clusterId": registry.cluster_id, "input": {"name": "X", "kind": "SCHOOL"}}
    outcome = api.run(ADMIT, variables, principal=registry.operator, services=services)
    assert outcome.codes == ["INTERNAL"]
    error = outcome.errors[0]
    assert error["extensions"]["correlationId"] == outcome.request_id
    assert outcome.request_id in error["message"]
    assert "secret" not in error["message"]
    assert "RuntimeError" not in str(error)
