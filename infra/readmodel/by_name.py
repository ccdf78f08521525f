"""Rows and DTOs by field name, the one path from an event to a read: each fact
of an event (``domain.base.facts``) goes to the column of its name, and each
field of a DTO comes from the column of its name. A field added to an event, a
row and a DTO under one name needs no edit in a view or a reader;
tests/infra/test_event_fields.py checks that every fact and every DTO field has
its column."""

from __future__ import annotations

from dataclasses import fields
from operator import attrgetter
from typing import Any, TypeVar

from sqlmodel import SQLModel

from domain.base import fact_names

R = TypeVar("R", bound=SQLModel)
D = TypeVar("D")

_DTO_FIELDS: dict[type, tuple[str, ...]] = {}


def row_of(table: type[R], event: object, **columns: Any) -> R:
    """A new row from the event's facts and the ``columns`` the view adds
    (keys, positions, the stamp's values); validated, so an ISO date string
    becomes the column's date."""
    values = {name: getattr(event, name) for name in fact_names(type(event))}
    values.update(columns)
    return table.model_validate(values)


def set_facts(row: Any, event: object, *, skip: tuple[str, ...] = (), **columns: Any) -> None:
    """Writes the event's facts (less ``skip``, the keys that found the row) and
    ``columns`` into an existing row."""
    for name in fact_names(type(event)):
        if name not in skip:
            setattr(row, name, getattr(event, name))
    for name, value in columns.items():
        setattr(row, name, value)


def dto_fields(dto: type) -> tuple[str, ...]:
    names = _DTO_FIELDS.get(dto)
    if names is None:
        names = _DTO_FIELDS[dto] = tuple(f.name for f in fields(dto))
    return names


def read_columns(dto: type, columns: Any, *also: str) -> list[Any]:
    """The columns (a table's ``.c``) a read selects for ``dto``: those named
    like its fields, and ``also`` (columns a reader turns into a field of
    another name). Never the rest: a column nobody reads still costs its
    conversion, and on SQLite parsing a timestamp costs more than its row."""
    names = set(dto_fields(dto)) | set(also)
    return [column for column in columns if column.name in names]


def dto_of(dto: type[D], row: Any, **given: Any) -> D:
    """The DTO from the row's attributes (an ORM row or a Core row) of its fields'
    names; ``given`` supplies the fields no column of that name holds as is."""
    # Which attribute or given value fills each field, worked out once per DTO and
    # given names; the DTO is then built by position (a view builds hundreds).
    key = (dto, *given)
    plan = _PLANS.get(key)
    if plan is None:
        plan = _PLANS[key] = tuple(
            (None, name) if name in given else (attrgetter(name), name) for name in dto_fields(dto)
        )
    return dto(*[given[name] if read is None else read(row) for read, name in plan])


_PLANS: dict[tuple[Any, ...], tuple[tuple[Any, str], ...]] = {}
