"""Depth, alias and token limits refuse abusive queries before any resolver runs."""

from __future__ import annotations

import asyncio
from typing import Any

from gql_harness import Api, Registry
from strawberry.types import ExecutionResult

from graphql_api.context import Context
from graphql_api.schema import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS


def nested(levels: int) -> str:
    """cluster → subjects → members → subject → members → … , ``levels`` deep."""
    fields = ["subjects", "members", "subject"] + ["members", "subject"] * levels
    body = ""
    for name in reversed(fields[: levels - 1]):
        body = f"{name} {{ id {body}}}"
    return f"query($id: ID!) {{ cluster(id: $id) {{ {body} }} }}"


def aliased(count: int) -> str:
    return "{ " + " ".join(f"a{i}: viewer {{ id }}" for i in range(count)) + " }"


def test_a_query_at_the_depth_limit_runs(api: Api, registry: Registry) -> None:
    outcome = api.run(nested(MAX_DEPTH), {"id": registry.cluster_id}, principal=registry.operator)
    assert outcome.ok()["cluster"]["subjects"]


def test_a_query_deeper_than_the_limit_is_refused(api: Api, registry: Registry) -> None:
    query = nested(MAX_DEPTH + 1)
    outcome = api.run(query, {"id": registry.cluster_id}, principal=registry.operator)
    assert outcome.data is None
    assert set(outcome.codes) == {"BAD_USER_INPUT"}
    assert "depth" in outcome.errors[0]["message"]


def test_aliases_up_to_the_limit_run_and_one_more_is_refused(api: Api, registry: Registry) -> None:
    allowed = api.run(aliased(MAX_ALIASES), principal=registry.operator).ok()
    assert len(allowed) == MAX_ALIASES
    refused = api.run(aliased(MAX_ALIASES + 1), principal=registry.operator)
    assert refused.data is None
    assert refused.codes == ["BAD_USER_INPUT"]
    assert "alias" in refused.errors[0]["message"].lower()


def test_a_query_of_too_many_tokens_is_refused(api: Api, registry: Registry) -> None:
    padding = " ".join(["id"] * MAX_TOKENS)
    outcome = api.run("{ viewer { " + padding + " } }", principal=registry.operator)
    assert outcome.data is None
    assert outcome.codes == ["BAD_USER_INPUT"]
    assert "token" in outcome.errors[0]["message"].lower()


def test_refused_queries_leave_no_trace_in_the_log(api: Api, registry: Registry) -> None:
    before = api.position(registry.cluster_id, registry.operator)
    mutations = " ".join(
        f'm{i}: admitSubject(clusterId: "{registry.cluster_id}", '
        f'input: {{name: "S{i}", kind: SCHOOL}}) {{ id }}'
        for i in range(MAX_ALIASES + 1)
    )
    refused = api.run(f"mutation {{ {mutations} }}", principal=registry.operator)
    assert refused.codes == ["BAD_USER_INPUT"]
    assert api.position(registry.cluster_id, registry.operator) == before


def subscription_of_depth(levels: int) -> str:
    """clusterEvents → actor → subject → members → subject → … , ``levels`` deep."""
    fields = ["actor", "subject"] + ["members", "subject"] * levels
    body = ""
    for name in reversed(fields[: levels - 1]):
        body = f"{name} {{ id {body}}}"
    return f"subscription($id: ID!) {{ clusterEvents(clusterId: $id) {{ {body} }} }}"


def test_a_subscription_meets_the_same_limits(api: Api, registry: Registry) -> None:
    """A stream (graphql-transport-ws) goes through strawberry's subscribe, not
    execute: the limits' hook runs there too, before anything is streamed."""

    async def first_of(query: str) -> Any:
        context = Context(api.services(), registry.operator, None, "test-subscription-limits")
        result = await api.schema.subscribe(
            query, variable_values={"id": registry.cluster_id}, context_value=context
        )
        if isinstance(result, ExecutionResult):  # refused before streaming
            return result
        try:
            return await anext(result)
        finally:
            await result.aclose()

    too_deep = asyncio.run(first_of(subscription_of_depth(MAX_DEPTH + 1)))
    assert too_deep.data is None
    assert "depth" in too_deep.errors[0].message
    at_limit = asyncio.run(first_of(subscription_of_depth(MAX_DEPTH)))
    assert not at_limit.errors, at_limit.errors
    assert "actor" in at_limit.data["clusterEvents"]
