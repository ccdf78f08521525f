"""Runs a command against a cluster: authorize, stamp, save, project.

Commands of one cluster that arrive together in this process are saved in one
append and projected in one pass (services/group_commit.py). Optimistic-concurrency conflicts with other
processes are retried here (bounded), so a caller who did nothing wrong never
sees another writer's race as an error.
"""

from __future__ import annotations

import contextvars
import copy
import functools
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

from eventsourcing.domain import Aggregate, DomainEventProtocol
from eventsourcing.persistence import IntegrityError

from domain.cluster import Cluster
from domain.errors import Conflict
from domain.stamp import Stamp, stamped
from services.access import actor_from_registry, member_id_of, not_found
from services.dto import ClusterInfo
from services.group_commit import GroupCommit, Queued
from services.ids import parse_cluster_id
from services.permissions import Permission, require
from services.ports.clock import Clock
from services.ports.storage import Directory, Partition, Partitions
from services.principal import Actor, Principal
from services.projections.projector import Fresh, Projector
from services.projections.sync import LeasedProjection
from services.queries import ClusterScope
from services.request import current_request_id

log = logging.getLogger(__name__)

T = TypeVar("T")
# A command body gets the partition, the registry and the actor; it returns the
# aggregates to save (atomically) and a value for the caller.
Body = Callable[[Partition, Cluster, Actor], tuple[list[Aggregate], T]]

# A writer in another process can win the race for a cluster again and again
# while its own process's writers save back to back; each retry's chance is
# fair, so the number of attempts is what makes losing them all unlikely.
# Pauses grow from up to 2 ms to at most 64 ms: about 0.5 s in all, at worst.
MAX_ATTEMPTS = 12
RETRY_PAUSE_S = 0.001
RETRY_PAUSE_MAX_S = 0.064


@dataclass(frozen=True)
class _Command:
    member_id: str
    permission: Permission
    body: Body[object]
    context: contextvars.Context  # the request's: its id, its logging


@dataclass
class _Committed:
    """A command's outcome in its group: its value, the registry and actor it ran
    with, the group's events as saved and, once projected, where the read model
    stands."""

    value: object
    cluster: Cluster
    actor: Actor
    saved: list[Fresh] = field(default_factory=list)
    position: int | None = None


@dataclass
class _Ran:
    """One run of a group's bodies: the events to save, in order, and each command's lot."""

    events: list[DomainEventProtocol[Any]] = field(default_factory=list)
    done: list[tuple[Queued[_Command], _Committed]] = field(default_factory=list)
    failed: list[tuple[Queued[_Command], Exception]] = field(default_factory=list)
    later: list[Queued[_Command]] = field(default_factory=list)


@dataclass(frozen=True)
class Done(Generic[T]):
    """A command that was saved and projected, and what it knew when it ran."""

    partition: Partition
    value: T
    cluster: Cluster  # the registry as the command saw it (its own copy)
    actor: Actor
    position: int  # where the read model stood after projecting the command's events


def retry_pause(attempt: int) -> float:
    """A random pause before retry number ``attempt`` (growing, bounded)."""
    return random.uniform(0, min(RETRY_PAUSE_S * 2**attempt, RETRY_PAUSE_MAX_S))


