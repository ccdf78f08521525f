"""Live fan-out: wakes subscribers when their cluster's log grows.

A wake-up carries no events, only "look again": subscribers always read the
log itself after the last position they delivered, so a lost or doubled
wake-up can never cause a gap or a duplicate. Wake-ups come from commands in
this process and, on PostgreSQL, from NOTIFY, which the recorder sends after
every append commits (so writes through any process reach every process).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable

import psycopg

log = logging.getLogger(__name__)

CHANNEL = "clusterwork_events"
# A backstop (wake-ups normally arrive at once), and how often an idle stream
# re-checks that its caller may still read it.
POLL_SECONDS = 2.0


class LiveHub:
    def __init__(self) -> None:
        self._waiters: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}
        self._lock = threading.Lock()

    def wake(self, cluster_id: str) -> None:
        """Thread-safe: every subscriber of ``cluster_id`` looks at the log again."""
        with self._lock:
            waiters = list(self._waiters.get(cluster_id, ()))
        for loop, event in waiters:
            if not loop.is_closed():
                loop.call_soon_threadsafe(event.set)

    async def changes(self, cluster_id: str) -> AsyncIterator[None]:
        """Yields once at once, then whenever the cluster's log may have grown."""
        waiter = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiters.setdefault(cluster_id, set()).add(waiter)
        try:
            while True:
                yield
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(waiter[1].wait(), POLL_SECONDS)
                waiter[1].clear()
        finally:
            with self._lock:
                self._waiters.get(cluster_id, set()).discard(waiter)


class PostgresListener:
    """LISTENs on the NOTIFY channel in a thread; each payload is a cluster id."""

    def __init__(self, url: str, on_notify: Callable[[str], None]) -> None:
        self.url = url
        self.on_notify = on_notify
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pg-listen", daemon=True)

    def start(self) -> PostgresListener:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    while not self._stop.is_set():
                        for notice in conn.notifies(timeout=1.0):
                            self.on_notify(notice.payload)
            except psycopg.Error as error:  # database restart: listen again
                if self._stop.is_set():  # stopped meanwhile (a shutdown closing connections)
                    return
                log.warning("LISTEN %s interrupted (%s); reconnecting", CHANNEL, error)
                self._stop.wait(1.0)
