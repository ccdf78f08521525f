"""Rows and DTOs by field name, the one path from an event to a read: each fact
of an event (``domain.base.facts``) goes to the column of its name, and each
field of a DTO comes from the column of its name. A field added to an event, a
row and a DTO under one name needs no edit in a view or a reader;
tests/infra/test_event_fields.py checks that every fact and every DTO field has
its column."""

from __future__ import annotations

from dataclasses import fields
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


def dto_of(dto: type[D], row: Any, **given: Any) -> D:
    """The DTO from the row's attributes (an ORM row or a Core row) of its fields'
    names; ``given`` supplies the fields no column of that name holds as is."""
    values = {name: getattr(row, name) for name in dto_fields(dto) if name not in given}
    return dto(**values, **given)
