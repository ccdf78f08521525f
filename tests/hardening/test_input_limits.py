"""Input limits on every argument, generated from the schema (see schema_walk).

For every cluster-scoped query field, mutation and subscription, starting from
a call that is valid in the cluster, one slot at a time gets:
- a string far over every documented limit (5000 characters): BAD_USER_INPUT;
- a list of 1000 elements: BAD_USER_INPUT;
- a malformed id (``not-an-id``, or 5000 characters): BAD_USER_INPUT or NOT_FOUND;
- extreme numbers (-1, 2^31-1, ±1e308): anything but INTERNAL.
A refused call records nothing (the log's head stays). SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hardening_world import Gql, World, build_world, codes
from schema_fill import Filler
from schema_walk import Call, Slot, calls, put, slots

from infra.bootstrap import Container

CALLS = [c for c in calls() if any(s.args for s in c.steps)]
LONG = "x" * 5000
LIST_SIZE = 1000
NUMBERS = {"Int": [-1, 2**31 - 1], "Float": [-1.0, 1e308, -1e308]}


@pytest.fixture(scope="module")
def gql(shared_container: Container) -> Gql:
    return Gql(shared_container)


@pytest.fixture(scope="module")
def world(gql: Gql) -> World:
    return build_world(gql, "Limits")


def probes(slot: Slot, base: dict[str, Any]) -> Iterator[tuple[str, Any, set[str]]]:
    """(label, value, the codes it may get); an empty set: anything but INTERNAL."""
    if slot.is_list:
        given = lookup(base, slot.path)
        assert given, (
            f"{slot.owner}.{slot.name}: give the list a valid element in schema_fill.VALUES"
        )
        yield "1000 elements", [given[0]] * LIST_SIZE, {"BAD_USER_INPUT"}
    elif slot.leaf == "ID":
        for bad in ("not-an-id", LONG):
            yield f"malformed id {bad[:12]}", bad, {"BAD_USER_INPUT", "NOT_FOUND"}
    elif slot.leaf == "String":
        yield "5000 characters", LONG, {"BAD_USER_INPUT"}
    for number in NUMBERS.get(slot.leaf, []) if not slot.is_list else []:
        yield f"number {number}", number, set()


def lookup(variables: dict[str, Any], path: tuple[str | int, ...]) -> Any:
    here: Any = variables
    for key in path:
        try:
            here = here[key]
        except (KeyError, IndexError, TypeError):
            return None
    return here


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.name)
def test_every_argument_is_bounded(gql: Gql, world: World, call: Call) -> None:
    base = Filler(world.ids).variables(call)
    failures: list[str] = []
    for slot in slots(call):
        for label, value, allowed in probes(slot, base):
            head = gql.head(world.cluster_id)
            outcome = gql.run(call.document(), put(base, slot.path, value), world.coordinator)
            got = set(codes(outcome))
            wrong = "INTERNAL" in got or (allowed and (not got or got - allowed))
            if wrong or (got and gql.head(world.cluster_id) != head):
                failures.append(f"{slot.owner}.{slot.name} ({label}): {str(outcome)[:300]}")
    assert not failures, "\n".join(failures)
