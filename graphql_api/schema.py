"""The schema: query, merged mutations, and the limits every request meets."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from typing import Any

import strawberry
from strawberry.extensions import DisableIntrospection, SchemaExtension
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.tools import merge_types
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from graphql_api.cost import MAX_COST, cost_rule
from graphql_api.documents import DocumentCache, KnownDocuments
from graphql_api.errors import CodedSchema
from graphql_api.execution import ViewExecutionContext
from graphql_api.mutations.audit import AuditMutation
from graphql_api.mutations.goals import GoalMutation
from graphql_api.mutations.identity import IdentityMutation
from graphql_api.mutations.mutual_control import MutualControlMutation
from graphql_api.mutations.projects import ProjectMutation
from graphql_api.mutations.registry import RegistryMutation
from graphql_api.queries import Query
from graphql_api.subscriptions import Subscription

# Deep enough for every operation in graphql/operations, shallow enough that
# Subject.members.subject.members… cannot fan out without bound.
MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5000

# The rules of strawberry's QueryDepthLimiter and MaxAliasesLimiter, which build
# a new rule class in every instance's __init__ (and each request gets its own
# instance): built once, and the very same rules every request.
DEPTH_RULE = depth_rule(MAX_DEPTH, None, None)
ALIASES_RULE = aliases_rule(MAX_ALIASES)


class RequestLimits(SchemaExtension):
    """What QueryDepthLimiter, MaxAliasesLimiter, MaxTokensLimiter and the cost
    limit did as four extensions, in one: strawberry looks up and enters every
    extension's hooks on every request, which cost more than the limits' own work.
    The depth and alias rules, the token limit on parsing, and the cost rule over
    this request's variables, in that order."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = MAX_TOKENS
        cost = cost_rule(MAX_COST, context.variables or {})
        context.validation_rules = (*context.validation_rules, DEPTH_RULE, ALIASES_RULE, cost)
        yield


# What one answer can carry; a subscription's stream is served over WebSocket.
SINGLE_RESULT = frozenset({OperationType.QUERY, OperationType.MUTATION})


class ThreadedSchema(CodedSchema):
    """Resolvers are synchronous and database-bound: the async entry point
    (strawberry's HTTP view calls it) runs each operation in a worker thread of
    the loop's default pool, so one slow query never blocks the event loop. A
    subscription sent here is refused (InvalidOperationTypeError, which the view
    answers with a coded 400) instead of being run as a query that fails."""

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
        return await asyncio.to_thread(
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


Mutation = merge_types(
    "Mutation",
    (
        RegistryMutation,
        AuditMutation,
        GoalMutation,
        ProjectMutation,
        MutualControlMutation,
        IdentityMutation,
    ),
)


def build_schema(introspection: bool = True) -> strawberry.Schema:
    """The schema; production may switch introspection off (CLUSTERWORK_INTROSPECTION)."""
    known = KnownDocuments()  # this schema's parsed and validated documents
    return ThreadedSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        execution_context_class=ViewExecutionContext,
        # Factories, not instances: strawberry shares an instance between
        # concurrent requests (its execution_context gets overwritten).
        extensions=[
            RequestLimits,
            *([] if introspection else [DisableIntrospection]),
            # Last: it needs the parse options and validation rules set above.
            lambda: DocumentCache(known),
        ],
    )


def schema_sdl() -> str:
    return build_schema().as_str() + "\n"
