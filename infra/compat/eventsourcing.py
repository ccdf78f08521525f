"""What Clusterwork needs from the eventsourcing library that it offers no public way to do.

Written against eventsourcing 9.5.6. tests/infra/test_eventsourcing_compat_upgrade.py
fingerprints every upstream function copied or overridden here and fails on
an upgrade until each is re-checked; ``UPSTREAM`` below records the
fingerprints and what to re-check.
"""

from __future__ import annotations

import sqlite3

from eventsourcing.persistence import InterfaceError
from eventsourcing.sqlite import (
    SQLITE3_DEFAULT_LOCK_TIMEOUT,
    SQLiteConnection,
    SQLiteConnectionPool,
)

WRITTEN_AGAINST = "9.5.6"

STATEMENT_CACHE = 64  # prepared statements kept per connection


class StatementCachingPool(SQLiteConnectionPool):
    """The library's SQLite pool, with a real statement cache.

    The library opens its connections with ``cached_statements=True``, which
    ``sqlite3`` reads as a cache of *one* statement: an append's BEGIN and
    INSERT evict each other, and every statement is parsed again. Measured
    with callgrind, parsing was about 15% of an append's instructions.
    ``sqlite3`` takes the cache size only when connecting, and the library
    connects in ``_create_connection`` (the abstract hook of its pools), so
    that is overridden: the library's own body, but for ``cached_statements``.
    """

    def _create_connection(self) -> SQLiteConnection:
        try:
            c = sqlite3.connect(
                database=self.db_name,
                uri=True,
                check_same_thread=False,
                isolation_level=None,  # auto-commit: transactions BEGIN explicitly
                cached_statements=STATEMENT_CACHE,
                timeout=self.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT,
            )
        except (sqlite3.Error, TypeError) as e:
            raise InterfaceError(e) from e
        if not self.is_sqlite_memory_mode and not self.is_journal_mode_wal:
            cursor = c.cursor()
            cursor.execute("PRAGMA journal_mode;")
            if cursor.fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL;")
                self.journal_mode_was_changed_to_wal = True
            self.is_journal_mode_wal = True
        c.row_factory = sqlite3.Row
        return SQLiteConnection(sqlite_conn=c, max_age=self.max_age)


# Upstream functions this module copies or overrides: "module:qualname" ->
# (sha256 of inspect.getsource at WRITTEN_AGAINST, what to re-check when it changed).
UPSTREAM: dict[str, tuple[str, str]] = {
    "eventsourcing.sqlite:SQLiteConnectionPool._create_connection": (
        "4635cb356e9ae4ec242c34f322390bc2fa6057f53a2d3e1a1eb70bc114921101",
        "StatementCachingPool._create_connection is a copy of it with a larger "
        "statement cache: carry over whatever else changed, or drop the override if "
        "the library now takes a cache size.",
    ),
}
