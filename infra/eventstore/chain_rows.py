"""Position and chain hash of newly stored events, and the head they follow.

Each stored event row carries its gapless position (it is the row's
notification id) and its chain hash, written by the same INSERT that stores
the event: an event never exists without them, and the chain costs no second
row write. PostgreSQL's sequence would leave gaps after a failed insert, so
the recorders assign positions themselves, from the chain head.

Reading the head is a query (on PostgreSQL a round trip) on every append. A
recorder instead remembers the head it last wrote and *guesses* from it; the
position's unique key checks the guess inside the transaction: a position
already taken means another writer moved the head, and the append is redone
once from the head read under the write lock. Gapless positions make a free
position proof that the guessed head is the real one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent

from services.chain import canonical_bytes, genesis, link

Head = tuple[int, str]  # position, hash
T = TypeVar("T")
ChainRow = tuple[
    int, UUID, int, str, bytes, str
]  # position, aggregate, version, topic, state, hash


def chain_rows(
    cluster_id: str, last: Head | None, stored_events: Sequence[StoredEvent]
) -> list[ChainRow]:
    """The rows to insert, each (position, aggregate, version, topic, state, hash)."""
    position, previous = last if last else (0, genesis(cluster_id))
    rows: list[ChainRow] = []
    for stored in stored_events:
        position += 1
        aggregate_id = stored.originator_id
        if not isinstance(aggregate_id, UUID):
            aggregate_id = UUID(str(aggregate_id))
        version, topic, state = stored.originator_version, stored.topic, stored.state
        previous = link(
            previous, canonical_bytes(position, str(aggregate_id), version, topic, state)
        )
        rows.append((position, aggregate_id, version, topic, state, previous))
    return rows


class HeadGuess:
    """The head this recorder last wrote, shared by the threads that use it.

    After a wrong guess (another process appended) the next ``cool_down``
    appends read the head instead, so writers in several processes pay at
    most one redone transaction per ``cool_down`` appends.
    """

    def __init__(self, cool_down: int = 32) -> None:
        self._lock = threading.Lock()
        self._head: Head | None = None
        self._cool_down = cool_down
        self._reads_left = 0

    def guess(self) -> Head | None:
        """The head to build on, or None: read it under the write lock."""
        # Without the lock in the common case: reading one attribute is atomic,
        # and a guess taken just before a miss is checked by the key anyway.
        if not self._reads_left:
            return self._head
        with self._lock:
            if self._reads_left:
                self._reads_left -= 1
                return None
            return self._head

    def wrote(self, head: Head) -> None:
        # One attribute store, atomic; racing a miss it can only cost a guess.
        self._head = head

    def missed(self) -> None:
        with self._lock:
            self._head = None
            self._reads_left = self._cool_down


def append_guessing(
    head: HeadGuess, position_key: str, insert: Callable[[Head | None], tuple[Head | None, T]]
) -> T:
    """Runs ``insert`` (one whole transaction, answering the head it wrote and
    its result) with a guessed head; when the position's unique key
    ``position_key`` refuses the guess, runs it once more with the head read
    under the write lock. Any other conflict (another writer saved this
    aggregate version) is the caller's."""
    guess = head.guess()
    try:
        written, result = insert(guess)
    except IntegrityError as error:
        if guess is None or not _position_taken(error, position_key):
            raise
        head.missed()
        written, result = insert(head.guess())
    if written is not None:
        head.wrote(written)
    return result


def _position_taken(error: BaseException, key: str) -> bool:
    return key in str(error) or key in str(error.__cause__ or "")
