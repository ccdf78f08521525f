"""The schema: query, merged mutations, and the limits every request meets."""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.tools import merge_types

from graphql_api.errors import CodedErrors
from graphql_api.mutations.audit import AuditMutation
from graphql_api.mutations.registry import RegistryMutation
from graphql_api.queries import Query

# Deep enough for every operation in graphql/operations, shallow enough that
# Subject.members.subject.members… cannot fan out without bound.
MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5000

Mutation = merge_types(
    "Mutation",
    (
        RegistryMutation,
        AuditMutation,
    ),
)


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        extensions=[
            QueryDepthLimiter(max_depth=MAX_DEPTH),
            MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
            MaxTokensLimiter(max_token_count=MAX_TOKENS),
            CodedErrors,
        ],
    )


def schema_sdl() -> str:
    return build_schema().as_str() + "\n"
