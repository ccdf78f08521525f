"""Read services: what a member of a cluster may see, as plain DTOs."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import Mapper

from domain.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from domain.vocabulary import CONTINUITY_CHAIN
from services.access import actor_from_caller, member_id_of, not_found
from services.audit.as_of import AsOfViews
from services.batches import Batched
from services.callers import KnownCallers, Stand
from services.dto import (
    CallerInfo,
    ClusterInfo,
    ContinuityInfo,
    ContinuityStageInfo,
    EventInfo,
    EventPageInfo,
    MemberInfo,
    MembershipInfo,
    PersonInfo,
    RoleChangeInfo,
    SubjectInfo,
    ViewerInfo,
)
from services.event_data import describe
from services.ids import normalise_id, parse_cluster_id
from services.kept_registry import KeptLists, KeptRegistry
from services.permissions import Permission, require
from services.ports.clock import Clock
from services.ports.log import EventLog
from services.ports.registry import RegistryReader
from services.ports.storage import Directory, Partition, Partitions, ReadModel
from services.principal import Actor, Principal
from services.projections.projector import Projector
from services.projections.sync import LeasedProjection

log = logging.getLogger(__name__)

EVENTS_PAGE_MAX = 500
TYPE_NAME_MAX = 200  # input limit on each name in events(types:)
TYPES_FILTER_MAX = 50


@dataclass(frozen=True)
class ClusterScope:
    """One cluster as one reader sees it, at one position."""

    actor: Actor
    info: ClusterInfo
    read_model: ReadModel
    log: EventLog
    mapper: Mapper[Any]
    clock: Clock
    # The registry's lists as read at this view's position by an earlier request
    # (services/kept_registry.py); None: read from the tables.
    kept: KeptLists | None = field(default=None, compare=False, repr=False)
    # The subjects and members this request's lists name, looked up in
    # batches (services/batches.py) and each read once.
    _subjects: Batched[str, SubjectInfo | None] = field(init=False, compare=False, repr=False)
    _members: Batched[str, MemberInfo | None] = field(init=False, compare=False, repr=False)
    _members_of: Batched[str, tuple[MemberInfo, ...]] = field(init=False, compare=False, repr=False)
    _role_changes: Batched[str, tuple[RoleChangeInfo, ...]] = field(
        init=False, compare=False, repr=False
    )
    # Lookups that read services define for their own kinds (goals).
    _batches: dict[str, Batched[Any, Any]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        reader = self.reader
        # frozen: the lookups are set once, here, and only their contents change
        set_once = object.__setattr__
        set_once(self, "_subjects", Batched(reader.subject, self._every_subject, None))
        set_once(self, "_members", Batched(reader.member, self._every_member, None))
        set_once(
            self,
            "_members_of",
            Batched(lambda s: tuple(reader.members(s)), self._members_by_subject, ()),
        )
        set_once(
            self,
            "_role_changes",
            Batched(lambda m: reader.role_changes({m}).get(m, ()), reader.role_changes, ()),
        )

    @property
    def cluster_id(self) -> str:
        return self.info.id

    @property
    def reader(self) -> RegistryReader:
        return self.read_model.registry_reader

    def subjects(self, include_inactive: bool = False) -> list[SubjectInfo]:
        found = self._subjects_list(include_inactive)
        self._subjects.prime({s.id: s for s in found})
        return list(found)

    def subject(self, subject_id: str) -> SubjectInfo | None:
        return self._subjects.get(subject_id)

    def members(self, subject_id: str | None = None) -> list[MemberInfo]:
        """Every member of the cluster, or those acting for one subject."""
        if subject_id is not None:
            return list(self._members_of.get(subject_id))
        found = self._members_list()
        self._members.prime({m.id: m for m in found})
        return list(found)

    def member(self, member_id: str) -> MemberInfo | None:
        return self._members.get(member_id)

    def role_changes(self, member_id: str) -> tuple[RoleChangeInfo, ...]:
        """The roles granted and revoked after the member was added, oldest first."""
        return self._role_changes.get(member_id)

    # What an item just built may look up (its ``member``, ``subject`` or
    # ``members(subject_id)``): read only when the first of them is asked for.

    def announce_members(self, member_ids: Iterable[str | None]) -> None:
        self._members.announce_many(m for m in member_ids if m)

    def announce_role_changes(self, member_id: str) -> None:
        self._role_changes.announce(member_id)

    def announce_role_changes_of(self, member_ids: Iterable[str]) -> None:
        self._role_changes.announce_many(member_ids)

    def announce_subject(self, subject_id: str | None) -> None:
        if subject_id:
            self._subjects.announce(subject_id)

    def announce_subjects(self, subject_ids: Iterable[str | None]) -> None:
        self._subjects.announce_many(s for s in subject_ids if s)

    def announce_members_of(self, subject_id: str) -> None:
        self._members_of.announce(subject_id)

    def batched(self, kind: str, make: Callable[[], Batched[Any, Any]]) -> Batched[Any, Any]:
        """This request's lookups of one kind, made by ``make`` on first use."""
        found = self._batches.get(kind)
        if found is None:
            found = self._batches[kind] = make()
        return found

    def know_members(self, found: Iterable[MemberInfo]) -> None:
        """Members already read in this request (the caller, read with the cluster)."""
        self._members.prime({m.id: m for m in found})

    def _members_list(self) -> tuple[MemberInfo, ...]:
        def read() -> tuple[MemberInfo, ...]:
            return tuple(self.reader.members())

        return read() if self.kept is None else self.kept.get("members", read)

    def _subjects_list(self, include_inactive: bool) -> tuple[SubjectInfo, ...]:
        def read() -> tuple[SubjectInfo, ...]:
            return tuple(self.reader.subjects(include_inactive))

        if self.kept is None:
            return read()
        return self.kept.get(f"subjects:{include_inactive}", read)

    def _every_subject(self, _: set[str]) -> dict[str, SubjectInfo | None]:
        # One statement for every subject (with its interests) costs less than
        # one statement per subject asked for, from two on.
        return {s.id: s for s in self._subjects_list(include_inactive=True)}

    def _every_member(self, asked: set[str]) -> dict[str, MemberInfo | None]:
        found: dict[str, MemberInfo | None] = {m.id: m for m in self._members_list()}
        # The members asked for are usually asked for their subject next.
        self._subjects.announce_many(
            m.subject_id for k in asked if (m := found.get(k)) is not None and m.subject_id
        )
        return found

    def _members_by_subject(self, _: set[str]) -> dict[str, tuple[MemberInfo, ...]]:
        every = self._members_list()  # in the order reader.members(subject) gives
        self._members.prime({m.id: m for m in every})
        grouped: dict[str, list[MemberInfo]] = {}
        for member in every:
            if member.subject_id:
                grouped.setdefault(member.subject_id, []).append(member)
        return {subject_id: tuple(found) for subject_id, found in grouped.items()}

    def tail(self, after: int, limit: int = EVENTS_PAGE_MAX) -> list[EventInfo]:
        """Events after ``after`` up to the log's current head (for live delivery)."""
        return [describe(e, self.mapper) for e in self.log.read(after, limit)]

    def continuity(self) -> ContinuityInfo:
        """The chain PRESCHOOL → … → ENTERPRISE, with its gaps."""
        active = self._subjects_list(include_inactive=False)
        stages = tuple(
            ContinuityStageInfo(kind.value, tuple(s for s in active if s.kind == kind.value))
            for kind in CONTINUITY_CHAIN
        )
        return ContinuityInfo(stages, tuple(s.kind for s in stages if not s.subjects))

    def events(
        self,
        after: int = 0,
        first: int = 100,
        aggregate_id: str | None = None,
        types: Sequence[str] | None = None,
    ) -> EventPageInfo:
        """A page of the log, oldest first, after position ``after``."""
        check_page(after, first, types)
        aggregate_id = normalise_id(aggregate_id, "aggregateId")  # malformed: BAD_USER_INPUT
        entries = self.log.read(
            after, first + 1, upto=self.info.position, aggregate_id=aggregate_id, types=types
        )
        return EventPageInfo(
            tuple(describe(e, self.mapper) for e in entries[:first]), len(entries) > first
        )


