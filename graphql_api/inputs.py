"""Input objects to the domain's values, by field name."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

V = TypeVar("V")

_FIELDS: dict[type, tuple[str, ...]] = {}


def value_of(value_type: type[V], source: Any) -> V:
    """The value (``MilestonePlan``, ``GoalProposal``, ``NormAdoption``) from the
    input's fields of the same names: a field added to both reaches the aggregate
    with no edit in between. A null leaves the value's default, and an enum
    passes as it is (the domain parses it)."""
    names = _FIELDS.get(value_type)
    if names is None:
        names = _FIELDS[value_type] = tuple(f.name for f in fields(value_type))  # type: ignore[arg-type]
    given = {name: getattr(source, name) for name in names}
    return value_type(**{name: value for name, value in given.items() if value is not None})
