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

The loop over an object's fields is graphql-core's ``execute_fields`` with the
plan of each field looked up once per selection (not once per field and item),
and a plain leaf read in the loop itself: a list of 100 events, 13 fields each,
no longer costs 1,300 calls through ``execute_field`` and as many response
paths, which graphql-core builds only for its error messages (a field that
takes the general way still gets its path). A self-only method whose value is
an object (``actor``, ``subject``) completes it directly, without the
resolve-info tuple graphql-core builds for value completion.

Neither applies when the schema has a middleware (an extension with ``resolve``
must see every field), exception handlers, or field extensions (permissions).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import Any

from graphql.execution.executor import gather_with_cancel, to_nodes
from graphql.pyutils import Path
from graphql.type.scalars import serialize_boolean, serialize_id, serialize_int, serialize_string
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graphql import (
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    Undefined,
    is_leaf_type,
)

DEFINITION = "strawberry-definition"  # where strawberry keeps a field's own definition


@dataclass(frozen=True)
class MethodField:
    """A synchronous resolver method of ``self`` only; ``object_type`` when its
    value is one object (completed directly unless it checks ``is_type_of``)."""

    call: Any  # (source) -> value
    object_type: GraphQLObjectType | None = None


@dataclass(frozen=True)
class LeafField:
    """How to read one plain leaf field: the resolver strawberry would use on
    the attribute, and the type that coerces the value."""

    read: Any  # (source, attribute name) -> value; getattr unless configured otherwise
    attribute: str
    leaf: GraphQLLeafType
    non_null: bool
    # The Python type whose values the leaf's coercion returns unchanged (a str for
    # String and ID, a bool for Boolean, a 32-bit int for Int), so not called.
    same: type | None = None


# The built-in scalars' coercions and the values each returns as they are.
_UNCHANGED: dict[Any, type] = {
    serialize_string: str,
    serialize_id: str,
    serialize_boolean: bool,
    serialize_int: int,
}
INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # GraphQL's Int (serialize_int checks the same)


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
        return _method(resolver, field_def.type)
    if not getattr(field_def.resolve, "_is_default", False):
        return None
    type_ = field_def.type
    non_null = isinstance(type_, GraphQLNonNull)
    leaf = type_.of_type if non_null else type_
    if not is_leaf_type(leaf):
        return None
    same = _UNCHANGED.get(getattr(leaf, "coerce_output_value", None))
    return LeafField(definition.default_resolver, definition.python_name, leaf, non_null, same)


def _method(resolver: Any, type_: GraphQLOutputType) -> MethodField | None:
    if resolver.is_async or resolver.arguments or not resolver.self_parameter:
        return None
    if resolver.info_parameter or resolver.root_parameter or resolver.parent_parameter:
        return None
    call = resolver.wrapped_func
    if not callable(call):
        return None
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(inner, GraphQLObjectType) and inner.is_type_of is None:
        return MethodField(call, inner)
    return MethodField(call)


# One selection's fields: (response name, field details, plan) in response order.
Fields = list[tuple[str, Any, Plan]]


class ViewExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context, with plain fields resolved directly."""

    _plans: dict[tuple[str, str], Plan] | None = None
    # This request's selections, by identity: graphql-core hands the same grouped
    # field set for every item of a list. The set itself is kept with its fields,
    # so that its id cannot be reused by another one during the request.
    _selections: dict[tuple[str, int], tuple[Any, Fields]] | None = None

    def _plans_of_schema(self) -> dict[tuple[str, str], Plan]:
        plans = self._plans
        if plans is None:
            manager = self.middleware_manager  # a middleware must see every field
            plans = _NONE if manager and manager.middlewares else plans_of(self.schema)
            self._plans = plans
        return plans

    def _plan(self, parent_type: GraphQLObjectType, name: str) -> Plan:
        plans = self._plans_of_schema()
        if plans is _NONE:
            return None
        key = (parent_type.name, name)
        found = plans.get(key, _NONE)
        if found is _NONE:
            found = plans[key] = plan(self.schema, parent_type, name)
        return found  # type: ignore[return-value]

    def _fields(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> Fields:
        selections = self._selections
        if selections is None:
            selections = self._selections = {}
        key = (parent_type.name, id(grouped_field_set))
        found = selections.get(key)
        if found is None:
            fields = [
                (name, details, self._plan(parent_type, details[0].node.name.value))
                for name, details in grouped_field_set.items()
            ]
            found = selections[key] = (grouped_field_set, fields)
        return found[1]

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's ``execute_fields``, with each field's plan found once
        per selection and plain leaves read in the loop (no path, no call)."""
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, details, how in self._fields(parent_type, grouped_field_set):
                if type(how) is LeafField:
                    try:
                        value: Any = how.read(source_value, how.attribute)
                        same = how.same
                        if type(value) is same and (same is not int or INT_MIN <= value <= INT_MAX):  # type: ignore[operator]
                            results[response_name] = value  # what the coercion would return
                            continue
                        if value is None:
                            if not how.non_null:
                                results[response_name] = None
                                continue
                        elif not isinstance(value, Exception):
                            coerced = how.leaf.coerce_output_value(value)
                            if coerced is not None and coerced is not Undefined:
                                results[response_name] = coerced
                                continue
                    except Exception:
                        pass  # graphql-core's way below reports it as it would
                field_path = Path(path, response_name, parent_type.name)
                if type(how) is MethodField:
                    result = self._call(
                        how, parent_type, source_value, details, field_path, position_context
                    )
                else:
                    result = super().execute_field(
                        parent_type, source_value, details, field_path, position_context
                    )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            awaited = await gather_with_cancel(*(results[field] for field in awaitable_fields))
            results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

    def complete_list_value(
        self,
        return_type: Any,
        field_details_list: Any,
        info: Any,
        path: Any,
        result: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's list completion, with a short way for a view's usual list:
        objects (a page of events, a goal's votes) whose type need not be checked,
        nothing streamed or deferred. Each item's fields are executed directly,
        instead of through five calls of value completion per item."""
        item_type = return_type.of_type
        object_type = item_type.of_type if type(item_type) is GraphQLNonNull else item_type
        if (
            type(object_type) is not GraphQLObjectType
            or object_type.is_type_of is not None
            or type(result) not in (list, tuple)
            or position_context is not None
            or self._plans_of_schema() is _NONE
            or not all(v is not None and not isinstance(v, Exception) for v in result)
            or any(self.is_awaitable(v) for v in result)
            or self.get_stream_usage(field_details_list, path) is not None
        ):
            return super().complete_list_value(
                return_type, field_details_list, info, path, result, position_context
            )
        grouped_field_set, defer_usages, _ = self.collect_subfields(object_type, field_details_list)
        if defer_usages:
            return super().complete_list_value(
                return_type, field_details_list, info, path, result, position_context
            )
        is_awaitable = self.is_awaitable
        completed: list[Any] = []
        awaitable_indices: list[int] = []
        for index, item in enumerate(result):
            item_path = path.add_key(index, None)
            try:
                value = self.execute_fields(object_type, item, item_path, grouped_field_set, None)
            except Exception as raw_error:  # raises again when the item is non-null
                self.handle_field_error(raw_error, item_type, field_details_list, item_path)
                value = None
            if is_awaitable(value):
                value = self._await_completed(value, item_type, field_details_list, item_path)
                awaitable_indices.append(index)
            completed.append(value)
        if not awaitable_indices:
            return completed

        async def get_completed() -> list[Any]:
            awaited = await gather_with_cancel(*(completed[i] for i in awaitable_indices))
            for index, value in zip(awaitable_indices, awaited, strict=True):
                completed[index] = value
            return completed

        return get_completed()

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        """One field outside ``execute_fields`` (a mutation's root fields, in turn)."""
        how = self._plan(parent_type, field_details_list[0].node.name.value)
        if isinstance(how, MethodField):
            return self._call(how, parent_type, source, field_details_list, path, position_context)
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
        try:
            result = method.call(source)
            object_type = method.object_type
            if (
                object_type is not None
                and result is not None
                and not isinstance(result, Exception)
                and not self.is_awaitable(result)
            ):
                # An object: complete_value would only unwrap the non-null and
                # execute the sub-selection, which needs no resolve info.
                completed = self.collect_and_execute_subfields(
                    object_type, field_details_list, path, result, position_context
                )
            else:
                info = self.build_resolve_info(
                    field_def, to_nodes(field_details_list), parent_type, path
                )
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