def check_page(after: int, first: int, types: Sequence[str] | None) -> None:
    if after < 0:
        raise InvalidInput("after must be 0 or a position", field="after")
    if not 1 <= first <= EVENTS_PAGE_MAX:
        raise InvalidInput(f"first must be between 1 and {EVENTS_PAGE_MAX}", field="first")
    if types is not None and len(types) > TYPES_FILTER_MAX:
        raise InvalidInput(f"types may name at most {TYPES_FILTER_MAX} types", field="types")
    if types is not None and any(len(name) > TYPE_NAME_MAX for name in types):
        raise InvalidInput(f"a type name has at most {TYPE_NAME_MAX} characters", field="types")


class ClusterQueries:
    def __init__(
        self,
        partitions: Partitions,
        directory: Directory,
        projector: Projector,
        clock: Clock,
        sync: LeasedProjection,
    ) -> None:
        self.partitions = partitions
        self.directory = directory
        self.projector = projector
        self.clock = clock
        self.sync = sync
        self.as_of_views = AsOfViews(partitions, projector)
        self.callers = KnownCallers()
        self.registries = KeptRegistry()

    def scope(
        self, principal: Principal | None, cluster_id: str, as_of: int | None = None
    ) -> ClusterScope:
        """The cluster as the principal may read it (NOT_FOUND if not theirs),
        live or, for coordinators and auditors, as of a log position."""
        key = str(parse_cluster_id(cluster_id))
        partition, caller, actor, stand = self._reader(principal, key)
        info = caller.cluster
        if info is None:
            raise not_found(key)
        read_model = partition.read_model
        kept = None
        if as_of is not None:
            require(actor, Permission.AUDIT)
            read_model = self.as_of_views.at(partition, as_of, info.position)
            info = read_model.registry_reader.cluster() or info
        else:
            kept = self.registries.at(key, read_model, stand)
        scope = ClusterScope(
            actor, info, read_model, partition.log, partition.app.mapper, self.clock, kept
        )
        if as_of is None and caller.member is not None:
            # Read with the cluster just now: a view that names the caller
            # (their memberships, their own votes) need not read them again.
            scope.know_members([caller.member])
        return scope

    def check_still_follows(self, principal: Principal | None, cluster_id: str) -> None:
        """For the live stream (clusterEvents), asked again as it goes: the read
        rule of ``scope``, and the caller's subject still in the cluster. A
        withdrawn subject's members keep reading its history through queries,
        but no longer follow the cluster's life as it happens. A caller who lost
        the right learns FORBIDDEN, not NOT_FOUND: they were shown the cluster
        when the stream began."""
        key = str(parse_cluster_id(cluster_id))
        try:
            _, _, actor, _ = self._reader(principal, key)
        except NotFound:
            raise Forbidden("you are no longer a member of this cluster") from None
        if actor.subject_id and not actor.subject_active:
            raise Forbidden("your subject has been withdrawn from the cluster")

    def _reader(
        self, principal: Principal | None, key: str
    ) -> tuple[Partition, CallerInfo, Actor, Stand | None]:
        """The cluster's partition, the principal as its reader (or why not), and
        where the settle found the read model (None: unknown)."""
        member_id = member_id_of(self.directory, principal, key)
        if not self.directory.has_cluster(key):
            raise not_found(key)
        partition = self.partitions.open(key)
        reached = self._catch_up(partition)
        # As the read model stands now, on every request: a revoked role or a
        # removed member is refused from the next request on. Read again unless
        # it was read after a settle that found the read model where this one
        # found it: the same position, no rebuild's switch since (services/callers.py).
        stand = None if reached is None else (partition.read_model.generation, reached)
        caller = self.callers.at(key, member_id, stand)
        if caller is None:
            caller = partition.read_model.registry_reader.caller(member_id)
            self.callers.keep(key, member_id, stand, caller)
        actor = actor_from_caller(caller, key, member_id)
        require(actor, Permission.READ)
        return partition, caller, actor, stand

    def _catch_up(self, partition: Partition) -> int | None:
        """Read-your-writes even when another process wrote; the position the read
        model reached (None if unknown). A projection that fails (a bug, or a
        tampered log) must not take reads down: the views then answer at the last
        position they reached, which ``position`` says."""
        try:
            return self.sync.settle(partition)
        except Exception:
            log.exception("projection of cluster %s is stuck", partition.cluster_id)
            return None

    def viewer(self, principal: Principal | None) -> ViewerInfo:
        """The signed-in person and the clusters they belong to."""
        person = self.person(principal)
        return ViewerInfo(person.id, person.name, person.email, self.memberships(principal))

    def person(self, principal: Principal | None) -> PersonInfo:
        """The signed-in person as the directory knows them (as the token says
        when it does not know them yet). One directory read."""
        principal = _signed_in(principal)
        known = self.directory.person(principal.person_id)
        name, email = known if known else (principal.name, principal.email)
        return PersonInfo(principal.person_id, name, email)

    def memberships(self, principal: Principal | None) -> tuple[MembershipInfo, ...]:
        """Which member the signed-in person is in each of their clusters, oldest
        cluster first. One directory read; only the caller's own links."""
        principal = _signed_in(principal)
        return tuple(self.directory.memberships(principal.person_id))


def _signed_in(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthenticated("a valid workspace token is required")
    return principal
