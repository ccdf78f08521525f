"""A cheaper way through the most common field: a plain attribute of a scalar
or enum type.

graphql-core resolves every field the same way: a resolve-info tuple of 15
values, the argument values, strawberry's wrapper around the attribute read,
then value completion through the non-null, list and leaf cases. For a view's
answer, most fields (ids, names, positions, choices) are attributes of a
strawberry type with no resolver, no arguments and a leaf type, and that
machinery costs more than the rest of the request. Such a field is read and
coerced here directly; anything else, or anything unusual about the value
(null where the type forbids it, a value that does not coerce, an error), takes
graphql-core's own way, which then reports it exactly as before.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import Any

from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphql import (
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    is_leaf_type,
)

DEFINITION = "strawberry-definition"  # where strawberry keeps a field's own definition


@dataclass(frozen=True)
class LeafField:
    """How to read one plain leaf field: the resolver strawberry would use on
    the attribute, and the type that coerces the value."""

    read: Any  # (source, attribute name) -> value; getattr unless configured otherwise
    attribute: str
    leaf: GraphQLLeafType
    non_null: bool


_PLANS: weakref.WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], LeafField | None]] = (
    weakref.WeakKeyDictionary()
)
_PLANS_LOCK = threading.Lock()
_NONE: dict[tuple[str, str], LeafField | None] = {}  # with a middleware: no plain leaves


def plans_of(schema: GraphQLSchema) -> dict[tuple[str, str], LeafField | None]:
    """The schema's plans by (type name, field name), filled as fields are met."""
    with _PLANS_LOCK:
        return _PLANS.setdefault(schema, {})


def plan(parent: GraphQLObjectType, name: str) -> LeafField | None:
    """The plain-leaf reading of ``parent.name``, or None to take the general way."""
    field_def = parent.fields.get(name)
    if field_def is None or field_def.args:
        return None
    resolve = field_def.resolve
    if resolve is None or not getattr(resolve, "_is_default", False):
        return None  # a resolver of our own, or not a strawberry basic field
    definition = (field_def.extensions or {}).get(DEFINITION)
    if definition is None or not definition.is_basic_field:
        return None
    type_ = field_def.type
    non_null = isinstance(type_, GraphQLNonNull)
    leaf = type_.of_type if non_null else type_
    if not is_leaf_type(leaf):
        return None
    return LeafField(definition.default_resolver, definition.python_name, leaf, non_null)


class ViewExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context, with plain leaf fields read directly."""

    _plans: dict[tuple[str, str], LeafField | None] | None = None

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        plans = self._plans
        if plans is None:
            manager = self.middleware_manager  # a middleware must see every field
            plans = _NONE if manager and manager.middlewares else plans_of(self.schema)
            self._plans = plans
        if plans is not _NONE:
            key = (parent_type.name, field_details_list[0].node.name.value)
            leaf = plans.get(key, _NONE)
            if leaf is _NONE:
                leaf = plans[key] = plan(parent_type, key[1])
            if leaf is not None:
                try:
                    value = leaf.read(source, leaf.attribute)  # type: ignore[union-attr]
                    if value is None:
                        if not leaf.non_null:  # type: ignore[union-attr]
                            return None
                    elif not isinstance(value, Exception):
                        coerced = leaf.leaf.coerce_output_value(value)  # type: ignore[union-attr]
                        if coerced is not None and coerced is not Undefined:
                            return coerced
                except Exception:  # noqa: BLE001, S110 - graphql-core's way reports it
                    pass
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
