"""A read's caller (membership, roles, subject's standing) is read from the read
model once per position it finds: a second read of an unchanged cluster does not
read it again, and any change, by this process or another, is seen by the next
request, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from domain.cluster import RoleChange
from domain.errors import NotFound
from infra.bootstrap import bootstrap
from infra.reads import DriverStatement


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement any engine runs inside the block, through SQLAlchemy or
    through the driver (DriverStatement: where the read model stands)."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    rows = DriverStatement.rows

    def driver_rows(self: DriverStatement) -> list[tuple[Any, ...]]:
        seen.append(self.sql)
        return rows(self)

    event.listen(Engine, "before_cursor_execute", count)
    DriverStatement.rows = driver_rows  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        DriverStatement.rows = rows  # type: ignore[method-assign]
        event.remove(Engine, "before_cursor_execute", count)


def test_an_unchanged_cluster_does_not_read_the_same_caller_twice(world) -> None:
    queries = world.container.queries
    first = queries.scope(world.ivan, world.cluster_id)
    with statements() as again:
        second = queries.scope(world.ivan, world.cluster_id)
    assert second.actor == first.actor and second.info == first.info
    assert len(again) == 1, again  # where the read model stands; not the caller


def test_a_change_is_read_by_the_next_request(world) -> None:
    queries, registry = world.container.queries, world.container.registry
    assert "AUDITOR" not in queries.scope(world.ivan, world.cluster_id).actor.roles
    registry.grant_role(world.coordinator, world.cluster_id, world.ivan_id, RoleChange("AUDITOR"))
    with statements() as read:
        scope = queries.scope(world.ivan, world.cluster_id)
    assert "AUDITOR" in scope.actor.roles
    assert len(read) == 2, read  # the position moved: the caller is read again


def test_a_role_revoked_by_another_process_is_refused_on_the_next_read(world) -> None:
    queries = world.container.queries
    assert queries.scope(world.petr, world.cluster_id).actor.member_id == world.petr_id
    other = bootstrap(world.container.settings)  # a second API process, same storage
    try:
        other.registry.revoke_role(
            world.coordinator, world.cluster_id, world.petr_id, RoleChange("MEMBER")
        )
    finally:
        other.close()
    with pytest.raises(NotFound):
        queries.scope(world.petr, world.cluster_id)
