"""The engine a partition's reads go through."""

from __future__ import annotations

from sqlalchemy import Engine


def reads(engine: Engine) -> Engine:
    """``engine`` for reads that are one statement each (or statements that need
    no common snapshot): on PostgreSQL in autocommit, so that a read is one round
    trip, with no BEGIN before it and no ROLLBACK when its connection goes back to
    the pool (both cost a round trip and CPU on every view request). Each statement
    sees the database as of its own start, as it did in its own transaction under
    READ COMMITTED. Writes keep ``engine`` and its transactions. SQLite: unchanged
    (pysqlite begins no transaction for a SELECT)."""
    if engine.dialect.name != "postgresql":
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")  # type: ignore[return-value]
