"""What strawberry offers no public name for.

Written against strawberry-graphql 0.341.2 (requirements.lock). ``UPSTREAM``
lists every strawberry function whose behaviour this module relies on, with the
fingerprint of its source as of that version; tests/graphql_api/test_graphql_compat_upgrade.py
fails when one differs: re-read it, adapt this module, then record the new
fingerprint.

- ``graphql_core_schema``: the graphql-core schema behind a strawberry schema
  (``Schema._schema``), for the cost limit, which walks graphql-core's types.
- ``enum_coercion``: an enum's names looked up, where strawberry's enum type
  compares the value with each of the enum's values on every call (8 % of the
  CPU of a members read's operation thread, a member's roles being enums).
- ``ViewExecutionContext``: strawberry's execution context with the plain fields
  planned for graphql_api.compat.graphql_core's direct way (why, and the figure
  that keeps it, there). A plan reads what strawberry keeps about a field: its
  definition under the ``"strawberry-definition"`` extension key, whether its
  resolver is strawberry's default one, and the resolver's own function, which
  for a method of ``self`` only is what strawberry's wrapper would call.

Neither planned way applies when the schema has a middleware (an extension with
``resolve`` must see every field), exception handlers, or field extensions
(permissions).
"""

from __future__ import annotations

import dataclasses
import threading
import weakref
from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.resolvers import is_default_resolver
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import CustomGraphQLEnumType, GraphQLCoreConverter
from strawberry.types.field import StrawberryField
from strawberry.types.fields.resolver import StrawberryResolver

from graphql import GraphQLObjectType, GraphQLOutputType, GraphQLSchema
from graphql_api.compat.graphql_core import (
    MethodField,
    Plan,
    PlannedFieldsExecution,
    leaf_field,
    method_field,
)

VERSION = "0.341.2"

# Where strawberry keeps a field's own definition among graphql-core's extensions.
DEFINITION = GraphQLCoreConverter.DEFINITION_BACKREF

# What this module relies on.
UPSTREAM: dict[str, Any] = {
    # Sets Schema._schema and GraphQLSchema._strawberry_schema.
    "Schema.__init__": strawberry.Schema.__init__,
    # The base of ViewExecutionContext, whose resolve info it keeps.
    "StrawberryGraphQLCoreExecutionContext": StrawberryGraphQLCoreExecutionContext,
    # Puts the field's definition under DEFINITION.
    "GraphQLCoreConverter.from_field": GraphQLCoreConverter.from_field,
    # The resolver wrapper a planned field skips: for a field without resolver,
    # get_result; for a method of self only, the method itself.
    "GraphQLCoreConverter.from_resolver": GraphQLCoreConverter.from_resolver,
    "StrawberryField.get_result": StrawberryField.get_result,
    "is_default_resolver": is_default_resolver,
    # What enum_coercion looks up once per member.
    "CustomGraphQLEnumType.coerce_output_value": CustomGraphQLEnumType.coerce_output_value,
    **{
        f"StrawberryResolver.{name}": StrawberryResolver.__dict__[name]
        for name in (
            "__init__",
            "__call__",
            "is_async",
            "arguments",
            "self_parameter",
            "info_parameter",
            "root_parameter",
            "parent_parameter",
        )
    },
}

# The fingerprint (graphql_api.compat.fingerprint) of each of UPSTREAM in VERSION.
FINGERPRINTS = {
    "Schema.__init__": "75a129094ac8d236",
    "StrawberryGraphQLCoreExecutionContext": "61e417afeaa66527",
    "GraphQLCoreConverter.from_field": "44f633df9b4b4c31",
    "GraphQLCoreConverter.from_resolver": "bcac1354fecdee79",
    "StrawberryField.get_result": "1881f471e7299ddb",
    "is_default_resolver": "369f83ee6eeec7a3",
    "CustomGraphQLEnumType.coerce_output_value": "e4a086ff6db85ddb",
    "StrawberryResolver.__init__": "10d37fa9da06c5e6",
    "StrawberryResolver.__call__": "e86ac9383353bada",
    "StrawberryResolver.is_async": "f232d6fe745ea095",
    "StrawberryResolver.arguments": "d0ae6db6a79bc93a",
    "StrawberryResolver.self_parameter": "30a4b731b6958726",
    "StrawberryResolver.info_parameter": "14d350a32969ee2f",
    "StrawberryResolver.root_parameter": "9d8bb62170920bee",
    "StrawberryResolver.parent_parameter": "45ff48a094ac4a75",
}


def graphql_core_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """The graphql-core schema a strawberry schema executes with; strawberry's
    own ``ValidationCache`` reads it the same way."""
    found = schema._schema
    if not isinstance(found, GraphQLSchema):
        raise TypeError(f"strawberry.Schema._schema is {type(found).__name__}, not GraphQLSchema")
    return found


def strawberry_schema(schema: GraphQLSchema) -> strawberry.Schema | None:
    """The strawberry schema that built ``schema``, None for any other."""
    found = getattr(schema, "_strawberry_schema", None)
    return found if isinstance(found, strawberry.Schema) else None


_PLANS: weakref.WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], Plan]] = (
    weakref.WeakKeyDictionary()
)
_PLANS_LOCK = threading.Lock()
_UNPLANNED = object()
_NO_PLANS: dict[tuple[str, str], Plan] = {}  # with a middleware: nothing planned


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
    built_by = strawberry_schema(schema)
    if definition is None or definition.extensions or built_by is None:
        return None
    if built_by.exception_handlers:
        return None
    resolver = definition.base_resolver
    if resolver is not None:
        return _method(resolver, field_def.type)
    if not is_default_resolver(field_def.resolve):
        return None
    found = leaf_field(definition.default_resolver, definition.python_name, field_def.type)
    if found is not None and isinstance(found.leaf, CustomGraphQLEnumType):
        found = dataclasses.replace(found, coerce=enum_coercion(found.leaf))
    return found


def enum_coercion(leaf: CustomGraphQLEnumType) -> Callable[[Any], Any]:
    """``leaf.coerce_output_value``, with each member's name found once (by that
    same method) and looked up; any other value takes the method itself."""
    members: Any = leaf.wrapped_cls  # an Enum class
    general = leaf.coerce_output_value
    names: dict[Any, Any] = {}
    for member in members:
        try:
            names[member] = general(member)
        except Exception:  # not in the GraphQL enum: refused at each use, as before
            continue

    def coerce(value: Any) -> Any:
        if type(value) is members:
            name = names.get(value)
            if name is not None:
                return name
        return general(value)

    return coerce


def _method(resolver: Any, type_: GraphQLOutputType) -> MethodField | None:
    if resolver.is_async or resolver.arguments or not resolver.self_parameter:
        return None
    if resolver.info_parameter or resolver.root_parameter or resolver.parent_parameter:
        return None
    call = resolver.wrapped_func
    if not callable(call):
        return None
    return method_field(call, type_)


class ViewExecutionContext(PlannedFieldsExecution, StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context, with plain fields resolved directly."""

    _plans: dict[tuple[str, str], Plan] | None = None

    def field_plan(self, parent_type: GraphQLObjectType, name: str) -> Plan:
        plans = self._plans
        if plans is None:
            plans = self._plans = plans_of(self.schema) if self.direct else _NO_PLANS
        if plans is _NO_PLANS:
            return None
        key = (parent_type.name, name)
        found = plans.get(key, _UNPLANNED)
        if found is _UNPLANNED:
            found = plans[key] = plan(self.schema, parent_type, name)
        return found  # type: ignore[return-value]
