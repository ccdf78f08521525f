"""Commands of one cluster that arrive together are committed together.

Concurrent writers of one cluster in a process used to take turns from load
to save, one transaction each: eight writers paid eight loads of the registry,
eight appends (lock, insert, commit, wake-up) and eight projection passes, and
wrote less than one writer alone. Now the first writer to arrive leads: it
takes every command queued for the cluster (its own first), runs their bodies
one after the other, each on the state the one before left (as if they had
come one by one), saves all their events in one append and projects them in
one pass (read-your-writes: each answer reads a read model that holds its
command's events). The others wait for their own outcome. While a leader
commits and projects, the next commands queue up and form the next group.

This module only keeps the queue and the leadership; what committing means
is the caller's (services/commands.py).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

from services.in_use import InUse

T = TypeVar("T")

# One group runs every body it holds before its append: a bound keeps the
# first command's wait short under any load.
MAX_GROUP = 32


class Queued(Generic[T]):
    """A command waiting in the queue, then its outcome: a value or an error."""

    __slots__ = ("command", "error", "settled", "value")

    def __init__(self, command: T) -> None:
        self.command = command
        self.settled = False
        self.value: object = None
        self.error: BaseException | None = None

    def succeed(self, value: object) -> None:
        self.value, self.settled = value, True

    def fail(self, error: BaseException) -> None:
        self.error, self.settled = error, True


class _Line:
    """One cluster's queue in this process."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.queue: deque[Queued[object]] = deque()
        self.leading = False


# Commits a group; returns the commands it could not take this time (they are
# queued again, first in line, for the next group).
Commit = Callable[[list[Queued[T]]], list[Queued[T]]]


class GroupCommit(Generic[T]):
    def __init__(self, max_group: int = MAX_GROUP) -> None:
        self.max_group = max_group
        # A process serving many clusters keeps a queue only for those being
        # written right now.
        self._lines: InUse[_Line] = InUse(_Line)

    def submit(self, key: str, command: T, commit: Commit[T]) -> Queued[T]:
        """Queues ``command`` for ``key`` and returns it settled: led by this thread
        (with whatever else is queued) or by the thread leading when it arrived."""
        queued: Queued[T] = Queued(command)
        with self._lines.using(key) as line:
            with line.changed:
                line.queue.append(queued)  # type: ignore[arg-type]
            # From here on the command is queued or settled: a group settles its
            # commands or gives them back to the queue.
            while True:
                with line.changed:
                    while line.leading and not queued.settled:
                        line.changed.wait()
                    if queued.settled:
                        return queued
                    line.leading = True
                    size = min(len(line.queue), self.max_group)
                    group = [line.queue.popleft() for _ in range(size)]
                again: list[Queued[T]] = []
                try:
                    again = commit(group)  # type: ignore[arg-type]
                except BaseException as error:  # every command of the group learns it
                    for member in group:
                        if not member.settled:
                            member.fail(error)
                finally:
                    with line.changed:
                        line.queue.extendleft(reversed(again))  # type: ignore[arg-type]
                        line.leading = False
                        line.changed.notify_all()

    def waiting(self, key: str) -> int:
        """How many commands for ``key`` wait for the next group right now."""
        line = self._lines.get(key)
        if line is None:
            return 0
        with line.changed:
            return len(line.queue)
