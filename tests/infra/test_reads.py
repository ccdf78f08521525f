"""Reads outside a transaction (infra/reads.py): on PostgreSQL a partition's
readers and its log reader run in autocommit, so a read sends no BEGIN and its
connection no ROLLBACK; on SQLite nothing changes. The writes keep transactions."""

from __future__ import annotations

from sqlalchemy import create_engine

from infra.reads import reads


def test_postgres_reads_are_autocommit_and_sqlite_reads_unchanged() -> None:
    pg = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")  # never connected
    assert reads(pg).get_execution_options()["isolation_level"] == "AUTOCOMMIT"
    assert "isolation_level" not in pg.get_execution_options()  # writes keep their transactions
    lite = create_engine("sqlite://")
    assert reads(lite) is lite
