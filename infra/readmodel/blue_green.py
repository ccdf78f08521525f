"""The next version of a cluster's read model, built beside the live one, and the
switch to it.

Beside: on SQLite in a file of its own next to the cluster's (``<id>.next.sqlite``);
on PostgreSQL in a schema of its own next to the cluster's (``cluster_<hex>_next``).
Either way the views, their tracking and ``rm_version`` are the same tables under
the same names as the live ones, so the projections write them unchanged, and
nothing reads them until the switch.

The switch is one transaction on the live store, so a reader sees either every old
table or every new one, never a mix and never a half-built one:
- PostgreSQL: the live tables are dropped and the next schema's moved in
  (``ALTER TABLE … SET SCHEMA``: catalog updates, however large the tables). It
  waits at most ``LOCK_WAIT_MS`` for each table's lock and otherwise starts
  again, so it is never the one that waits in a deadlock with a request.
- SQLite: the next file is attached, and the live tables are dropped and made
  again from it (one write transaction of the cluster's file, which a crash rolls
  back; other writers wait for it, readers read the old tables until it commits).
Before swapping, the switch stops the live tables from moving on (SQLite: the
cluster file's write lock, which also holds back new events; PostgreSQL: an
EXCLUSIVE lock on the live tables, which readers pass) and projects the last
events into the next tables: they then stand at least where the live ones do, so
no reader is answered from an older position than before (a command's answer
holds its own event). The tracking arrives with the views, and the live projector
continues from there.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.exc import OperationalError

from infra.readmodel.store import VERSIONED_TABLES, SqlReadModel

LOCK_WAIT_MS = 200
SWITCH_ATTEMPTS = 100


class SwitchFailed(Exception):
    """The next read model could not be switched in (nothing changed)."""


class NextReadModel(Protocol):
    """Where the next version of one cluster's read model is built."""

    def exists(self) -> bool: ...

    def open(self) -> SqlReadModel: ...

    def switch(self, catch_up: Callable[[], int], names: Iterable[str]) -> None:
        """Stops the live tables from moving on, runs ``catch_up`` (which brings the
        next tables to the log's head), and swaps them in, in one transaction."""

    def drop(self) -> None: ...

    def where(self) -> str: ...

    def position(self) -> int | None:
        """Where its tables stand (None: there are none); never creates them."""


class SqliteNext:
    def __init__(self, live_path: Path, engine_for: EngineFor) -> None:
        self.live_path = live_path
        self.path = live_path.with_name(live_path.name.removesuffix(".sqlite") + ".next.sqlite")
        self._engine_for = engine_for
        self._engine: Engine | None = None

    def where(self) -> str:
        return self.path.name

    def exists(self) -> bool:
        return self.path.exists()

    def position(self) -> int | None:
        if not self.exists():
            return None
        try:
            connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=5)
            try:
                row = connection.execute("SELECT MIN(position) FROM rm_tracking").fetchone()
            finally:
                connection.close()
        except sqlite3.Error:  # gone, or its tables not made yet
            return 0 if self.exists() else None
        return int(row[0] or 0)

    def open(self) -> SqlReadModel:
        if self._engine is None:
            self._engine = self._engine_for(self.path)
        return SqlReadModel(self._engine, rebuilding=True)

    def switch(self, catch_up: Callable[[], int], names: Iterable[str]) -> None:
        connection = sqlite3.connect(self.live_path, timeout=30, isolation_level=None)
        try:
            connection.execute("ATTACH DATABASE ? AS next", (str(self.path),))
            # The cluster's write lock (a write to the live file alone: BEGIN IMMEDIATE
            # would lock the next file too, which the catch-up writes). From here no
            # event is appended and no live batch commits until COMMIT.
            connection.execute("BEGIN")
            try:
                connection.execute("UPDATE main.rm_tracking SET position = position WHERE 0")
                catch_up()
                self._close()
                live = dict(connection.execute("SELECT name, position FROM main.rm_tracking"))
                built = dict(connection.execute("SELECT name, position FROM next.rm_tracking"))
                _require_ahead(built, live, names)
                for statement in _sqlite_switch():
                    connection.execute(statement)
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("DETACH DATABASE next")
        finally:
            connection.close()

    def drop(self) -> None:
        self._close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)

    def _close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _require_ahead(built: dict[str, int], live: dict[str, int], names: Iterable[str]) -> None:
    """The next tables stand at least where the live ones do, for every projection:
    a reader whose write the live tables held finds it in the next ones too."""
    behind = [name for name in names if built.get(name, 0) < live.get(name, 0)]
    if behind:
        raise SwitchFailed(f"the next read model is behind the live one for {', '.join(behind)}")


