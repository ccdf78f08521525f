"""Keeps a cluster's live read model up to its log, exactly once.

Only one process projects a cluster at a time: whoever holds its lease. With
``clusterwork worker`` processes, a worker owns (holds) the clusters it
projects, and API processes wait for it. A cluster no worker owns (none runs,
or its worker died and nobody has taken over yet) is projected by the API
process that needs it, so no caller is ever answered from a stale view.

Inside a process, one thread at a time projects a cluster, for every caller
waiting on it (group projection): whatever was saved while it projected waits
for its pass to end, and the next pass projects all of it in one batch, one
lease and one transaction. Each waiter returns as soon as a pass reached its
position. Commands come here already grouped (services/group_commit.py: one
append and one pass per group); readers, sign-ins and erasures meet them here.
A pass starts from the positions this process's last pass left, and reads them
only when that guess turns out stale.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence

from services.in_use import InUse
from services.ports.log import ProjectionLease
from services.ports.storage import Partition
from services.projections.projector import Fresh, Projector

log = logging.getLogger(__name__)

KNOWN_CLUSTERS = 4096  # clusters whose projections' positions a process remembers
FIRST_PAUSE_S = 0.002  # after finding the lease held elsewhere; doubles, up to:
MAX_PAUSE_S = 0.05


class _Cluster:
    """One cluster's projection in this process."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        # Events saved by this process's commands, waiting to be projected: the
        # next pass projects them as they are when they are what comes next.
        self.pending: dict[int, Fresh] = {}
        self.busy = False  # a thread of this process is in a pass
        self.passes = 0
        self.reached = 0  # where the read model stood at the end of the last pass
        # Another process holds the lease: the next look is no sooner than this.
        self.retry_at = 0.0
        self.pause = FIRST_PAUSE_S


class LeasedProjection:
    def __init__(
        self, projector: Projector, lease: ProjectionLease, inline: bool, wait_seconds: float = 10.0
    ) -> None:
        self.projector = projector
        self.lease = lease
        self.inline = inline  # False: workers are expected to project
        self.wait_seconds = wait_seconds
        self._warned: set[str] = set()
        self._clusters: InUse[_Cluster] = InUse(_Cluster)
        self._known_guard = threading.Lock()
        # Where each cluster's projections stood after this process's last pass:
        # the next pass tries them instead of reading them (a pass checks every
        # position it moves from, so one moved elsewhere costs a re-read, no more).
        self._known: OrderedDict[str, dict[str, int]] = OrderedDict()

    def settle(self, partition: Partition, fresh: Sequence[Fresh] = ()) -> int:
        """Returns once the read model reflects the log head (or the wait timed
        out). After a command, ``fresh`` are the events it saved: the read model
        must reach the last of them (every earlier position was committed before
        them), and they can be projected as they are (Projector.catch_up)."""
        read_model = partition.read_model
        if fresh:
            head = fresh[-1].position
        else:
            # The head and where the projections stand, in one statement when the
            # read model lives beside the log: every read of a view starts here.
            stored, head = read_model.positions_and_head(partition.log)
            reached = self.projector.reached(read_model, stored)
            if reached >= head:  # nothing to project: no lease, no log read
                return reached
        # The last waiter out forgets the cluster (nobody is then in a pass, and
        # nothing is pending: each waiter removes its own events).
        with self._clusters.using(partition.cluster_id) as state:
            with state.changed:
                # A fresh event's position is newer than any pass that ended before
                # it was saved, so any pass that reached it counts; a reader's head
                # may be older than a pass, and a reset read model moves back, so
                # only a pass that starts after this look counts for it.
                since = -1 if fresh else state.passes
                state.pending.update((f.position, f) for f in fresh)
            try:
                return self._until(partition, state, head, since)
            finally:
                if fresh:
                    with state.changed:
                        for f in fresh:
                            state.pending.pop(f.position, None)

    def _until(self, partition: Partition, state: _Cluster, head: int, since: int) -> int:
        """Waits for a pass of this process that reaches ``head``, or makes one."""
        deadline = time.monotonic() + self.wait_seconds
        while True:
            with state.changed:
                while True:
                    if state.passes > since and state.reached >= head:
                        return state.reached
                    now = time.monotonic()
                    if now >= deadline:
                        break
                    if not state.busy and now >= state.retry_at:
                        break
                    wake = deadline if state.busy else min(state.retry_at, deadline)
                    state.changed.wait(wake - now)
                if time.monotonic() >= deadline:
                    return self.projector.reached(partition.read_model)
                state.busy = True
                run = _next_run(state.pending)
            self._pass(partition, state, run)

    def _pass(self, partition: Partition, state: _Cluster, run: list[Fresh]) -> None:
        """Projects what the log holds beyond the read model (``run`` as it is,
        when it comes next), or, with the lease held elsewhere, looks where the
        read model stands; then wakes every waiter."""
        reached: int | None = None
        elsewhere = False
        try:
            with self.lease.hold(partition.cluster_id) as held:
                if held:
                    self._note_unowned(partition.cluster_id)
                    known = self._known_positions(partition.cluster_id)
                    reached = self.projector.catch_up(
                        partition.cluster_id,
                        partition.log,
                        partition.read_model,
                        partition.app.mapper,
                        fresh=run,
                        known=known,
                    )
                    self._remember(partition.cluster_id, known)
            if reached is None:
                elsewhere = True
                reached = self.projector.reached(partition.read_model)
        finally:
            with state.changed:
                state.busy = False
                if reached is not None:
                    state.passes += 1
                    state.reached = reached
                    for position in [p for p in state.pending if p <= reached]:
                        del state.pending[position]
                if elsewhere:
                    state.retry_at = time.monotonic() + state.pause
                    state.pause = min(state.pause * 2, MAX_PAUSE_S)
                else:
                    state.retry_at, state.pause = 0.0, FIRST_PAUSE_S
                state.changed.notify_all()

    def _known_positions(self, cluster_id: str) -> dict[str, int]:
        with self._known_guard:
            return dict(self._known.get(cluster_id, {}))

    def _remember(self, cluster_id: str, positions: dict[str, int]) -> None:
        with self._known_guard:
            self._known[cluster_id] = positions
            self._known.move_to_end(cluster_id)
            if len(self._known) > KNOWN_CLUSTERS:
                self._known.popitem(last=False)

    def waited_on(self) -> set[str]:
        """The clusters some caller of this process waits on right now."""
        return self._clusters.keys()

    def _note_unowned(self, cluster_id: str) -> None:
        if not self.inline and cluster_id not in self._warned:
            self._warned.add(cluster_id)
            log.warning("no worker owns cluster %s; projecting it in this process", cluster_id)


def _next_run(pending: dict[int, Fresh]) -> list[Fresh]:
    """The pending events from the oldest on, as long as their positions follow
    each other: what a pass can project as it is (a gap is read from the log)."""
    run: list[Fresh] = []
    for position in sorted(pending):
        if run and position != run[-1].position + 1:
            break
        run.append(pending[position])
    return run
