"""Runs a command against a cluster: authorize, stamp, save, project.

Optimistic-concurrency conflicts are retried here (bounded), so a caller who
did nothing wrong never sees another writer's race as an error.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from domain.cluster import Cluster
from domain.errors import Conflict
from domain.stamp import Stamp, stamped
from services.access import actor_from_registry, member_id_of, not_found
from services.dto import ClusterInfo
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
        self._writer_locks: dict[str, threading.Lock] = {}
        self._writer_locks_guard = threading.Lock()

    def _writer_lock(self, key: str) -> threading.Lock:
        with self._writer_locks_guard:
            return self._writer_locks.setdefault(key, threading.Lock())

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
        registry and actor the command ran with and the projected position."""
        partition, member_id = self.open(principal, cluster_id)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            # Writers of one cluster in this process take turns from load to save, so
            # they never race each other; the retry is for writers in other processes.
            with self._writer_lock(partition.cluster_id):
                cluster: Cluster = partition.app.repository.get(
                    parse_cluster_id(partition.cluster_id)
                )
                actor = actor_from_registry(cluster, member_id)
                require(actor, permission)
                with stamped(self.stamp(actor)):
                    aggregates, result = body(partition, cluster, actor)
                saved = self.save(partition, aggregates, attempt)
            if saved is not None:
                position = self.after(partition, saved)
                return Done(partition, result, cluster, actor, position)
            # Another process saved first. Retrying at once lines the two up
            # again; a short random pause (growing with the attempts) lets
            # them fall out of step, as with any optimistic retry.
            time.sleep(retry_pause(attempt))
        raise Conflict("too many concurrent changes; please try again")

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
        self, partition: Partition, aggregates: list[Aggregate], attempt: int
    ) -> list[Fresh] | None:
        """Saves atomically and returns the events as saved; None when another
        writer got there first."""
        if not aggregates:
            return []
        try:
            recordings = partition.app.save(*aggregates)
        except IntegrityError:
            log.info("concurrent write in cluster %s, attempt %d", partition.cluster_id, attempt)
            return None
        return [Fresh(r.notification.id, r.notification, r.domain_event) for r in recordings]

    def after(self, partition: Partition, saved: Sequence[Fresh]) -> int:
        """What follows every successful save: the read model reaches the saved
        events, then the after-save hooks run with the position it reached."""
        position = self.project(partition, saved)
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