class EngineFor(Protocol):
    def __call__(self, path: Path) -> Engine: ...


def _sqlite_switch() -> list[str]:
    """Drop each live table, make it again as the code declares it, fill it from
    the next file, then index it (an index built once is cheaper than kept up
    row by row)."""
    dialect = sqlite_dialect.dialect()  # type: ignore[no-untyped-call]
    statements = []
    for table in VERSIONED_TABLES:
        name = f'"{table.name}"'
        columns = ", ".join(f'"{column.name}"' for column in table.columns)
        statements += [
            f"DROP TABLE IF EXISTS main.{name}",
            str(sa.schema.CreateTable(table).compile(dialect=dialect)),
            f"INSERT INTO main.{name} ({columns}) SELECT {columns} FROM next.{name}",
        ]
        statements += [
            str(sa.schema.CreateIndex(index).compile(dialect=dialect)) for index in table.indexes
        ]
    return statements


class PostgresNext:
    def __init__(self, engine: Engine, live_schema: str) -> None:
        self.engine = engine  # the process's read-model engine, mapped to no schema
        self.live = live_schema
        self.schema = f"{live_schema}_next"

    def where(self) -> str:
        return f"schema {self.schema}"

    def exists(self) -> bool:
        with self.engine.connect() as connection:
            found = connection.execute(
                sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :name"), {"name": self.schema}
            ).first()
        return found is not None

    def position(self) -> int | None:
        if not self.exists():
            return None
        try:
            with self.engine.connect() as connection:
                found = connection.execute(
                    sa.text(f'SELECT MIN(position) FROM "{self.schema}".rm_tracking')
                ).scalar()
        except sa.exc.DBAPIError:  # gone, or its tables not made yet
            return 0 if self.exists() else None
        return int(found or 0)

    def open(self) -> SqlReadModel:
        with self.engine.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))
        engine = self.engine.execution_options(schema_translate_map={None: self.schema})
        return SqlReadModel(engine, rebuilding=True)  # type: ignore[arg-type]

    def switch(self, catch_up: Callable[[], int], names: Iterable[str]) -> None:
        wanted = list(names)
        for _ in range(SWITCH_ATTEMPTS):
            try:
                with self.engine.begin() as connection:
                    self._swap(connection, catch_up, wanted)
                return
            except OperationalError as error:
                if getattr(error.orig, "sqlstate", None) != "55P03":  # lock_not_available
                    raise
                time.sleep(LOCK_WAIT_MS / 1000)
        raise SwitchFailed(f"the read model of schema {self.live} stayed locked")

    def _swap(
        self, connection: sa.Connection, catch_up: Callable[[], int], names: list[str]
    ) -> None:
        connection.execute(sa.text(f"SET LOCAL lock_timeout = '{LOCK_WAIT_MS}ms'"))
        present = [
            row[0]
            for row in connection.execute(
                sa.text("SELECT tablename FROM pg_tables WHERE schemaname = :schema"),
                {"schema": self.live},
            )
        ]
        live_tables = [t.name for t in VERSIONED_TABLES if t.name in present]
        # EXCLUSIVE: live batches wait (readers do not) until the swap commits, so
        # the live tables cannot move past the next ones caught up below.
        connection.execute(
            sa.text(
                "LOCK TABLE "
                + ", ".join(f'"{self.live}"."{name}"' for name in live_tables)
                + " IN EXCLUSIVE MODE"
            )
        )
        catch_up()
        tracking = 'SELECT name, position FROM "{}".rm_tracking'
        live: dict[str, int] = dict(connection.execute(sa.text(tracking.format(self.live))).all())  # type: ignore[arg-type]
        built: dict[str, int] = dict(
            connection.execute(sa.text(tracking.format(self.schema))).all()
        )  # type: ignore[arg-type]
        _require_ahead(built, live, names)
        for name in live_tables:
            connection.execute(sa.text(f'DROP TABLE "{self.live}"."{name}"'))
        for table in VERSIONED_TABLES:
            connection.execute(
                sa.text(f'ALTER TABLE "{self.schema}"."{table.name}" SET SCHEMA "{self.live}"')
            )
        connection.execute(sa.text(f'DROP SCHEMA "{self.schema}"'))

    def drop(self) -> None:
        with self.engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
