"""Brings the read-model tables of a partition made by an earlier release up to the
columns the code declares, when the partition is opened.

A nullable column the tables lack is added: every row already there was projected
from events that did not have the field, and their upcaster gives them None, which
is what the new column holds for them. The release tests
(tests/e2e/test_release_*.py) read the views of an old release's partition before and
after a replay and expect the same answers, so a column whose old rows a replay would
fill differently fails there. A missing column that may not be null cannot be
guessed: it is logged as an error naming the replay that rebuilds the read model.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy import Connection, Engine, Table
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)


class ReadModelOutdated(Exception):
    """A column could not be added to the read model."""


def missing_columns(connection: Connection, tables: Sequence[Table]) -> list[sa.Column[object]]:
    """The columns of ``tables`` that the partition's tables lack (one query). A
    table that is missing altogether is left alone: provisioning creates tables."""
    present: dict[str, set[str]] = {}
    for table, column in connection.execute(*_catalog(connection)):
        present.setdefault(table, set()).add(column)
    return [
        column
        for table in tables
        if table.name in present
        for column in table.columns
        if column.name not in present[table.name]
    ]


def add_missing_columns(engine: Engine, tables: Sequence[Table], cluster_id: str) -> list[str]:
    """Adds every missing nullable column; returns their ``table.column`` names."""
    with engine.connect() as connection:
        missing = missing_columns(connection, tables)
    if not missing:
        return []
    refused = [c for c in missing if not c.nullable]
    if refused:
        # Not raised: the replay that repairs it opens the partition too.
        names = ", ".join(f"{c.table.name}.{c.name}" for c in refused)
        log.error(
            "the read model of cluster %s lacks %s, which may not be null: its reads fail "
            "until `clusterwork audit replay --cluster %s` rebuilds it",
            cluster_id,
            names,
            cluster_id,
        )
        missing = [c for c in missing if c.nullable]
    for column in missing:
        try:
            with engine.begin() as connection:
                connection.execute(_add_column(connection, column))
                for index in column.table.indexes:
                    if column in index.columns.values():
                        index.create(connection, checkfirst=True)
        except DBAPIError:
            pass  # another process added it first; anything else shows when re-read below
    with engine.connect() as connection:
        still = [c for c in missing_columns(connection, tables) if c.nullable]
    if still:
        names = ", ".join(f"{c.table.name}.{c.name}" for c in still)
        raise ReadModelOutdated(f"could not add {names} to the read model of {cluster_id}")
    return [f"{c.table.name}.{c.name}" for c in missing]


def _schema(connection: Connection) -> str | None:
    """The cluster's schema on PostgreSQL (the engine maps unnamed tables to it)."""
    translate = connection.get_execution_options().get("schema_translate_map") or {}
    return translate.get(None)  # type: ignore[no-any-return]


def _catalog(connection: Connection) -> tuple[sa.TextClause, dict[str, object]]:
    if connection.dialect.name == "sqlite":
        return sa.text(
            "SELECT m.name, p.name FROM sqlite_master AS m, pragma_table_info(m.name) AS p "
            "WHERE m.type = 'table'"
        ), {}
    # pg_catalog rather than information_schema: one indexed lookup per open.
    return sa.text(
        "SELECT c.relname, a.attname FROM pg_attribute AS a "
        "JOIN pg_class AS c ON c.oid = a.attrelid "
        "JOIN pg_namespace AS n ON n.oid = c.relnamespace "
        "WHERE n.nspname = COALESCE(CAST(:schema AS text), current_schema()) "
        "AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped"
    ), {"schema": _schema(connection)}


def _add_column(connection: Connection, column: sa.Column[object]) -> sa.TextClause:
    preparer = connection.dialect.identifier_preparer
    table = preparer.quote(column.table.name)
    schema = _schema(connection)
    if schema:
        table = f"{preparer.quote_schema(schema)}.{table}"
    definition = sa.schema.CreateColumn(column).compile(dialect=connection.dialect)
    return sa.text(f"ALTER TABLE {table} ADD COLUMN {definition}")
