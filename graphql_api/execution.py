"""A cheaper way through the most common fields: a plain attribute of a scalar
or enum type, and a resolver method that takes nothing but ``self``.

graphql-core resolves every field the same way: a resolve-info tuple of 15
values, the argument values, strawberry's wrapper around the attribute read,
then value completion through the non-null, list and leaf cases. For a view's
answer, most fields (ids, names, positions, choices) are attributes of a
strawberry type with no resolver, no arguments and a leaf type, and that
machinery costs more than the rest of the request. Such a field is read and
coerced here directly; anything else, or anything unusual about the value
(null where the type forbids it, a value that does not coerce, an error), takes
graphql-core's own way, which then reports it exactly as before. A method that
takes only ``self`` (``EventType.actor``, ``MemberType.subject``) is called
directly, without strawberry's argument conversion and ``Info``: graphql-core
completes and reports its result as usual.

Neither applies when the schema has a middleware (an extension with ``resolve``
must see every field), exception handlers, or field extensions (permissions).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import Any

from graphql.execution.executor import to_nodes
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
class MethodField:
    """A synchronous resolver method of ``self`` only."""

    call: Any  # (source) -> value


@dataclass(frozen=True)
class LeafField:
    """How to read one plain leaf field: the resolver strawberry would use on
    the attribute, and the type that coerces the value."""

    read: Any  # (source, attribute name) -> value; getattr unless configured otherwise
    attribute: str
    leaf: GraphQLLeafType
    non_null: bool


Plan = LeafField | MethodField | None

_PLANS: weakref.WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], Plan]] = (
    weakref.WeakKeyDictionary()
)
_PLANS_LOCK = threading.Lock()
_NONE: dict[tuple[str, str], Plan] = {}  # with a middleware: no plain leaves


def plans_of(schema: GraphQLSchema) -> dict[tuple[str, str], Plan]:
    """The schema's plans by (type name, field name), filled as fields are met."""
    with _PLANS_LOCK:
        return _PLANS.setdefault(schema, {})


def plan(schema: GraphQLSchema, parent: GraphQLObjectType, name: str) -> Plan:
    """How to resolve ``parent.name`` directly, or None to take the general way."""
    field_def = parent.fields.get(name)
    if field_def is None or field_def.args or field_def.resolve is None:
        return None
    definition = (field_def.extensions or {}).get(DEFINITION)
    strawberry_schema = getattr(schema, "_strawberry_schema", None)
    if definition is None or definition.extensions or strawberry_schema is None:
        return None
    if strawberry_schema.exception_handlers:
        return None
    resolver = definition.base_resolver
    if resolver is not None:
        return _method(resolver)
    if not getattr(field_def.resolve, "_is_default", False):
        return None
    type_ = field_def.type
    non_null = isinstance(type_, GraphQLNonNull)
    leaf = type_.of_type if non_null else type_
    if not is_leaf_type(leaf):
        return None
    return LeafField(definition.default_resolver, definition.python_name, leaf, non_null)


def _method(resolver: Any) -> MethodField | None:
    if resolver.is_async or resolver.arguments or not resolver.self_parameter:
        return None
    if resolver.info_parameter or resolver.root_parameter or resolver.parent_parameter:
        return None
    call = resolver.wrapped_func
    return MethodField(call) if callable(call) else None


class ViewExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context, with plain leaf fields read directly."""

    _plans: dict[tuple[str, str], Plan] | None = None

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
                leaf = plans[key] = plan(self.schema, parent_type, key[1])
            if isinstance(leaf, MethodField):
                return self._call(
                    leaf, parent_type, source, field_details_list, path, position_context
                )
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
                except Exception:
                    pass
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def _call(
        self,
        method: MethodField,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's execute_field for a resolver without arguments, less
        strawberry's wrapping (which, for such a method, only calls it)."""
        field_def = parent_type.fields[field_details_list[0].node.name.value]
        return_type = field_def.type
        info = self.build_resolve_info(field_def, to_nodes(field_details_list), parent_type, path)
        try:
            result = method.call(source)
            if self.is_awaitable(result):
                return self.complete_awaitable_value(
                    return_type, field_details_list, info, path, result, position_context
                )
            completed = self.complete_value(
                return_type, field_details_list, info, path, result, position_context
            )
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None
        if self.is_awaitable(completed):
            return self._await_completed(completed, return_type, field_details_list, path)
        return completed

    async def _await_completed(
        self, completed: Any, return_type: Any, field_details_list: Any, path: Any
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None
