"""The schema the code builds keeps the contract (shared/api/schema.graphql):
whatever the contract names and the code implements has the contract's type,
nothing is renamed, and what is not implemented yet is listed in PENDING under
the issue that adds it. An implemented PENDING item fails the test too, so the
list only shrinks: delete its line when your issue lands."""

from __future__ import annotations

from collections.abc import Iterator

from gql_harness import contract_path, contract_schema
from graphql.pyutils import Undefined
from graphql.utilities import value_from_ast_untyped
from graphql.utilities.print_schema import print_input_value

import graphql
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    parse_value,
)
from graphql_api.schema import build_schema

# Item names: "Type", "Type.field", "Type.field(argument)", "Enum.VALUE".
# A pending type covers its fields, arguments and values; a pending field its
# arguments. Delete an item's line when its issue lands (the tests say when).
PENDING: dict[int, set[str]] = {
    3: set(),  # totality of the goal: goals, votes, totality
    4: set(),  # orientation: projects, expected results, milestones
    5: set(),  # mutual control: norms, assessment rounds, assessments
    6: set(),  # audit: integrity, asOf, checkpoints, Event.hash
    7: set(),  # identity providers (OIDC)
    8: set(),  # live events over graphql-transport-ws
}


def pending_items() -> set[str]:
    return set().union(*PENDING.values())


def own_types(schema: GraphQLSchema) -> dict[str, GraphQLNamedType]:
    return {n: t for n, t in schema.type_map.items() if not n.startswith("__")}


NO_DEFAULT = object()
Members = dict[str, GraphQLField | GraphQLInputField]


def members(named: GraphQLNamedType) -> Members:
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
        return dict(named.fields)
    return {}


def contract_items(contract: GraphQLSchema, code: GraphQLSchema) -> Iterator[str]:
    """Every item the contract names, skipping the insides of pending types."""
    pending = pending_items()
    for name, named in own_types(contract).items():
        yield name
        if name in pending and name not in code.type_map:
            continue
        if isinstance(named, GraphQLEnumType):
            yield from (f"{name}.{value}" for value in named.values)
        for field_name, field in members(named).items():
            yield f"{name}.{field_name}"
            if lookup(code, f"{name}.{field_name}") is not None:
                yield from (f"{name}.{field_name}({a})" for a in getattr(field, "args", {}))


def lookup(schema: GraphQLSchema, item: str) -> object | None:
    """The type, field, argument or enum value an item names, or None."""
    type_name, _, rest = item.partition(".")
    named = schema.type_map.get(type_name)
    if named is None or not rest:
        return named
    field_name, _, argument = rest.rstrip(")").partition("(")
    if isinstance(named, GraphQLEnumType):
        return named.values.get(field_name)
    field = members(named).get(field_name)
    if field is None or not argument:
        return field
    return getattr(field, "args", {}).get(argument)


def typed(found: object) -> str | None:
    """The GraphQL type of a field, input field or argument (None for others)."""
    kind = getattr(found, "type", None)
    return None if kind is None else str(kind)


def unlisted_missing(contract: GraphQLSchema, code: GraphQLSchema) -> list[str]:
    """Contract items the code lacks that PENDING does not list."""
    missing = {i for i in contract_items(contract, code) if lookup(code, i) is None}
    return sorted(missing - pending_items())


def type_differences(contract: GraphQLSchema, code: GraphQLSchema) -> dict[str, tuple]:
    return {
        item: (typed(lookup(contract, item)), typed(lookup(code, item)))
        for item in contract_items(contract, code)
        if lookup(code, item) is not None
        and typed(lookup(contract, item)) != typed(lookup(code, item))
    }


def test_the_contract_is_read() -> None:
    assert {"Query", "Mutation", "Cluster", "Subject"} <= set(own_types(contract_schema()))


def test_every_contract_item_is_implemented_or_pending() -> None:
    unlisted = unlisted_missing(contract_schema(), build_schema()._schema)
    assert not unlisted, f"missing from the schema (renamed? or add to PENDING): {unlisted}"


