"""Values for generated calls (schema_walk): ids from a world, and valid values
for everything else. An argument it cannot fill (an ID whose kind it cannot
tell, a scalar it does not know) raises ``GeneratorGap`` naming it: teach
``ID_KINDS`` or ``VALUES``, and every generated suite covers it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from schema_walk import Call, Slot, required, unwrap

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLList,
    get_named_type,
)


class GeneratorGap(AssertionError):
    """The schema has something the generator cannot fill: teach it."""


# Which world id an ID argument names: "Owner.name" first, then the name alone.
# "subject" is a second subject of the cluster, "own_subject" the caller's.
ID_KINDS = {
    "Query.cluster.id": "cluster",
    "Cluster.subject.id": "subject",
    "Cluster.goal.id": "goal",
    "Cluster.project.id": "project",
    "Cluster.assessmentRound.id": "round",
    "Mutation.declareInterest.subjectId": "own_subject",
    "IdentityProviderInput.subjectId": "own_subject",
    "clusterId": "cluster",
    "subjectId": "subject",
    "assesseeId": "subject",
    "assessorId": "own_subject",
    "leadId": "own_subject",
    "partnerIds": "subject",
    "memberId": "member",
    "goalId": "goal",
    "projectId": "project",
    "milestoneId": "milestone",
    "resultId": "result",
    "roundId": "round",
    "normId": "norm",
    "normIds": "norm",
    "aggregateId": "goal",
}
TODAY = date.today()
# Values that make a call valid in the world (see world.py), by "Owner.name" or name.
VALUES: dict[str, Any] = {
    "Mutation.grantRole.role": "COORDINATOR",
    "Mutation.revokeRole.role": "AUDITOR",
    "reachedOn": TODAY.isoformat(),
    "due": (TODAY + timedelta(30)).isoformat(),
    "closesOn": (TODAY + timedelta(30)).isoformat(),
    "issuer": "https://idp.hardening.example",
    "email": "someone@example.org",
    "evidenceUrl": "https://example.org/evidence",
    "clientSecret": "hardening-secret-0123456789",
    "score": 3.0,
    "target": 10.0,
    "actual": 5.0,
    "weight": 1.0,
    "after": 0,
    "first": 10,
    "horizonYears": 1,
    "scaleMin": 1,
    "scaleMax": 5,
    "types": ["SubjectAdmitted"],
    "roles": ["MEMBER"],
    "outlierThreshold": 0.25,
    "includeInactive": False,
    "enrolNewMembers": True,
    "expectedResults": [{"indicator": "Teachers trained", "target": 10.0}],
}
SCALARS = {
    "String": "Hardening {name}",
    "Int": 1,
    "Float": 1.0,
    "Boolean": False,
    "Date": (TODAY + timedelta(30)).isoformat(),
}


def id_kind(slot: Slot) -> str:
    """Which world id an ID slot names."""
    kind = ID_KINDS.get(f"{slot.owner}.{slot.name}") or ID_KINDS.get(slot.name)
    if kind is None:
        raise GeneratorGap(
            f"{slot.owner}.{slot.name}: an ID argument of unknown kind; add it to ID_KINDS"
        )
    return kind


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
            one = self.ids[id_kind(slot)]
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
