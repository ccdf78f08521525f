"""Tenant isolation across the whole API, generated from the schema.

For every cluster-scoped query field, mutation and subscription (schema_walk, schema_fill),
a coordinator of cluster A:
- calls it against cluster B (B's id as the cluster, B's ids inside): NOT_FOUND;
- calls it in A with one of B's ids in one ID slot at a time: refused
  (NOT_FOUND or BAD_USER_INPUT), or for a read, an answer without any of B;
- and, as the control that keeps this honest, calls it in A with A's own ids:
  the generated call is accepted.
Neither log's head moves except through the control. A new field, mutation or
ID argument is covered without editing this file (SQLite and PostgreSQL).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hardening_world import Gql, World, build_world, codes
from schema_fill import Filler, id_kind
from schema_walk import Call, calls, put, slots

from infra.bootstrap import Container

CALLS = calls()
REFUSED = {"NOT_FOUND", "BAD_USER_INPUT"}


@pytest.fixture(scope="module")
def gql(shared_container: Container) -> Gql:
    return Gql(shared_container)


@pytest.fixture(scope="module")
def world_b(gql: Gql) -> World:
    return build_world(gql, "B")


@pytest.fixture(scope="module")
def world_a(gql: Gql) -> World:
    """A for reads: their controls change nothing, so one A serves them all."""
    return build_world(gql, "A")


@pytest.fixture
def worlds(gql: Gql, world_a: World, world_b: World, call: Call) -> tuple[Gql, World, World]:
    """A fresh A for a mutation (its control changes A), the shared one otherwise."""
    return gql, (build_world(gql, "A") if call.operation == "mutation" else world_a), world_b


def leaks(outcome: dict[str, Any], other: World) -> list[str]:
    """B's ids and names that appear in an answer given inside A."""
    text = json.dumps(outcome["data"])
    return [x for x in [*other.ids.values(), *other.names] if x in text]


def test_the_generator_covers_every_root_field() -> None:
    names = {c.name for c in CALLS}
    assert {"Query.cluster", "Mutation.castGoalVote", "Subscription.clusterEvents"} <= names
    assert len([c for c in CALLS if c.operation == "mutation"]) >= 20


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.name)
def test_cluster_a_cannot_reach_cluster_b(worlds: tuple[Gql, World, World], call: Call) -> None:
    gql, a, b = worlds
    heads = (gql.head(a.cluster_id), gql.head(b.cluster_id))
    failures: list[str] = []
    # B's cluster with B's ids: A's coordinator is no member of B.
    against_b = gql.run(call.document(), Filler(b.ids).variables(call), a.coordinator)
    if codes(against_b) != ["NOT_FOUND"] or leaks(against_b, b):
        failures.append(f"against B: {against_b}")
    for slot, outcome in foreign_ids_in_a(gql, call, a, b):
        if (
            set(codes(outcome)) - REFUSED
            or leaks(outcome, b)
            or (codes(outcome) and outcome["data"])
        ):
            failures.append(f"{slot}: {outcome}")
    assert (gql.head(a.cluster_id), gql.head(b.cluster_id)) == heads, "a refused call wrote"
    assert not failures, "\n".join(failures)
    control = gql.run(call.document(), Filler(a.ids).variables(call), a.coordinator)
    assert not control["errors"], f"the generated call is not valid in A: {control['errors']}"


def foreign_ids_in_a(gql: Gql, call: Call, a: World, b: World) -> list[tuple[str, dict[str, Any]]]:
    """The call in A with B's id of the same kind in one ID slot (the cluster stays A)."""
    base = Filler(a.ids).variables(call)
    found = []
    for slot in slots(call):
        if slot.leaf != "ID" or id_kind(slot) == "cluster":
            continue
        foreign = b.ids[id_kind(slot)]
        variables = put(base, slot.path, [foreign] if slot.is_list else foreign)
        found.append(
            (f"{slot.owner}.{slot.name}", gql.run(call.document(), variables, a.coordinator))
        )
    return found
