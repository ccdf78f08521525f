"""Request guards that run before GraphQL sees a request: the body size, and a
JSON body that is one operation.

- A body larger than ``max_body_bytes`` gets 413 before it is parsed: a
  Content-Length above the limit is refused unread, and a body sent without one
  (chunked) is refused as soon as the bytes read pass the limit.
- A POST of ``application/json`` must be one JSON object. Malformed JSON is 400
  (strawberry would answer plain text), a JSON array is 400 because batching is
  off (one operation per request), and any other JSON value is 400 too
  (strawberry would fail on it with a 500).

Each refusal has the body of a GraphQL error with a contract code, so clients
handle it like any other error. A client that asks for
``application/graphql-response+json`` (GraphQL over HTTP) gets that media type
and no ``data`` entry, as the spec has it for a request that never executed;
``application/json`` clients get ``"data": null`` as they always did.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

GRAPHQL_RESPONSE = "application/graphql-response+json"


def wants_graphql_response(accept: str) -> bool:
    """Whether an Accept header prefers ``application/graphql-response+json``
    to ``application/json`` (a tie goes to the newer type, as the spec's own
    clients send both); ``*/*``, no header or only ``application/json`` do not."""
    if GRAPHQL_RESPONSE not in accept.lower():
        return False
    weights = {GRAPHQL_RESPONSE: 0.0, "application/json": 0.0}
    for item in accept.lower().split(","):
        media_type, *parameters = (part.strip() for part in item.split(";"))
        if media_type in weights:
            weights[media_type] = max(weights[media_type], quality(parameters))
    return (
        weights[GRAPHQL_RESPONSE] > 0 and weights[GRAPHQL_RESPONSE] >= weights["application/json"]
    )


def quality(parameters: list[str]) -> float:
    """The q of an Accept item's parameters (1 when absent, 0 when malformed)."""
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip() == "q":
            try:
                return min(max(float(value), 0.0), 1.0)
            except ValueError:
                return 0.0
    return 1.0


def coded_response(
    status: int,
    code: str,
    message: str,
    *,
    accept: str = "",
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """A GraphQL-shaped error body with a contract code, in the media type the
    caller's Accept header asks for."""
    error = {"message": message, "extensions": {"code": code, **extensions}}
    if wants_graphql_response(accept):
        return JSONResponse(
            {"errors": [error]}, status_code=status, headers=headers, media_type=GRAPHQL_RESPONSE
        )
    return JSONResponse({"data": None, "errors": [error]}, status_code=status, headers=headers)


class BodyTooLarge(Exception):
    """The body read so far passed the limit."""


class RequestGuardMiddleware:
    """Reads (and bounds) an HTTP request body, checks a JSON one, then replays it."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, graphql_path: str = "/graphql") -> None:
        self.app, self.max_body_bytes, self.graphql_path = app, max_body_bytes, graphql_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if self._declared_size(headers) > self.max_body_bytes:
            await self._too_large(headers, scope, receive, send)
            return
        try:
            body = await self._read(receive)
        except BodyTooLarge:
            await self._too_large(headers, scope, receive, send)
            return
        refusal = self._check_json(scope, headers, body)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, replay(body, receive), send)

    @staticmethod
    def _declared_size(headers: dict[bytes, bytes]) -> int:
        try:
            return int(headers.get(b"content-length", b"0"))
        except ValueError:
            return 0  # a malformed Content-Length: the server rejects it, or the read bounds it

    async def _read(self, receive: Receive) -> bytes:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _too_large(
        self, headers: dict[bytes, bytes], scope: Scope, receive: Receive, send: Send
    ) -> None:
        message = f"the request body is larger than {self.max_body_bytes} bytes"
        refusal = coded_response(413, "BAD_USER_INPUT", message, accept=accept_of(headers))
        await refusal(scope, receive, send)

    def _check_json(
        self, scope: Scope, headers: dict[bytes, bytes], body: bytes
    ) -> JSONResponse | None:
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        if scope.get("path", "").rstrip("/") != self.graphql_path or "json" not in content_type:
            return None
        try:
            parsed = decode_json(body)
        except (ValueError, UnicodeDecodeError):
            problem: tuple[str, dict[str, Any]] | None = ("the request body is not valid JSON", {})
        else:
            problem = shape_problem(parsed)
        if problem is None:
            return None
        message, extensions = problem
        return coded_response(
            400, "BAD_USER_INPUT", message, accept=accept_of(headers), **extensions
        )


def decode_json(data: str | bytes) -> Any:
    """JSON by orjson (a tenth of the json module's time for a request body);
    what it refuses (an integer beyond 64 bits, NaN, UTF-16) is decided by the
    json module as before, which raises ValueError for what is not JSON."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


def accept_of(headers: dict[bytes, bytes]) -> str:
    return headers.get(b"accept", b"").decode("latin-1")


# The members of a GraphQL-over-HTTP request and the JSON types they may have.
SHAPE = {"query": (str,), "operationName": (str,), "variables": (dict,), "extensions": (dict,)}


def shape_problem(parsed: object) -> tuple[str, dict[str, Any]] | None:
    """What is wrong with a JSON body as one GraphQL request, and the member at
    fault (strawberry would answer plain text, or fail with a 500)."""
    if isinstance(parsed, list):
        return "batched requests are not supported: send one operation per request", {}
    if not isinstance(parsed, dict):
        return "the request body must be a JSON object", {}
    for member, types in SHAPE.items():
        value = parsed.get(member)
        if value is not None and not isinstance(value, types):
            kind = "a string" if types == (str,) else "an object"
            return f"{member} must be {kind} or null", {"field": member}
    if not isinstance(parsed.get("query"), str):
        return "no GraphQL query in the request", {"field": "query"}
    return None


def replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body already read, then waits as usual."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
