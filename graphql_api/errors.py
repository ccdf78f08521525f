"""Every error leaves with one of the contract's codes, mapped here only.

Domain errors keep their code and message. GraphQL's own validation errors
(unknown field, enum value outside the contract, wrong type) are the caller's
input: BAD_USER_INPUT. Anything else is a bug: the caller sees INTERNAL with a
correlation id, and only the log has the details.
"""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from strawberry.types import ExecutionContext

from domain.errors import DomainError
from graphql import GraphQLError

log = logging.getLogger("clusterwork.errors")

CODES = frozenset(
    {
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "NOT_FOUND",
        "BAD_USER_INPUT",
        "CONFLICT",
        "RATE_LIMITED",
        "INTERNAL",
    }
)


def coded(error: GraphQLError, request_id: str) -> GraphQLError:
    original = error.original_error
    if isinstance(original, DomainError):
        extensions: dict[str, Any] = {"code": original.code}
        if original.field:
            extensions["field"] = original.field
        return _copy(error, original.message, extensions)
    # A GraphQLError as the cause comes from coercing the caller's variables
    # (e.g. an enum value outside the contract): input, not a bug.
    if original is None or isinstance(original, GraphQLError):
        code = (error.extensions or {}).get("code")
        return _copy(error, error.message, {"code": code if code in CODES else "BAD_USER_INPUT"})
    log.error("internal error in request %s", request_id, exc_info=original)
    return _copy(
        error,
        f"internal error; quote correlation id {request_id} to the operator",
        {"code": "INTERNAL", "correlationId": request_id},
    )


def _copy(error: GraphQLError, message: str, extensions: dict[str, Any]) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


class CodedSchema(strawberry.Schema):
    """Codes errors where strawberry hands every error over, for queries,
    mutations and subscriptions alike; only INTERNAL ones are logged."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        context = getattr(execution_context, "context", None)
        request_id = getattr(context, "request_id", None) or "-"
        for error in errors:
            done = coded(error, request_id)
            error.message, error.extensions = done.message, done.extensions
            error.original_error = None