class CommandRunner:
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
        # Run after every successful command (e.g. automatic checkpoints), with the
        # position its projection reached (at least that of the command's events).
        self.after_save: list[Callable[[Partition, int], None]] = []
        self.groups: GroupCommit[_Command] = GroupCommit()

    def open(self, principal: Principal | None, cluster_id: str) -> tuple[Partition, str]:
        """The partition of a cluster the principal belongs to, and their member id."""
        key = str(parse_cluster_id(cluster_id))
        member_id = member_id_of(self.directory, principal, key)
        if not self.directory.has_cluster(key):
            raise not_found(key)
        return self.partitions.open(key), member_id

    def run(
        self, principal: Principal | None, cluster_id: str, permission: Permission, body: Body[T]
    ) -> tuple[Partition, T]:
        """Runs ``body`` as the principal's member; returns the partition and its value."""
        done = self.execute(principal, cluster_id, permission, body)
        return done.partition, done.value

    def execute(
        self, principal: Principal | None, cluster_id: str, permission: Permission, body: Body[T]
    ) -> Done[T]:
        """Runs ``body`` as the principal's member; returns what ``run`` does, plus the
        registry and actor the command ran with and the projected position.

        The command joins whatever else this process is committing to the cluster
        (services/group_commit.py); it may run in another request's thread, in
        this request's context (its request id stamps its events)."""
        partition, member_id = self.open(principal, cluster_id)
        command = _Command(member_id, permission, body, contextvars.copy_context())
        queued = self.groups.submit(
            partition.cluster_id, command, functools.partial(self._commit, partition)
        )
        if queued.error is not None:
            raise queued.error
        committed: _Committed = queued.value  # type: ignore[assignment]
        position = self.after(partition, committed.saved, committed.position)
        value = cast("T", committed.value)
        return Done(partition, value, committed.cluster, committed.actor, position)

    def _commit(
        self, partition: Partition, group: list[Queued[_Command]]
    ) -> list[Queued[_Command]]:
        """Runs the group's bodies in turn, saves all their events in one append and
        projects them; the whole group runs again when a writer in another process
        saved first. Returns the commands that must wait for the next group."""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            ran = self._run(partition, group)
            saved = self.save(partition, ran.events, attempt)
            if saved is not None:
                # Where this process projects (the default), the leader projects the
                # group before it hands over: the commands that queue meanwhile form
                # a larger next group and share its pass. Where workers project
                # (`serve --no-worker`), the wait is for another process: the leader
                # hands over first, so the next group saves while this one waits.
                position = self.project(partition, saved) if self.sync.inline else None
                for queued, committed in ran.done:
                    committed.saved, committed.position = saved, position
                    queued.succeed(committed)
                for queued, error in ran.failed:
                    queued.fail(error)
                return ran.later
            # Another process saved first. Retrying at once lines the two up
            # again; a short random pause (growing with the attempts) lets
            # them fall out of step, as with any optimistic retry.
            time.sleep(retry_pause(attempt))
        conflict = Conflict("too many concurrent changes; please try again")
        for queued, _ in ran.done:
            queued.fail(conflict)
        for queued, error in ran.failed:
            queued.fail(error)
        return ran.later

    def _run(self, partition: Partition, group: list[Queued[_Command]]) -> _Ran:
        """Each body on the registry as the bodies before it left it, as if the
        commands had come one by one; what each changed is collected in order."""
        ran = _Ran()
        cluster: Cluster = partition.app.repository.get(parse_cluster_id(partition.cluster_id))
        changed: set[object] = set()  # ids of the other aggregates the group changes
        alone = len(group) == 1
        for queued in group:
            command = queued.command
            # In a group every body works on a copy: one that fails half-way (or
            # must wait) leaves nothing behind for the next, and the registry a
            # command answers from stays as its own body left it.
            working = cluster if alone else copy.deepcopy(cluster)
            try:
                actor, (aggregates, value) = command.context.run(
                    self._body, partition, working, command
                )
            except Exception as error:  # this command's own failure, not the group's
                ran.failed.append((queued, error))
                continue
            others = [a for a in aggregates if a is not working]
            if any(a.id in changed for a in others):
                # Two bodies loaded the same aggregate: the second must see the
                # first's change, which only the log will hold once saved.
                ran.later.append(queued)
                continue
            for aggregate in aggregates:
                ran.events += aggregate.collect_events()
            changed.update(a.id for a in others)
            if any(a is working for a in aggregates):
                cluster = working
            ran.done.append((queued, _Committed(value, working, actor)))
        return ran

    def _body(
        self, partition: Partition, cluster: Cluster, command: _Command
    ) -> tuple[Actor, tuple[list[Aggregate], object]]:
        actor = actor_from_registry(cluster, command.member_id)
        require(actor, command.permission)
        with stamped(self.stamp(actor)):
            return actor, command.body(partition, cluster, actor)

    def scope(self, done: Done[T]) -> ClusterScope:
        """The caller's view of the cluster right after their command, without looking
        them up again: the actor and the cluster are the command's own copy of the
        registry, after its change (a caller who changed their own roles reads with
        the new ones), and the read model was projected up to (at least) its events."""
        cluster = done.cluster
        actor = actor_from_registry(cluster, done.actor.member_id)
        require(actor, Permission.READ)
        info = ClusterInfo(
            str(cluster.id), cluster.name, cluster.region, cluster.form.value, done.position
        )
        partition = done.partition
        return ClusterScope(
            actor, info, partition.read_model, partition.log, partition.app.mapper, self.clock
        )

    def save(
        self,
        partition: Partition,
        changes: Sequence[Aggregate | DomainEventProtocol[Any]],
        attempt: int,
    ) -> list[Fresh] | None:
        """Saves atomically (aggregates' pending events, or events, in order) and
        returns the events as saved; None when another writer got there first."""
        if not changes:
            return []
        try:
            recordings = partition.app.save(*changes)
        except IntegrityError:
            log.info("concurrent write in cluster %s, attempt %d", partition.cluster_id, attempt)
            return None
        return [Fresh(r.notification.id, r.notification, r.domain_event) for r in recordings]

    def after(
        self, partition: Partition, saved: Sequence[Fresh], projected: int | None = None
    ) -> int:
        """What follows every successful save: the read model reaches the saved
        events (unless ``projected`` says where a group's leader already brought
        it), then the after-save hooks run with the position it reached."""
        position = self.project(partition, saved) if projected is None else projected
        for hook in self.after_save:
            hook(partition, position)
        return position

    def project(self, partition: Partition, fresh: Sequence[Fresh] = ()) -> int:
        """Read-your-writes: the caller's answer comes from the read model, which
        reaches the command's own events (projected as they are, when nothing
        else is pending before them)."""
        return self.sync.settle(partition, fresh)

    @staticmethod
    def stamp(actor: Actor) -> Stamp:
        return Stamp(actor.cluster_id, actor.member_id, actor.subject_id, current_request_id())
