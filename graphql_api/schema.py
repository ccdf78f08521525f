"""The schema: query, merged mutations, and the limits every request meets."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor
from functools import lru_cache, partial
from typing import Any

from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.schema import validate_document
from strawberry.tools import merge_types
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)
from graphql_api.compat.strawberry import ViewExecutionContext, graphql_core_schema
from graphql_api.cost import MAX_COST, cost_errors
from graphql_api.errors import CodedSchema
from graphql_api.mutations.audit import AuditMutation
from graphql_api.mutations.goals import GoalMutation
from graphql_api.mutations.identity import IdentityMutation
from graphql_api.mutations.mutual_control import MutualControlMutation
from graphql_api.mutations.privacy import PrivacyMutation
from graphql_api.mutations.projects import ProjectMutation
from graphql_api.mutations.registry import RegistryMutation
from graphql_api.queries import Query
from graphql_api.subscriptions import Subscription

# Deep enough for every operation in graphql/operations, shallow enough that
# Subject.members.subject.members… cannot fan out without bound.
MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5000

# The validation rules of strawberry's QueryDepthLimiter and MaxAliasesLimiter.
# Each limiter builds a new rule class when constructed, and an extension
# instance registered with the schema would be shared by concurrent requests:
# so the limiters are built once, here, only for their rules, which RequestLimits
# adds to every request. The very same rule classes every request also let
# ValidationCache find a document validated before.
LIMIT_RULES = (
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
)


# Clients send the same few documents over and over (graphql/operations):
# parsing and validating one cost about a quarter of a mutation's CPU, so each
# distinct text is parsed and validated once, as strawberry's ParserCache and
# ValidationCache do, in one extension. Validation is remembered by the text
# (with the rules and parse options), not by the parsed document, whose hash
# walks the whole tree on every lookup; so is the cost of a request without
# variables, which the text alone decides.
DOCUMENTS_MAX = 256
cached_parse = lru_cache(maxsize=DOCUMENTS_MAX)(parse)
ParseOptions = tuple[tuple[str, Any], ...]


@lru_cache(maxsize=DOCUMENTS_MAX)
def validation_errors(
    schema: GraphQLSchema, query: str, rules: tuple[Any, ...], options: ParseOptions
) -> list[GraphQLError]:
    return validate_document(schema, cached_parse(query, **dict(options)), rules)


@lru_cache(maxsize=DOCUMENTS_MAX)
def cost_without_variables(
    schema: GraphQLSchema, query: str, options: ParseOptions
) -> list[GraphQLError]:
    return cost_errors(schema, cached_parse(query, **dict(options)), {}, MAX_COST)


class RequestLimits(SchemaExtension):
    """The document caches and the depth, alias, token and cost limits in one
    extension, in one hook. strawberry wraps and enters each hook an extension
    defines on every request (a context manager made for it each time), which
    cost more than the caches' and the limits' own work; so ``on_operation``
    does all of it before strawberry's parsing and validation steps, which then
    find the document parsed and its errors known (``graphql_document`` and
    ``pre_execution_errors`` set, as strawberry's own steps leave them) and do
    nothing more. A text that does not parse is left to strawberry's parsing
    step, which reports why. The depth and alias rules are the very same
    classes every request, so a text's validation is cached with them. The
    cost limit reads this request's variables, so it runs on every request that
    has any, over a document the cached validation found valid."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = MAX_TOKENS
        context.validation_rules = (*context.validation_rules, *LIMIT_RULES)
        query = context.query
        if query and context.graphql_document is None:
            document = parsed_or_none(query)
            if document is not None:
                context.graphql_document = document
                context.pre_execution_errors = self.errors(query, document)
        yield

    def errors(self, query: str, document: DocumentNode) -> list[GraphQLError]:
        context = self.execution_context
        schema = graphql_core_schema(context.schema)
        options = tuple(context.parse_options.items())
        errors = validation_errors(schema, query, context.validation_rules, options)
        if not errors:
            if context.variables:
                errors = cost_errors(schema, document, context.variables, MAX_COST)
            else:
                errors = cost_without_variables(schema, query, options)
        # A copy: the cached lists are shared by every request of this text.
        return list(errors)


# What one answer can carry; a subscription's stream is served over WebSocket.
SINGLE_RESULT = frozenset({OperationType.QUERY, OperationType.MUTATION})


# The fields answered from the request alone (the token's principal), by type,
# with the type of their value when it is an object; ``__typename`` is answered
# from the schema on every type. tests/graphql_api/test_operations_on_the_loop.py
# runs them with services that fail on any use.
FROM_THE_REQUEST: dict[str, dict[str, str | None]] = {
    "Query": {"viewer": "Viewer"},
    "Viewer": {"id": None},
}
ROOT_TYPES = {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}


def parsed_or_none(query: str) -> DocumentNode | None:
    """``query`` parsed as ``RequestLimits`` parses it, through the same cache (a
    new text is parsed once); None when it does not parse (a worker thread then
    reports why, as for any other)."""
    try:
        return cached_parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return None


@lru_cache(maxsize=DOCUMENTS_MAX)
def reads_nothing(query: str) -> bool:
    """Whether every operation in ``query`` selects only ``__typename`` and the
    fields of ``FROM_THE_REQUEST`` (a client's liveness or token check, who it
    is signed in as): no resolver reads the database. A text that does not
    parse is not one."""
    document = parsed_or_none(query)
    return document is not None and all(
        isinstance(definition, OperationDefinitionNode)
        and selects_from_the_request(
            definition.selection_set, ROOT_TYPES[definition.operation.value]
        )
        for definition in document.definitions
    )


@lru_cache(maxsize=DOCUMENTS_MAX)
def only_queries(query: str) -> bool:
    """Whether every operation in ``query`` is a query, which writes nothing
    (ThreadedSchema runs it among the reads). A text that does not parse is not
    one."""
    document = parsed_or_none(query)
    return document is not None and all(
        definition.operation.value == "query"
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    )


def selects_from_the_request(selection_set: SelectionSetNode, type_name: str) -> bool:
    fields = FROM_THE_REQUEST.get(type_name, {})
    for selection in selection_set.selections:
        if not isinstance(selection, FieldNode):
            return False  # fragments: a worker thread, as for anything unusual
        name = selection.name.value
        if name == "__typename":
            continue
        if name not in fields:
            return False
        value_type = fields[name]
        if selection.selection_set is not None and (
            value_type is None or not selects_from_the_request(selection.selection_set, value_type)
        ):
            return False
    return True


class ThreadedSchema(CodedSchema):
    """Resolvers are synchronous and database-bound: the async entry point
    (strawberry's HTTP view calls it) runs each operation in a worker thread, so
    one slow query never blocks the event loop: a query in ``read_executor`` (the
    app sets it: CLUSTERWORK_READ_THREADS), anything else in the loop's default
    pool (CLUSTERWORK_REQUEST_THREADS). A query spends most of its time on the
    CPU, and every thread beyond the CPUs that runs one only makes each dearer
    (the threads hand the interpreter to each other); a mutation waits (its
    group's commit, the database), so more threads keep the CPU busy. An
    operation that reads nothing (``reads_nothing``) runs on the loop: handing
    it to a thread and back cost more CPU than the operation itself. A
    subscription sent here is refused (InvalidOperationTypeError, which the view
    answers with a coded 400) instead of being run as a query that fails."""

    read_executor: Executor | None = None  # None: queries go to the default pool too

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        run = partial(
            self.execute_sync,
            query,
            variable_values=variable_values,
            context_value=context_value,
            root_value=root_value,
            operation_name=operation_name,
            allowed_operation_types=SINGLE_RESULT.intersection(
                SINGLE_RESULT if allowed_operation_types is None else allowed_operation_types
            ),
            operation_extensions=operation_extensions,
        )
        if query is not None and reads_nothing(query):
            return run()
        executor = self.read_executor if query is not None and only_queries(query) else None
        context = contextvars.copy_context()  # the request's, as asyncio.to_thread passes it
        return await asyncio.get_running_loop().run_in_executor(executor, context.run, run)


Mutation = merge_types(
    "Mutation",
    (
        RegistryMutation,
        AuditMutation,
        GoalMutation,
        ProjectMutation,
        MutualControlMutation,
        IdentityMutation,
        PrivacyMutation,
    ),
)


def build_schema(introspection: bool = True) -> ThreadedSchema:
    """The schema; production may switch introspection off (CLUSTERWORK_INTROSPECTION)."""
    return ThreadedSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        execution_context_class=ViewExecutionContext,
        # Factories, not instances: strawberry shares an instance between
        # concurrent requests (its execution_context gets overwritten).
        extensions=[
            *([] if introspection else [DisableIntrospection]),
            RequestLimits,
        ],
    )


def schema_sdl() -> str:
    return build_schema().as_str() + "\n"
