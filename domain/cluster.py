"""The cluster's registry: its subjects (institutions), their interests, and the
members who act for them, with their roles.

One aggregate per cluster is the consistency boundary for "who belongs": a
member may only act for an active subject of this cluster, and a cluster always
keeps a coordinator. Goals, projects and assessments live in aggregates of their
own, so loading this one grows with the registry, not with the cluster's work.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from types import MappingProxyType
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.base import StampedAggregate
from domain.errors import Conflict, InvalidInput, NotFound
from domain.personal import declare_personal, erased_name
from domain.text import (
    REGION_MAX,
    STATEMENT_MAX,
    optional_email,
    optional_text,
    required_text,
)
from domain.vocabulary import ClusterForm, InterestKind, Role, SubjectKind, parse_enum

# Values an aggregate's copy may share with it.
_IMMUTABLE = (str, int, float, type(None), UUID, datetime, Enum)

NO_INTERESTS: Mapping[InterestKind, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class SubjectRecord:
    """A subject as the registry holds it. Immutable, as the member record: an
    event replaces the record it changes, so a copy of the registry (one for each
    command, from the aggregate cache) shares its records instead of copying each."""

    id: str
    name: str
    kind: SubjectKind
    region: str | None
    active: bool = True
    interests: Mapping[InterestKind, str] = field(default_factory=lambda: NO_INTERESTS)

    def with_interest(self, kind: InterestKind, statement: str) -> SubjectRecord:
        interests = MappingProxyType({**self.interests, kind: statement})
        return replace(self, interests=interests)

    def __deepcopy__(self, memo: dict[int, Any]) -> SubjectRecord:
        return self  # nothing in it can change


@dataclass(frozen=True, slots=True)
class MemberRecord:
    id: str
    name: str
    email: str | None
    subject_id: str | None
    roles: frozenset[Role] = frozenset()
    erased: bool = False

    def __deepcopy__(self, memo: dict[int, Any]) -> MemberRecord:
        return self  # nothing in it can change


# What the registry's commands submit, before it is checked: each value travels
# whole from the client to the aggregate, so a field added to one needs no edit
# in between (graphql_api/inputs.value_of fills it from the input by name).


@dataclass(frozen=True)
class ClusterFounding:
    name: str
    region: str
    form: str  # a ClusterForm value


@dataclass(frozen=True)
class SubjectAdmission:
    name: str
    kind: str  # a SubjectKind value
    region: str | None = None


@dataclass(frozen=True)
class InterestDeclaration:
    kind: str  # an InterestKind value
    statement: str


@dataclass(frozen=True)
class MemberAddition:
    name: str
    email: str | None = None
    subject_id: str | None = None
    roles: list[str] = field(default_factory=list)  # Role values


@dataclass(frozen=True)
class RoleChange:
    """A role granted or revoked (grantRole's and revokeRole's arguments), carried
    whole from the client to the aggregate; the member is the target, not part of it."""

    role: str  # a Role value


class Cluster(StampedAggregate):
    """A regional pedagogical education cluster (the tenant)."""

    class ClusterFounded(StampedAggregate.Created):
        name: str
        region: str
        form: str

    @event(ClusterFounded)
    def __init__(self, id: UUID, name: str, region: str, form: str) -> None:
        self.name = name
        self.region = region
        self.form = ClusterForm(form)
        self.subjects: dict[str, SubjectRecord] = {}
        self.members: dict[str, MemberRecord] = {}

    def __deepcopy__(self, memo: dict[int, Any]) -> Cluster:
        """The copy the aggregate cache hands each command (and a group commit each
        command's body): both maps are copied with their immutable records shared,
        immutable values (the id, the times, the form) are shared, anything else
        is deep-copied. Generic deepcopy walked both maps key by key (0.7 ms for 30
        subjects and members, the largest single cost of loading the registry for
        a command); copying each record still took 41 µs, this copy about 5."""
        twin = object.__new__(type(self))
        memo[id(self)] = twin
        state = twin.__dict__
        for name, value in self.__dict__.items():
            if name in ("subjects", "members"):
                state[name] = dict(value)
            elif isinstance(value, _IMMUTABLE):
                state[name] = value
            else:
                state[name] = copy.deepcopy(value, memo)
        return twin

    @classmethod
    def found(cls, cluster_id: UUID, founding: ClusterFounding) -> Cluster:
        """Checks the founding values, then founds the cluster."""
        return cls(
            id=cluster_id,
            name=required_text("name", founding.name),
            region=required_text("region", founding.region, REGION_MAX),
            form=parse_enum(ClusterForm, founding.form, "form").value,
        )

    # --- subjects -------------------------------------------------------------

    def admit(self, subject_id: str, admission: SubjectAdmission) -> None:
        self._admit_subject(
            subject_id=subject_id,
            name=required_text("name", admission.name),
            kind=parse_enum(SubjectKind, admission.kind, "kind").value,
            region=optional_text("region", admission.region, REGION_MAX),
        )

    class SubjectAdmitted(StampedAggregate.Event):
        subject_id: str
        name: str
        kind: str
        region: str | None

    @event(SubjectAdmitted)
    def _admit_subject(self, subject_id: str, name: str, kind: str, region: str | None) -> None:
        self.subjects[subject_id] = SubjectRecord(subject_id, name, SubjectKind(kind), region)

    def withdraw(self, subject_id: str) -> None:
        subject = self.subject(subject_id)
        if not subject.active:
            raise Conflict(f"subject {subject.name!r} has already been withdrawn")
        self._withdraw_subject(subject_id=subject_id)

    class SubjectWithdrawn(StampedAggregate.Event):
        subject_id: str

    @event(SubjectWithdrawn)
    def _withdraw_subject(self, subject_id: str) -> None:
        self.subjects[subject_id] = replace(self.subjects[subject_id], active=False)

    def declare_interest(self, subject_id: str, declaration: InterestDeclaration) -> None:
        """A subject states its legal, social or economic interest; a new
        statement of the same kind replaces the earlier one."""
        self.active_subject(subject_id, "subjectId")
        self._declare_interest(
            subject_id=subject_id,
            kind=parse_enum(InterestKind, declaration.kind, "kind").value,
            statement=required_text("statement", declaration.statement, STATEMENT_MAX),
        )

    class InterestDeclared(StampedAggregate.Event):
        subject_id: str
        kind: str
        statement: str

    @event(InterestDeclared)
    def _declare_interest(self, subject_id: str, kind: str, statement: str) -> None:
        subject = self.subjects[subject_id]
        self.subjects[subject_id] = subject.with_interest(InterestKind(kind), statement)

    def subject(self, subject_id: str) -> SubjectRecord:
        try:
            return self.subjects[subject_id]
        except KeyError:
            raise NotFound(f"no subject {subject_id} in this cluster") from None

    def active_subject(self, subject_id: str, field_name: str) -> SubjectRecord:
        """The subject, which must be active; a bad reference names its field."""
        subject = self.subjects.get(subject_id)
        if subject is None or not subject.active:
            raise InvalidInput(
                f"{field_name}: no active subject {subject_id} in this cluster",
                field=field_name,
            )
        return subject

    # --- members and roles ----------------------------------------------------

    def add_member(self, member_id: str, addition: MemberAddition) -> None:
        subject_id, roles = addition.subject_id, addition.roles
        if subject_id is not None:
            self.active_subject(subject_id, "subjectId")
        if len(roles) > len(Role):  # input limit: each role at most once
            raise InvalidInput(f"roles may list at most {len(Role)} roles", field="roles")
        parsed = sorted({parse_enum(Role, r, "roles").value for r in roles})
        if not parsed:
            raise InvalidInput("roles must name at least one role", field="roles")
        self._add_member(
            member_id=member_id,
            name=required_text("name", addition.name),
            email=optional_email("email", addition.email),
            subject_id=subject_id,
            roles=parsed,
        )

    class MemberAdded(StampedAggregate.Event):
        member_id: str
        name: str
        email: str | None
        subject_id: str | None
        roles: list[str]

    @event(MemberAdded)
    def _add_member(
        self, member_id: str, name: str, email: str | None, subject_id: str | None, roles: list[str]
    ) -> None:
        self.members[member_id] = MemberRecord(
            member_id, name, email, subject_id, frozenset(Role(r) for r in roles)
        )

    def grant(self, member_id: str, change: RoleChange) -> bool:
        """Grants a role; returns False (and records nothing) if already held."""
        member = self.member(member_id)
        granted = parse_enum(Role, change.role, "role")
        if granted in member.roles:
            return False
        self._grant_role(member_id=member_id, role=granted.value)
        return True

    class RoleGranted(StampedAggregate.Event):
        member_id: str
        role: str

    @event(RoleGranted)
    def _grant_role(self, member_id: str, role: str) -> None:
        member = self.members[member_id]
        self.members[member_id] = replace(member, roles=member.roles | {Role(role)})

    def revoke(self, member_id: str, change: RoleChange) -> bool:
        """Revokes a role; returns False (and records nothing) if not held."""
        member = self.member(member_id)
        revoked = parse_enum(Role, change.role, "role")
        if revoked not in member.roles:
            return False
        if revoked is Role.COORDINATOR and self._coordinator_count() == 1:
            raise Conflict("a cluster must keep at least one coordinator")
        self._revoke_role(member_id=member_id, role=revoked.value)
        return True

    class RoleRevoked(StampedAggregate.Event):
        member_id: str
        role: str

    @event(RoleRevoked)
    def _revoke_role(self, member_id: str, role: str) -> None:
        member = self.members[member_id]
        self.members[member_id] = replace(member, roles=member.roles - {Role(role)})

    def erase_member(self, member_id: str, erasure_id: str) -> None:
        """Records that the person acting as this member was erased: their
        name and e-mail are gone (their key destroyed), their id, roles and
        actions remain as facts of the institution."""
        if self.member(member_id).erased:
            raise Conflict(f"member {member_id} has already been erased")
        self._erase_member(member_id=member_id, erasure_id=erasure_id)

    @event("PersonErased")
    def _erase_member(self, member_id: str, erasure_id: str) -> None:
        member = self.members[member_id]
        self.members[member_id] = replace(
            member, name=erased_name(member_id), email=None, erased=True
        )

    def member(self, member_id: str) -> MemberRecord:
        try:
            return self.members[member_id]
        except KeyError:
            raise NotFound(f"no member {member_id} in this cluster") from None

    def _coordinator_count(self) -> int:
        return sum(Role.COORDINATOR in m.roles for m in self.members.values())


# A member's name and e-mail are theirs: sealed under their key (docs/privacy.md).
declare_personal(Cluster.MemberAdded, owner="member_id", text=("name",), optional=("email",))  # type: ignore[attr-defined]
