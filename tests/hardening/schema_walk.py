"""Generates calls from the schema itself (graphql_api.schema.build_schema()):
every cluster-scoped query field (reached from ``Query.cluster``), mutation and
subscription, with every argument a variable and a value for each.

A new field or mutation is covered without touching the tests. A new argument
the generator cannot fill (an ID whose kind it cannot tell, a scalar it does not
know) raises ``GeneratorGap`` naming it: teach ``ID_KINDS`` or ``VALUES``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
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

from graphql_api.schema import build_schema

SCHEMA = build_schema()._schema
CLUSTER_ARGS = ("clusterId",)


class GeneratorGap(AssertionError):
    """The schema has something the generator cannot fill: teach it."""


# Which world id an ID argument names: "Owner.name" first, then the name alone.
# "subject" is a second subject of the cluster, "own_subject" the caller's.
ID_KINDS = {
    "Query.cluster.id": "cluster", "Cluster.subject.id": "subject", "Cluster.goal.id": "goal",
    "Cluster.project.id": "project", "Cluster.assessmentRound.id": "round",
    "Mutation.declareInterest.subjectId": "own_subject", "IdentityProviderInput.subjectId": "own_subject",
    "clusterId": "cluster", "subjectId": "subject", "assesseeId": "subject",
    "assessorId": "own_subject", "leadId": "own_subject", "partnerIds": "subject",
    "memberId": "member", "goalId": "goal", "projectId": "project", "milestoneId": "milestone",
    "resultId": "result", "roundId": "round", "normId": "norm", "normIds": "norm",
    "aggregateId": "goal",
}
TODAY = date.today()
# Values that make a call valid in the world (see world.py), by "Owner.name" or name.
VALUES: dict[str, Any] = {
    "Mutation.grantRole.role": "COORDINATOR", "Mutation.revokeRole.role": "AUDITOR",
    "reachedOn": TODAY.isoformat(), "due": (TODAY + timedelta(30)).isoformat(),
    "closesOn": (TODAY + timedelta(30)).isoformat(), "issuer": "https://idp.hardening.example",
    "email": "someone@example.org", "evidenceUrl": "https://example.org/evidence",
    "clientSecret": "hardening-secret-0123456789", "score": 3.0, "target": 10.0,
    "actual": 5.0, "weight": 1.0, "after": 0, "first": 10, "horizonYears": 1, "scaleMin": 1,
    "scaleMax": 5, "types": ["SubjectAdmitted"], "roles": ["MEMBER"], "outlierThreshold": 0.25,
    "includeInactive": False, "enrolNewMembers": True,
    "expectedResults": [{"indicator": "Teachers trained", "target": 10.0}],
}
SCALARS = {"String": "Hardening {name}", "Int": 1, "Float": 1.0, "Boolean": False,
           "Date": (TODAY + timedelta(30)).isoformat()}


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
            f"${s.var(i, a)}: {arg.type}" for i, s in enumerate(self.steps) for a, arg in s.args.items()
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

    @property
    def id_kind(self) -> str:
        kind = ID_KINDS.get(f"{self.owner}.{self.name}") or ID_KINDS.get(self.name)
        if kind is None:
            raise GeneratorGap(f"{self.owner}.{self.name}: an ID argument of unknown kind; add it to ID_KINDS")
        return kind


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
    for operation, root in (("mutation", SCHEMA.mutation_type), ("subscription", SCHEMA.subscription_type)):
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
        inner = unwrap(inner.of_type)
        if isinstance(inner, GraphQLInputObjectType):
            for field_name, field in inner.fields.items():
                yield from _slots((*path, 0, field_name), inner.name, field_name, field.type)
    elif isinstance(inner, GraphQLInputObjectType):
        for field_name, field in inner.fields.items():
            yield from _slots((*path, field_name), inner.name, field_name, field.type)


class Filler:
    """Values for a call from one world's ids (``ids``: kind → id)."""

    def __init__(self, ids: dict[str, str]) -> None:
        self.ids = ids

    def variables(self, call: Call) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for i, s in enumerate(call.steps):
            for name, arg in s.args.items():
                value = self.value(f"{s.owner}.{s.field}", name, arg)
                if value is not None:
                    values[s.var(i, name)] = value
        return values

    def value(self, owner: str, name: str, holder: GraphQLArgument | GraphQLInputField) -> Any:
        """A value, or None to leave an optional argument to its default."""
        type_, named = holder.type, get_named_type(holder.type)
        key = f"{owner}.{name}"
        if named.name == "ID":
            slot = Slot((), owner, name, type_)
            one = self.ids[slot.id_kind]
            return [one] if slot.is_list else one
        if key in VALUES or name in VALUES:
            return VALUES.get(key, VALUES.get(name))
        if not required(holder):
            return None
        if isinstance(named, GraphQLInputObjectType):
            filled = {n: self.value(named.name, n, f) for n, f in named.fields.items()}
            return {n: v for n, v in filled.items() if v is not None}
        return self.scalar(key, named, isinstance(unwrap(type_), GraphQLList))

    @staticmethod
    def scalar(key: str, named: Any, is_list: bool) -> Any:
        if isinstance(named, GraphQLEnumType):
            value: Any = next(iter(named.values))
        elif named.name in SCALARS:
            value = SCALARS[named.name]
            value = value.format(name=key.rsplit(".", 1)[-1]) if isinstance(value, str) else value
        else:
            raise GeneratorGap(f"{key}: cannot fill a {named.name}; add it to VALUES or SCALARS")
        return [value] if is_list else value


def put(variables: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    """A deep copy of ``variables`` with ``value`` at ``path`` (made where missing)."""
    done = copy.deepcopy(variables)
    here: Any = done
    for key, following in zip(path, path[1:], strict=False):
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
