"""Engines for reads that need no transaction.

On PostgreSQL a pooled SQLAlchemy connection opens a transaction before its
first statement and rolls it back when it goes back to the pool: a BEGIN and a
ROLLBACK round trip around every read. A command projected and answered with
four such reads (the log head, the projections' positions twice, the new
events), so eight of its 35 round trips were these (counted with strace).
Under READ COMMITTED each statement sees a snapshot of its own anyway, so a
single-statement read in autocommit sees exactly what it saw in a transaction.
Writes keep their transactions: only readers are given this engine.
"""

from __future__ import annotations

from sqlalchemy import Engine


def read_only(engine: Engine) -> Engine:
    """``engine`` for single-statement reads: autocommit on PostgreSQL; SQLite's
    driver opens no transaction for a read, so there it is ``engine`` itself."""
    if engine.dialect.name != "postgresql":
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")  # type: ignore[return-value]