def test_no_pending_item_is_implemented_already() -> None:
    code = build_schema()._schema
    done = sorted(i for i in pending_items() if lookup(code, i) is not None)
    assert not done, f"implemented now: delete from PENDING in {__name__}: {done}"


def test_every_pending_item_is_in_the_contract() -> None:
    contract = contract_schema()
    unknown = sorted(i for i in pending_items() if lookup(contract, i) is None)
    assert not unknown, f"PENDING names what the contract does not: {unknown}"


def test_implemented_items_have_the_contract_types() -> None:
    differ = type_differences(contract_schema(), build_schema()._schema)
    assert not differ, f"(contract type, code type) differ: {differ}"


def default_of(item: str, found: object) -> object:
    """The default value of an argument or input field as plain Python (NO_DEFAULT if none)."""
    if not isinstance(found, GraphQLArgument | GraphQLInputField):
        return NO_DEFAULT
    _, has_default, literal = print_input_value(item, found).partition(" = ")
    return value_from_ast_untyped(parse_value(literal)) if has_default else NO_DEFAULT


def default_differences(contract: GraphQLSchema, code: GraphQLSchema) -> dict[str, tuple]:
    """Defaults the contract declares that the code does not keep."""
    found = {}
    for item in contract_items(contract, code):
        theirs, ours = lookup(contract, item), lookup(code, item)
        expected = default_of(item, theirs)
        if ours is not None and expected is not NO_DEFAULT and expected != default_of(item, ours):
            found[item] = (expected, default_of(item, ours))
    return found


def test_defaults_the_contract_declares_are_kept() -> None:
    differ = default_differences(contract_schema(), build_schema()._schema)
    assert not differ, f"(contract default, code default) differ: {differ}"


def kind_of(named: GraphQLNamedType) -> str:
    """scalar, object, interface, union, enum or input (strawberry subclasses these)."""
    kinds = [GraphQLScalarType, GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType]
    kinds += [GraphQLEnumType, GraphQLInputObjectType]
    return next(k.__name__ for k in kinds if isinstance(named, k))


def test_kinds_of_types_match_the_contract() -> None:
    contract, code = contract_schema(), build_schema()._schema
    differ = {
        name: (kind_of(named), kind_of(code.type_map[name]))
        for name, named in own_types(contract).items()
        if name in code.type_map and kind_of(code.type_map[name]) != kind_of(named)
    }
    assert not differ, differ


def test_additions_to_contract_fields_are_optional() -> None:
    """The contract allows added arguments and input fields only when optional."""
    contract, code = contract_schema(), build_schema()._schema
    required = []
    for name, named in own_types(contract).items():
        ours = code.type_map.get(name)
        for field_name, field in members(ours).items() if ours else ():
            theirs = members(named).get(field_name)
            if theirs is None:
                required += [f"{name}.{field_name}"] if _required(field) else []
                continue
            added = set(getattr(field, "args", {})) - set(getattr(theirs, "args", {}))
            required += [f"{name}.{field_name}({a})" for a in added if _required(field.args[a])]
    assert not required, f"added but required (breaks contract clients): {required}"


def _required(value: object) -> bool:
    """A non-null argument or input field without a default (never an output field)."""
    if not isinstance(value, GraphQLArgument | GraphQLInputField):
        return False
    return isinstance(value.type, GraphQLNonNull) and value.default_value is Undefined


def test_the_check_catches_a_rename_and_a_changed_type() -> None:
    """The check itself, on a contract edited to differ from the code."""
    text = contract_path().read_text()
    edited = graphql.build_schema(
        text.replace(
            "  members: [Member!]!\n  identityProviders",
            "  people: [Member!]!\n  identityProviders",
        ).replace("  active: Boolean!", "  active: Boolean")
    )
    code = build_schema()._schema
    assert unlisted_missing(edited, code) == ["Cluster.people"]
    assert type_differences(edited, code) == {"Subject.active": ("Boolean", "Boolean!")}
    smaller_pages = graphql.build_schema(text.replace("first: Int = 100", "first: Int = 50"))
    assert default_differences(smaller_pages, code) == {"Cluster.events(first)": (50, 100)}
