"""A static cost limit: refuses, before any resolver runs, an operation whose
estimated work is too large even though it is within the depth, alias and
token limits (e.g. 500 events, each with its actor's subject's members).

The estimate, from the document alone (plus the request's variables):
- every field costs 1 plus the cost of its selection;
- a field with a ``first`` argument multiplies its selection by that page size
  (a variable counts with its value, or as the maximum page when unknown), and
  the list directly below it (``EventPage.events``) is that page, not another guess;
- any other list multiplies its selection by ``LIST_GUESS``, a typical size
  (a cluster of 8 subjects; a subject of a few members), so that every
  operation in graphql/operations and a query at the depth limit stay well
  under the limit while fan-out through nested lists does not;
- a field in ``FIELD_COSTS`` costs what that table says instead of 1: its work
  does not show in the document (a person's export reads whole logs);
- introspection (``__schema``, ``__type``) is free: GraphiQL needs it and
  production can switch it off (CLUSTERWORK_INTROSPECTION).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    value_from_ast_untyped,
)

MAX_COST = 20_000
LIST_GUESS = 5
# A page size we cannot read (a variable without a value) counts as the largest page.
UNKNOWN_PAGE = 500
# Fields whose work the document does not show, by (type, field). A person's
# export reads every event of each of their clusters: counted as a quarter of
# the limit, so one operation holds at most three copies under aliases.
FIELD_COSTS: Mapping[tuple[str, str], int] = {("Viewer", "personalData"): MAX_COST // 4}


class CostEstimator:
    """Walks one operation's selections with the schema's types."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema, self.fragments, self.variables = schema, fragments, variables
        self.values: Mapping[str, Any] = variables

    def operation(self, node: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(node.operation)
        defaults = {
            d.variable.name.value: value_from_ast_untyped(d.default_value)
            for d in node.variable_definitions or ()
            if d.default_value is not None
        }
        self.values = {**defaults, **self.variables}
        return (
            self.selection(node.selection_set, root, paged=False, seen=frozenset()) if root else 0
        )

    def selection(
        self, selection_set: SelectionSetNode | None, parent: Any, paged: bool, seen: frozenset[str]
    ) -> int:
        if selection_set is None or not isinstance(parent, GraphQLObjectType):
            return 0
        return sum(self.field(f, parent, paged, seen) for f in self.fields(selection_set, seen))

    def fields(self, selection_set: SelectionSetNode, seen: frozenset[str]) -> Iterator[FieldNode]:
        """The fields of a selection, fragments flattened (a fragment cycle is
        another rule's error; ``seen`` only keeps this walk finite)."""
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                yield node
            elif isinstance(node, InlineFragmentNode):
                yield from self.fields(node.selection_set, seen)
            elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
                fragment = self.fragments.get(node.name.value)
                if fragment is not None:
                    yield from self.fields(fragment.selection_set, seen | {node.name.value})

    def field(
        self, node: FieldNode, parent: GraphQLObjectType, paged: bool, seen: frozenset[str]
    ) -> int:
        name = node.name.value
        definition = parent.fields.get(name)
        if name.startswith("__") or definition is None:
            return 0
        page = self.page_size(node) if "first" in definition.args else None
        child_type = get_named_type(definition.type)
        if page is not None:
            factor, child_paged = page, True
        elif is_list(definition.type) and not paged:
            factor, child_paged = LIST_GUESS, False
        else:
            factor, child_paged = 1, False
        own = FIELD_COSTS.get((parent.name, name), 1)
        return own + factor * self.selection(node.selection_set, child_type, child_paged, seen)

    def page_size(self, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return max(int(value.value), 0)
            if isinstance(value, VariableNode):
                given = self.values.get(value.name.value)
                return given if isinstance(given, int) and given >= 0 else UNKNOWN_PAGE
            return UNKNOWN_PAGE
        return 100  # the schema's default page


def is_list(type_: Any) -> bool:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def cost_errors(
    schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any], max_cost: int
) -> list[GraphQLError]:
    """One error for each operation of a valid document that costs more than
    ``max_cost`` with this request's variables."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    estimator = CostEstimator(schema, fragments, variables)
    errors = []
    for node in document.definitions:
        if not isinstance(node, OperationDefinitionNode):
            continue
        cost = estimator.operation(node)
        if cost > max_cost:
            errors.append(
                GraphQLError(
                    f"the query is too expensive (cost {cost}, limit {max_cost}): "
                    "ask for smaller pages or fewer nested lists",
                    node,
                )
            )
    return errors
