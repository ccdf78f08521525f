"""Reads outside a transaction (infra/reads.py): on PostgreSQL a partition's
readers and its log reader run in autocommit, so a read sends no BEGIN and its
connection no ROLLBACK; on SQLite nothing changes. The writes keep transactions."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import Column, MetaData, Table, Text, create_engine, literal_column, select, text

from infra import reads as reads_module
from infra.reads import DriverStatement, driver_connection, libpq_rows, reads


def test_postgres_reads_are_autocommit_and_sqlite_reads_unchanged() -> None:
    pg = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")  # never connected
    assert reads(pg).get_execution_options()["isolation_level"] == "AUTOCOMMIT"
    assert "isolation_level" not in pg.get_execution_options()  # writes keep their transactions
    lite = create_engine("sqlite://")
    assert reads(lite) is lite


def test_a_driver_statement_reads_its_own_schema_outside_a_transaction(
    own_postgres_url: str,
) -> None:
    # Compiled once per engine: the partition's schema is in its text, so two
    # partitions on one pool each read their own table.
    engine = create_engine(own_postgres_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.begin() as connection:
            for schema, name in (("one", "first"), ("two", "second")):
                connection.execute(text(f"CREATE SCHEMA {schema}"))
                connection.execute(text(f"CREATE TABLE {schema}.item (name text)"))
                connection.execute(text(f"INSERT INTO {schema}.item VALUES ('{name}')"))
        item = Table("item", MetaData(), Column("name", Text))
        read = select(item.c.name)
        for schema, name in (("one", "first"), ("two", "second")):
            translated = engine.execution_options(schema_translate_map={None: schema})
            statement = DriverStatement(translated, read)
            assert f"{schema}.item" in statement.sql
            assert statement.rows() == [(name,)]
        with driver_connection(engine) as conn:
            assert libpq_rows(conn, b"SELECT 1") == [(1,)]
            # No BEGIN was sent, so none is left open for the pool's ROLLBACK.
            assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    finally:
        engine.dispose()


def test_libpq_rows_reads_its_columns_and_fails_as_psycopg_would(own_postgres_url: str) -> None:
    with psycopg.connect(own_postgres_url) as conn:
        rows = libpq_rows(
            conn,
            "SELECT $1::bigint + 1, 'é'::text, 'v'::varchar, true, false, 7::smallint, "
            "NULL::integer, -(2^40)::bigint".encode(),
            (2**62,),
        )
        assert rows == [(2**62 + 1, "é", "v", True, False, 7, None, -(2**40))]
        assert libpq_rows(conn, b"SELECT 1 WHERE false") == []
        assert libpq_rows(conn, b"SELECT pg_try_advisory_lock($1)", (-5,)) == [(True,)]
        assert libpq_rows(conn, b"SELECT pg_advisory_unlock($1)", (-5,)) == [(True,)]
        # Text parameters (UTF-8), and a void column (a function called for its effect).
        assert libpq_rows(conn, b"SELECT $1 || '!', length($1)", ("é",)) == [("é!", 1)]
        with psycopg.connect(own_postgres_url, autocommit=True) as listener:
            listener.execute("LISTEN cw_test_channel")
            notify = b"SELECT pg_notify('cw_test_channel', $1)"
            assert libpq_rows(conn, notify, ("hi",)) == [(None,)]
            heard = list(listener.notifies(timeout=2.0, stop_after=1))
        assert [(n.channel, n.payload) for n in heard] == [("cw_test_channel", "hi")]
        with pytest.raises(psycopg.errors.UndefinedTable, match="no_such_table"):
            libpq_rows(conn, b"SELECT * FROM no_such_table")
        with pytest.raises(psycopg.errors.DivisionByZero):
            libpq_rows(conn, b"SELECT 1 / $1", (0,))
        with pytest.raises(TypeError, match="no column of type oid 1700"):
            libpq_rows(conn, b"SELECT 1.5::numeric")
        # Each statement was a transaction of its own: the connection is idle and usable.
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        assert libpq_rows(conn, b"SELECT 2") == [(2,)]


def test_a_driver_statement_on_sqlite_reads_without_a_transaction(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(f"sqlite:///{tmp_path / 'reads.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE item (name text)"))
        connection.execute(text("INSERT INTO item VALUES ('only')"))
    item = Table("item", MetaData(), Column("name", Text))
    statement = DriverStatement(engine, select(item.c.name))
    assert statement.rows() == [("only",)]
    with driver_connection(engine) as conn:
        assert not conn.in_transaction
    engine.dispose()


def prepared_statements(conn: psycopg.Connection) -> list[str]:
    return [row[0] for row in libpq_rows(conn, b"SELECT statement FROM pg_prepared_statements")]


def test_libpq_rows_prepares_once_and_survives_a_deallocation(
    own_postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reads_module, "PREPARED_PER_CONNECTION", 3)
    with psycopg.connect(own_postgres_url) as conn:
        for _ in range(3):
            assert libpq_rows(conn, b"SELECT $1::int * 2", (21,)) == [(42,)]
        assert prepared_statements(conn).count("SELECT $1::int * 2") == 1
        # psycopg sends DEALLOCATE ALL after a rollback of a connection it prepared on.
        conn.pgconn.exec_(b"DEALLOCATE ALL")
        assert libpq_rows(conn, b"SELECT $1::int * 2", (4,)) == [(8,)]
        # Beyond the bound, the statement used longest ago is deallocated.
        for n in range(3):
            libpq_rows(conn, f"SELECT {n}".encode())
        kept = prepared_statements(conn)
        assert len(kept) == 3 and "SELECT $1::int * 2" not in kept
        assert libpq_rows(conn, b"SELECT $1::int * 2", (5,)) == [(10,)]  # prepared again
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE


def test_a_statement_on_a_dead_connection_fails_once_and_the_pool_replaces_it(
    own_postgres_url: str,
) -> None:
    from infra.bootstrap import _postgres_engine
    from infra.settings import Settings

    settings = Settings(
        _env_file=None, database_url=own_postgres_url, pg_pool_size=1, pg_max_overflow=0
    )  # type: ignore[call-arg]
    engine = _postgres_engine(own_postgres_url, settings)
    statement = DriverStatement(engine, select(literal_column("pg_backend_pid()")))
    try:
        [(first,)] = statement.rows()
        with psycopg.connect(own_postgres_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (first,))
        # Just used, so not pinged: the failure reaches the caller as psycopg's error...
        with pytest.raises(psycopg.OperationalError):
            statement.rows()
        # ...and the pool let the dead connection go: the next statement gets a new one.
        [(second,)] = statement.rows()
        assert second != first
    finally:
        engine.dispose()
