"""Generates calls from the schema itself (graphql_api.schema.build_schema()):
every cluster-scoped query field (reached from ``Query.cluster``), mutation and
subscription, with every argument a variable and a value for each.

A new field or mutation is covered without touching the tests. The values come
from schema_fill, which fails loudly on an argument it cannot fill.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
    get_named_type,
    is_non_null_type,
)
from graphql_api.compat.strawberry import graphql_core_schema
from graphql_api.schema import build_schema

SCHEMA = graphql_core_schema(build_schema())
CLUSTER_ARGS = ("clusterId",)


@dataclass(frozen=True)
class Step:
    """One field on the way from the root, with the arguments it takes."""

    owner: str
    field: str
    args: dict[str, GraphQLArgument]

    def var(self, index: int, arg: str) -> str:
        return f"s{index}_{arg}"


@dataclass(frozen=True)
class Call:
    operation: str  # query | mutation | subscription
    steps: tuple[Step, ...]
    returns: Any

    @property
    def name(self) -> str:
        return f"{self.steps[-1].owner}.{self.steps[-1].field}"

    def document(self) -> str:
        header = ", ".join(
            f"${s.var(i, a)}: {arg.type}"
            for i, s in enumerate(self.steps)
            for a, arg in s.args.items()
        )
        body = selection(self.returns, depth=2)
        for i, step in reversed(list(enumerate(self.steps))):
            args = ", ".join(f"{a}: ${step.var(i, a)}" for a in step.args)
            body = f"{step.field}{f'({args})' if args else ''}{f' {{ {body} }}' if body else ''}"
        return f"{self.operation}{f'({header})' if header else ''} {{ {body} }}"


@dataclass(frozen=True)
class Slot:
    """Where a value sits in a call's variables: (variable, input field | 0, …)."""

    path: tuple[str | int, ...]
    owner: str
    name: str
    type: Any

    @property
    def leaf(self) -> str:
        return get_named_type(self.type).name

    @property
    def is_list(self) -> bool:
        return isinstance(unwrap(self.type), GraphQLList)


def required(holder: GraphQLArgument | GraphQLInputField) -> bool:
    return is_non_null_type(holder.type) and holder.default_value is Undefined


def unwrap(type_: Any) -> Any:
    return type_.of_type if isinstance(type_, GraphQLNonNull) else type_


def selection(type_: Any, depth: int) -> str:
    """__typename, every ID field, and (to ``depth``) every object field without
    required arguments: enough to see whether another cluster's ids leak."""
    named = get_named_type(type_)
    if not isinstance(named, GraphQLObjectType):
        return ""
    parts = ["__typename"]
    for name, field in named.fields.items():
        inner = get_named_type(field.type)
        if any(required(a) for a in field.args.values()):
            continue
        if isinstance(inner, GraphQLScalarType) and inner.name == "ID":
            parts.append(name)
        elif isinstance(inner, GraphQLObjectType) and depth > 0:
            parts.append(f"{name} {{ {selection(inner, depth - 1)} }}")
    return " ".join(parts)


def calls() -> list[Call]:
    """Every cluster-scoped query field, mutation and subscription."""
    found = [Call("query", (step("Query", "cluster"),), SCHEMA.query_type.fields["cluster"].type)]
    found += list(cluster_fields())
    for operation, root in (
        ("mutation", SCHEMA.mutation_type),
        ("subscription", SCHEMA.subscription_type),
    ):
        for name, field in root.fields.items():
            if any(a in field.args for a in CLUSTER_ARGS):
                found.append(Call(operation, (step(root.name, name),), field.type))
    return found


def step(owner: str, name: str) -> Step:
    field = SCHEMA.type_map[owner].fields[name]  # type: ignore[union-attr]
    return Step(owner, name, dict(field.args))


def cluster_fields() -> Iterator[Call]:
    """Fields below Query.cluster, each type reached by its shortest path (breadth first)."""
    start = (step("Query", "cluster"),)
    queue, seen = [(SCHEMA.type_map["Cluster"], start)], {"Cluster"}
    while queue:
        owner, path = queue.pop(0)
        for name, field in owner.fields.items():
            here = (*path, step(owner.name, name))
            if owner.name == "Cluster" or field.args:
                yield Call("query", here, field.type)
            inner = get_named_type(field.type)
            if isinstance(inner, GraphQLObjectType) and inner.name not in seen:
                seen.add(inner.name)
                queue.append((inner, here))


def slots(call: Call) -> Iterator[Slot]:
    """Every argument and input field, however deep (a list's first element)."""
    for i, s in enumerate(call.steps):
        for name, arg in s.args.items():
            yield from _slots((s.var(i, name),), f"{s.owner}.{s.field}", name, arg.type)


def _slots(path: tuple[str | int, ...], owner: str, name: str, type_: Any) -> Iterator[Slot]:
    yield Slot(path, owner, name, type_)
    inner = unwrap(type_)
    if isinstance(inner, GraphQLList):
        element = inner.of_type
        inner = unwrap(element)
        if not isinstance(inner, GraphQLInputObjectType):  # a scalar's or enum's list
            yield Slot((*path, 0), owner, name, element)
        else:
            for field_name, field in inner.fields.items():
                yield from _slots((*path, 0, field_name), inner.name, field_name, field.type)
    elif isinstance(inner, GraphQLInputObjectType):
        for field_name, field in inner.fields.items():
            yield from _slots((*path, field_name), inner.name, field_name, field.type)


def put(variables: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    """A deep copy of ``variables`` with ``value`` at ``path`` (made where missing)."""
    done = copy.deepcopy(variables)
    here: Any = done
    for key, following in itertools.pairwise(path):
        if isinstance(key, int):
            while len(here) <= key:
                here.append({})
        elif here.get(key) is None:
            here[key] = [] if isinstance(following, int) else {}
        here = here[key]
    last = path[-1]
    if isinstance(last, int):
        while len(here) <= last:
            here.append(None)
    here[last] = value
    return done
