"""The auditable log through GraphQL: hashes, integrity, checkpoints, asOf."""

from __future__ import annotations

import re

from gql_harness import Api, Registry, operation
from joserfc import jws
from joserfc.jwk import KeySet

from infra.cli_context import member_principal

NAMES = {
    "Integrity": "integrity",
    "SignCheckpoint": "sign_checkpoint",
    "ClusterAsOf": "cluster_as_of",
}


def run(api: Api, name: str, variables: dict, principal):  # type: ignore[no-untyped-def]
    return api.run(operation(NAMES[name]), variables, principal=principal)


def test_every_event_carries_a_64_hex_chain_hash_that_links_to_the_next(
    api: Api, registry: Registry
) -> None:
    page = api.run(
        "query($id: ID!) { cluster(id: $id) { events { events { position hash } } } }",
        {"id": registry.cluster_id},
        principal=registry.operator,
    ).ok()["cluster"]["events"]["events"]
    assert [e["position"] for e in page] == list(range(1, len(page) + 1))
    assert all(re.fullmatch(r"[0-9a-f]{64}", e["hash"]) for e in page)
    assert len({e["hash"] for e in page}) == len(page)


def test_a_coordinator_signs_a_checkpoint_that_any_jose_library_verifies(
    api: Api, registry: Registry
) -> None:
    signed = run(api, "SignCheckpoint", {"clusterId": registry.cluster_id}, registry.operator).ok()
    checkpoint = signed["signCheckpoint"]
    keys = KeySet.import_key_set(api.container.tokens.public_jwks())
    claims = jws.deserialize_compact(checkpoint["jws"], keys, algorithms=["EdDSA"]).payload
    assert b'"position":%d' % checkpoint["position"] in claims
    assert checkpoint["headHash"].encode() in claims and registry.cluster_id.encode() in claims
    report = run(api, "Integrity", {"id": registry.cluster_id}, registry.operator).ok()
    integrity = report["cluster"]["integrity"]
    assert integrity["verified"] and integrity["firstBadPosition"] is None
    assert integrity["head"] == report["cluster"]["position"] == checkpoint["position"]
    assert [c["position"] for c in integrity["checkpoints"]] == [checkpoint["position"]]


def test_members_may_not_audit(api: Api, registry: Registry) -> None:
    denied = run(api, "Integrity", {"id": registry.cluster_id}, registry.member)
    assert denied.codes == ["FORBIDDEN"]
    assert run(
        api, "SignCheckpoint", {"clusterId": registry.cluster_id}, registry.member
    ).codes == ["FORBIDDEN"]
    as_of = run(api, "ClusterAsOf", {"id": registry.cluster_id, "asOf": 1}, registry.member)
    assert as_of.codes == ["FORBIDDEN"]


def test_an_auditor_reads_the_cluster_as_it_was(api: Api, registry: Registry) -> None:
    auditor = api.run(
        'mutation($c: ID!) { addMember(clusterId: $c, input: {name: "Aud", roles: [AUDITOR]}) { id } }',
        {"c": registry.cluster_id},
        principal=registry.operator,
    ).ok()["addMember"]["id"]
    as_auditor = member_principal(api.container, registry.cluster_id, auditor)
    early = run(api, "ClusterAsOf", {"id": registry.cluster_id, "asOf": 3}, as_auditor).ok()[
        "cluster"
    ]
    assert early["position"] == 3
    assert [s["name"] for s in early["subjects"]] == ["Tomsk School No. 4"]
    assert [e["position"] for e in early["events"]["events"]] == [1, 2, 3]
    head = api.position(registry.cluster_id, registry.operator)
    past = run(api, "ClusterAsOf", {"id": registry.cluster_id, "asOf": head + 1}, as_auditor)
    assert past.codes == ["BAD_USER_INPUT"]
