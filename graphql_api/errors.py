"""Every error leaves with one of the contract's codes, mapped here only.

Domain errors keep their code and message. GraphQL's own validation errors
(unknown field, enum value outside the contract, wrong type) are the caller's
input: BAD_USER_INPUT. Anything else is a bug: the caller sees INTERNAL with a
correlation id, and only the log has the details.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from domain.errors import DomainError

log = logging.getLogger("clusterwork.errors")

CODES = frozenset(
    {"UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT", "CONFLICT", "RATE_LIMITED", "INTERNAL"}
)


def coded(error: GraphQLError, request_id: str) -> GraphQLError:
    original = error.original_error
    if isinstance(original, DomainError):
        extensions: dict[str, Any] = {"code": original.code}
        if original.field:
            extensions["field"] = original.field
        return _copy(error, original.message, extensions)
    if original is None:
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
        message, nodes=error.nodes, source=error.source, positions=error.positions,
        path=error.path, original_error=None, extensions=extensions,
    )


class CodedErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if errors:
            request_id = getattr(self.execution_context.context, "request_id", "-")
            result.errors = [coded(e, request_id) for e in errors]  # type: ignore[union-attr]
