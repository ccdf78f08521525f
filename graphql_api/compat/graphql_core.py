"""A cheaper way through the most common fields, inside graphql-core's executor.

Written against graphql-core 3.3.2 (requirements.lock). It overrides and calls
methods of graphql-core's ``Executor`` that its documentation marks
``:meta private:``; ``UPSTREAM`` lists each of them with the fingerprint of its
source as of that version, and tests/graphql_api/test_graphql_compat_upgrade.py fails
when one differs: re-read the upstream method, adapt ``PlannedFieldsExecution``
to it, then record the new fingerprint.

Why it exists (measured, 2026-12-06, against strawberry's and graphql-core's
own way for every field, i.e. ``execution_context_class`` left at strawberry's
default): ``python -m bench views --backend sqlite``, two runs each way,
alternated: ``goal.totality`` p50 3.1-3.2 -> 9.1-9.5 ms (÷ raw SQL 2.37-2.45 ->
4.74-5.11, over its goal of 3), the events page ÷ raw SQL 1.74-2.11 -> 2.69-3.49.
The server's CPU per operation, in one process, both schemas interleaved (150
rounds, 50 subjects): ``goal.totality`` 1.86 -> 3.44 ms (SQLite) and 2.88 -> 4.49
ms (PostgreSQL), an events page of 100 2.83 -> 6.06 and 3.55 -> 6.85 ms;
``mutualControl`` and ``{ viewer { id } }`` within 5 %.

graphql-core resolves every field the same way: a resolve-info tuple of 15
values, the argument values, the resolver, then value completion through the
non-null, list and leaf cases. For a view's answer, most fields (ids, names,
positions, choices) are attributes with no resolver, no arguments and a leaf
type, and that machinery costs more than the rest of the request. A field the
subclass plans as a ``LeafField`` (or a ``LeafListField``: a list of non-null
leaves, such as a member's roles) is read and coerced here directly; anything
else, or anything unusual about the value (null where the type forbids it, a
value that does not coerce, an error), takes graphql-core's own way, which then
reports it exactly as before. A ``MethodField`` (a resolver method that takes
only its object) is called directly; graphql-core completes and reports its
result as usual.

The loop over an object's fields is graphql-core's ``execute_fields`` with the
plan of each field looked up once per selection (not once per field and item),
and a plain leaf read in the loop itself: a list of 100 events, 13 fields each,
no longer costs 1,300 calls through ``execute_field`` and as many response
paths, which graphql-core builds only for its error messages (a field that takes
the general way still gets its path). A method whose value is an object
completes it directly, without the resolve-info tuple graphql-core builds for
value completion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql.execution.incremental import IncrementalExecutor
from graphql.pyutils import Path, gather_with_cancel

from graphql import (
    GraphQLBoolean,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    Undefined,
    is_leaf_type,
)

VERSION = "3.3.2"

# What this module overrides or calls.
UPSTREAM: dict[str, Any] = {
    f"IncrementalExecutor.{name}": getattr(IncrementalExecutor, name)
    for name in (
        "execute_fields",  # overridden: a copy with the planned fields
        "execute_field",  # overridden
        "complete_list_value",  # overridden
        "collect_subfields",
        "get_stream_usage",
        "handle_field_error",
        "complete_value",
        "complete_awaitable_value",
        "collect_and_execute_subfields",
        "settle_in_background",
    )
} | {
    # A leaf whose value these return unchanged is not coerced.
    f"{scalar.name}.coerce_output_value": scalar.coerce_output_value
    for scalar in (GraphQLString, GraphQLID, GraphQLBoolean, GraphQLInt)
}

# The fingerprint (graphql_api.compat.fingerprint) of each of UPSTREAM in VERSION.
FINGERPRINTS = {
    "IncrementalExecutor.execute_fields": "797f54fbd779b4e3",
    "IncrementalExecutor.execute_field": "5281dc836ecc24a0",
    "IncrementalExecutor.complete_list_value": "3ee91ce2f0fa9b62",
    "IncrementalExecutor.collect_subfields": "53924d281ad7f699",
    "IncrementalExecutor.get_stream_usage": "4db3c68d5a439b81",
    "IncrementalExecutor.handle_field_error": "d33a6ee408cd1695",
    "IncrementalExecutor.complete_value": "06c34f7681a13120",
    "IncrementalExecutor.complete_awaitable_value": "9a67e9f91f0aac5c",
    "IncrementalExecutor.collect_and_execute_subfields": "98432d93fb1b2526",
    "IncrementalExecutor.settle_in_background": "da2b2c7303b6fa2d",
    "String.coerce_output_value": "99f9fa4073226501",
    "ID.coerce_output_value": "367285ae52fbedf8",
    "Boolean.coerce_output_value": "cd3050e868555bc3",
    "Int.coerce_output_value": "8af8f6f541b53b36",
}


@dataclass(frozen=True)
class MethodField:
    """A synchronous resolver method of its object only; ``object_type`` when
    its value is one object (completed directly unless it checks ``is_type_of``)."""

    call: Any  # (source) -> value
    object_type: GraphQLObjectType | None = None


@dataclass(frozen=True)
class LeafField:
    """How to read one plain leaf field: the resolver the schema would use on
    the attribute, and the type that coerces the value."""

    read: Any  # (source, attribute name) -> value
    attribute: str
    leaf: GraphQLLeafType
    non_null: bool
    # (value) -> coerced: the leaf's coercion, or one that gives the same answers
    # for less (an enum's names looked up: graphql_api.compat.strawberry).
    coerce: Any
    # The Python type whose values the leaf's coercion returns unchanged (a str for
    # String and ID, a bool for Boolean, a 32-bit int for Int), so not called.
    same: type | None = None


@dataclass(frozen=True)
class LeafListField:
    """How to read a plain list of non-null leaves (a member's roles): as a
    ``LeafField``, each item coerced by ``coerce``."""

    read: Any  # (source, attribute name) -> value
    attribute: str
    leaf: GraphQLLeafType
    non_null: bool  # the list itself
    coerce: Any  # each item's, as LeafField's


# The built-in scalars' coercions and the values each returns as they are.
_UNCHANGED: dict[Any, type] = {
    GraphQLString.coerce_output_value: str,
    GraphQLID.coerce_output_value: str,
    GraphQLBoolean.coerce_output_value: bool,
    GraphQLInt.coerce_output_value: int,
}
INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # GraphQL's Int (its coercion checks the same)


Plan = LeafField | LeafListField | MethodField | None


def leaf_field(
    read: Any, attribute: str, type_: GraphQLOutputType
) -> LeafField | LeafListField | None:
    """The plan of an attribute read by ``read``, when its type is a leaf or a
    list of non-null leaves."""
    non_null = isinstance(type_, GraphQLNonNull)
    leaf = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(leaf, GraphQLList):
        item = leaf.of_type
        if isinstance(item, GraphQLNonNull) and is_leaf_type(item.of_type):
            return LeafListField(
                read, attribute, item.of_type, non_null, item.of_type.coerce_output_value
            )
        return None
    if not is_leaf_type(leaf):
        return None
    same = _UNCHANGED.get(getattr(leaf, "coerce_output_value", None))
    return LeafField(read, attribute, leaf, non_null, leaf.coerce_output_value, same)  # type: ignore[arg-type, union-attr]


def method_field(call: Any, type_: GraphQLOutputType) -> MethodField:
    """The plan of a method of its object only, returning ``type_``."""
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(inner, GraphQLObjectType) and inner.is_type_of is None:
        return MethodField(call, inner)
    return MethodField(call)


# One selection's fields: (response name, field details, plan) in response order.
Fields = list[tuple[str, Any, Plan]]


def _leaves(how: LeafListField, source: Any) -> list[Any] | None:
    """The coerced items of a planned list of leaves, or None for graphql-core's
    own way (a null list, a null or uncoercible item: it reports them)."""
    try:
        value = how.read(source, how.attribute)
        if type(value) not in (list, tuple):
            return None
        coerce = how.coerce
        items = [coerce(item) for item in value]
    except Exception:
        return None
    if any(item is None or item is Undefined for item in items):  # a coercion gave nothing
        return None
    return items


class PlannedFieldsExecution(IncrementalExecutor):
    """graphql-core's executor, with the fields ``field_plan`` plans resolved
    directly. ``direct`` False (a middleware must see every field) leaves
    everything to graphql-core."""

    # This request's selections, by identity: graphql-core hands the same grouped
    # field set for every item of a list. The set itself is kept with its fields,
    # so that its id cannot be reused by another one during the request.
    _selections: dict[tuple[str, int], tuple[Any, Fields]] | None = None

    @property
    def direct(self) -> bool:
        manager = self.middleware_manager
        return not (manager and manager.middlewares)

    def field_plan(self, parent_type: GraphQLObjectType, name: str) -> Plan:
        """How to resolve ``parent_type.name`` directly, or None."""
        return None

    def _fields(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> Fields:
        selections = self._selections
        if selections is None:
            selections = self._selections = {}
        key = (parent_type.name, id(grouped_field_set))
        found = selections.get(key)
        if found is None:
            fields = [
                (name, details, self.field_plan(parent_type, details[0].node.name.value))
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
                            coerced = how.coerce(value)
                            if coerced is not None and coerced is not Undefined:
                                results[response_name] = coerced
                                continue
                    except Exception:
                        pass  # graphql-core's way below reports it as it would
                elif type(how) is LeafListField:
                    items = _leaves(how, source_value)
                    if items is not None:
                        results[response_name] = items
                        continue
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
            or not self.direct
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
        how = self.field_plan(parent_type, field_details_list[0].node.name.value)
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
        the resolver's wrapping (which, for such a method, only calls it)."""
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
                nodes = [details.node for details in field_details_list]
                info = self.build_resolve_info(field_def, nodes, parent_type, path)
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
