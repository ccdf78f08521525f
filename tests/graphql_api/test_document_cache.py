"""Valid documents are remembered by their text (graphql_api/document_cache.py):
the limits still hold for every request, and nothing about the caller or the
tenant is remembered with them."""

from __future__ import annotations

import uuid

from gql_harness import Api, Registry, operation
from test_schema_limits import nested

from graphql import parse
from graphql_api.cost import MAX_COST
from graphql_api.document_cache import DocumentCache
from graphql_api.schema import MAX_DEPTH
from infra.cli import operator_principal
from services.principal import Principal

ACTOR = "actor { id name subject { id name members { id name subject { id members { id } } } } }"
PAGED = (
    "query($id: ID!, $n: Int) "
    f"{{ cluster(id: $id) {{ events(first: $n) {{ events {{ {ACTOR} }} }} }} }}"
)
OVERVIEW = "query($id: ID!) { cluster(id: $id) { id name members { id roles } } }"


def documents(api: Api) -> DocumentCache:
    (extension,) = [e for e in api.schema.get_extensions() if hasattr(e, "cache")]
    return extension.cache  # type: ignore[no-any-return]


def test_the_cost_limit_holds_for_a_remembered_document(api: Api, registry: Registry) -> None:
    small = api.run(PAGED, {"id": registry.cluster_id, "n": 2}, principal=registry.operator)
    assert small.ok()["cluster"]["events"]["events"]
    assert documents(api).get(PAGED) is not None
    # The same text, a page that makes it too expensive: refused before any resolver.
    large = api.run(PAGED, {"id": registry.cluster_id, "n": 500}, principal=registry.operator)
    assert large.data is None
    assert large.codes == ["BAD_USER_INPUT"]
    assert "too expensive" in large.errors[0]["message"]
    assert str(MAX_COST) in large.errors[0]["message"]
    again = api.run(PAGED, {"id": registry.cluster_id, "n": 2}, principal=registry.operator)
    assert again.ok() == small.ok()


def test_a_refused_document_is_not_remembered_and_is_refused_again(
    api: Api, registry: Registry
) -> None:
    query = nested(MAX_DEPTH + 1)
    for _ in range(3):
        outcome = api.run(query, {"id": registry.cluster_id}, principal=registry.operator)
        assert outcome.data is None
        assert set(outcome.codes) == {"BAD_USER_INPUT"}
        assert "depth" in outcome.errors[0]["message"]
    assert documents(api).get(query) is None
    # A remembered document at the limit does not make a deeper one pass either.
    allowed = nested(MAX_DEPTH)
    api.run(allowed, {"id": registry.cluster_id}, principal=registry.operator).ok()
    assert documents(api).get(allowed) is not None
    assert api.run(query, {"id": registry.cluster_id}, principal=registry.operator).data is None


def test_another_tenant_is_not_served_by_a_remembered_document(
    api: Api, registry: Registry
) -> None:
    api.run(OVERVIEW, {"id": registry.cluster_id}, principal=registry.member).ok()
    assert documents(api).get(OVERVIEW) is not None
    stranger = Principal(f"stranger-{uuid.uuid4().hex[:8]}", "Stranger", None, False)
    refused = api.run(OVERVIEW, {"id": registry.cluster_id}, principal=stranger)
    assert refused.data is None and refused.codes == ["NOT_FOUND"]
    founder = operator_principal(f"Operator {uuid.uuid4().hex[:6]}")
    other = api.run(
        operation("found_cluster"),
        {"input": {"name": "Other cluster", "region": "Elsewhere", "form": "GEOGRAPHIC"}},
        principal=founder,
    ).ok()["foundCluster"]["id"]
    # The member of the first cluster, the same text, the other tenant's id: NOT_FOUND.
    crossing = api.run(OVERVIEW, {"id": other}, principal=registry.member)
    assert crossing.data is None and crossing.codes == ["NOT_FOUND"]
    own = api.run(OVERVIEW, {"id": other}, principal=founder).ok()
    assert own["cluster"]["name"] == "Other cluster"


def test_a_revoked_role_takes_effect_on_a_remembered_document(api: Api, registry: Registry) -> None:
    assert api.run(OVERVIEW, {"id": registry.cluster_id}, principal=registry.member).ok()
    api.run(
        operation("revoke_role"),
        {"clusterId": registry.cluster_id, "memberId": registry.member_id, "role": "MEMBER"},
        principal=registry.operator,
    ).ok()
    # A member without roles reads nothing: the cluster is NOT_FOUND to them.
    after = api.run(OVERVIEW, {"id": registry.cluster_id}, principal=registry.member)
    assert after.data is None and after.codes == ["NOT_FOUND"]


def test_the_cache_is_bounded_least_recently_used_first() -> None:
    cache = DocumentCache(maxsize=2)
    first, second, third = "{ a }", "{ b }", "{ c }"
    cache.put(first, parse(first))
    cache.put(second, parse(second))
    assert cache.get(first) is not None  # first is now the most recently used
    cache.put(third, parse(third))
    assert len(cache) == 2
    assert cache.get(second) is None
    assert cache.get(first) is not None and cache.get(third) is not None
