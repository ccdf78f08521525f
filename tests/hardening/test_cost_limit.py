"""The cost limit refuses expensive operations before any resolver runs; every
operation clients use stays well under it; every page size is bounded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hardening_world import SCHEMA, Gql, build_world

from domain.errors import Unauthenticated
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse
from graphql_api.compat.strawberry import graphql_core_schema
from graphql_api.context import Context
from graphql_api.cost import LIST_GUESS, MAX_COST, CostEstimator
from graphql_api.schema import build_schema

OPERATIONS = sorted(
    (Path(__file__).resolve().parents[2] / "graphql" / "operations").glob("*.graphql")
)
ACTOR = "actor { id name subject { id name members { id name subject { id members { id } } } } }"
EXPENSIVE = (
    "query($id: ID!, $n: Int) "
    f"{{ cluster(id: $id) {{ events(first: $n) {{ events {{ {ACTOR} }} }} }} }}"
)


def cost(document: str, variables: dict[str, Any] | None = None) -> int:
    parsed = parse(document)
    fragments = {
        d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)
    }
    estimator = CostEstimator(graphql_core_schema(SCHEMA), fragments, variables or {})
    return max(
        estimator.operation(d) for d in parsed.definitions if isinstance(d, OperationDefinitionNode)
    )


class NoServices:
    """Past validation, the first resolver finds no service: UNAUTHENTICATED."""

    def __getattr__(self, name: str) -> Any:
        raise Unauthenticated("no services in this test")


def run(document: str, variables: dict[str, Any]) -> list[dict[str, Any]]:
    context = Context(NoServices(), None, None, "cost-test")  # type: ignore[arg-type]
    result = SCHEMA.execute_sync(document, variable_values=variables, context_value=context)
    return [e.formatted for e in result.errors or []]


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda p: p.stem)
def test_every_client_operation_stays_well_under_the_limit(path: Path) -> None:
    assert cost(path.read_text(), {"first": 500}) <= MAX_COST // 2


def test_an_expensive_operation_is_refused_before_any_resolver_runs() -> None:
    errors = run(EXPENSIVE, {"id": "c", "n": 500})
    assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"]
    assert "too expensive" in errors[0]["message"] and str(MAX_COST) in errors[0]["message"]
    # The same shape over a small page is fine: the resolvers run (and want a caller).
    small = run(EXPENSIVE, {"id": "c", "n": 10})
    assert [e["extensions"]["code"] for e in small] == ["UNAUTHENTICATED"]


def test_page_sizes_lists_and_fragments_count() -> None:
    one = cost("query { cluster(id: 1) { events(first: 1) { events { position } } } }")
    five_hundred = cost("query { cluster(id: 1) { events(first: 500) { events { position } } } }")
    assert (one, five_hundred) == (1 + (1 + 1 * 2), 1 + (1 + 500 * 2))
    listed = cost("query { cluster(id: 1) { subjects { id } } }")
    assert listed == 1 + (1 + LIST_GUESS * 1)
    spread = cost("query { cluster(id: 1) { ...F } } fragment F on Cluster { subjects { id } }")
    assert spread == listed
    # A page given by a variable counts with its value, or its default, or the maximum.
    by_var = "query($n: Int = 7) { cluster(id: 1) { events(first: $n) { events { position } } } }"
    assert cost(by_var) == 1 + (1 + 7 * 2) and cost(by_var, {"n": 3}) == 1 + (1 + 3 * 2)


def paged_fields() -> list[str]:
    return [
        f"{t.name}.{name}"
        for t in graphql_core_schema(SCHEMA).type_map.values()
        if hasattr(t, "fields") and not t.name.startswith("__")
        for name, field in t.fields.items()
        if "first" in getattr(field, "args", {})
    ]


def test_every_page_argument_is_1_to_500(shared_container: Any) -> None:
    gql = Gql(shared_container)
    world = build_world(gql, "Pages")
    assert paged_fields() == ["Cluster.events"], "a new paged field: add it below"
    query = "query($id: ID!, $n: Int) { cluster(id: $id) { events(first: $n) { hasMore } } }"
    for size, codes in ((0, ["BAD_USER_INPUT"]), (501, ["BAD_USER_INPUT"]), (500, []), (1, [])):
        outcome = gql.run(query, {"id": world.cluster_id, "n": size}, world.coordinator)
        assert [e["extensions"]["code"] for e in outcome["errors"]] == codes, size


def test_a_known_document_still_meets_the_limit_with_every_request_s_variables() -> None:
    """Documents are parsed and validated once (strawberry's caches);
    the cost limit reads the variables, so it runs again on every request."""
    schema = build_schema()

    def codes(variables: dict[str, Any]) -> list[str]:
        context = Context(NoServices(), None, None, "cost-test")  # type: ignore[arg-type]
        result = schema.execute_sync(EXPENSIVE, variable_values=variables, context_value=context)
        return [e.formatted["extensions"]["code"] for e in result.errors or []]

    assert codes({"id": "c", "n": 10}) == ["UNAUTHENTICATED"]  # valid: now known
    assert codes({"id": "c", "n": 500}) == ["BAD_USER_INPUT"]
    assert codes({"id": "c", "n": 10}) == ["UNAUTHENTICATED"]


def test_an_invalid_document_is_refused_the_same_way_every_time() -> None:
    schema = build_schema()
    context = Context(NoServices(), None, None, "cost-test")  # type: ignore[arg-type]
    answers = [
        [e.formatted for e in schema.execute_sync(text, context_value=context).errors or []]
        for text in ["query { nothingHere }", "query { nothingHere }", "query {", "query {"]
    ]
    assert answers[0] == answers[1] and answers[2] == answers[3]
    assert [len(a) for a in answers] == [1, 1, 1, 1]
    assert "nothingHere" in answers[0][0]["message"] and "Syntax" in answers[2][0]["message"]
