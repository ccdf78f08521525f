"""The FastAPI application: GraphQL at /graphql, the public keys, health."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

import orjson
from cross_web import HTTPException as GraphQLHTTPException
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.fastapi import GraphQLRouter
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType

from domain.errors import Unauthenticated
from graphql_api.context import Context, Services
from graphql_api.schema import build_schema
from infra.bootstrap import Container
from infra.limits import RequestGuardMiddleware
from infra.live import PostgresListener
from infra.oidc.flow import SignOn
from infra.oidc.routes import (
    auth_router,
    cookie_principal,
    session_in_force,
    socket_session,
)
from infra.rate_limit import RateLimitMiddleware, TokenBuckets
from infra.tokens import VERIFIED_TOKEN, TokenService
from infra.web import GRAPHIQL_HTML, ContentSecurityPolicyMiddleware, mount_static
from services.principal import Principal
from services.request import set_request_id

REQUEST_THREAD_PREFIX = "clusterwork-request"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class TextFrameWebSocketAdapter(ASGIWebSocketAdapter):
    """graphql-transport-ws messages are JSON text: standard clients (graphql-ws,
    Apollo, gql, browsers) drop or misread binary frames. The router's one
    encoder gives bytes (orjson); the socket sends them as a text frame."""

    async def send_json(self, message: Any) -> None:
        encoded = self.view.encode_json(message)
        text = encoded.decode() if isinstance(encoded, bytes) else encoded
        try:
            await self.ws.send_text(text)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class ThreadedGraphQLRouter(GraphQLRouter[Context, None]):
    """Runs each operation's (synchronous, database-bound) resolvers in a
    worker thread of the loop's pool (sized in ``create_app``'s lifespan), so
    one slow query never blocks the event loop."""

    websocket_adapter_class = TextFrameWebSocketAdapter  # type: ignore[assignment]

    def __init__(self, *args: Any, tokens: TokenService, sign_on: SignOn, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tokens = tokens
        self.sign_on = sign_on

    async def execute_single(  # type: ignore[override]
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: Any,
        request_data: Any,
    ) -> ExecutionResult:
        allowed = OperationType.from_http(request_adapter.method)
        try:
            return await asyncio.to_thread(
                self.schema.execute_sync,
                request_data.query,
                variable_values=request_data.variables,
                context_value=context,
                root_value=root_value,
                operation_name=request_data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=request_data.extensions,
            )
        except CannotGetOperationTypeError as e:
            raise GraphQLHTTPException(400, e.as_http_error_reason()) from e
        except InvalidOperationTypeError as e:
            raise GraphQLHTTPException(400, e.as_http_error_reason(request_adapter.method)) from e
        except MissingQueryError as e:
            raise GraphQLHTTPException(400, "No GraphQL query found in the request") from e

    def encode_json(self, data: object) -> str | bytes:
        """The answer as JSON bytes by orjson: for a page of 100 events, encoding
        with the json module was a tenth of the request. Anything orjson refuses
        (an integer beyond 64 bits in event data) is encoded as before."""
        try:
            return orjson.dumps(data)
        except TypeError:  # orjson.JSONEncodeError is one
            return super().encode_json(data)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """graphql-transport-ws: the token comes in the connection_init payload;
        without one, the handshake's session cookie (a browser signed in by SSO).
        A bad or missing one is refused with 4403 (strawberry's rejection code).
        The connection keeps a check of that credential, which streams repeat."""
        params = context.connection_params or {}
        header = params.get("Authorization") or params.get("authorization")
        if isinstance(header, str) and header:
            principal, error = authenticate(header, self.tokens)
            if principal is None:
                raise ConnectionRejectionError({"message": str(error)})
            token = header.partition(" ")[2].strip()
            context.sign_in(principal, None, partial(token_in_force, self.tokens, token))
            return UNSET
        session = socket_session(context.request)
        principal = (
            await asyncio.to_thread(self.sign_on.session_principal, session) if session else None
        )
        if principal is None or session is None:
            raise ConnectionRejectionError({"message": "a token is required"})
        in_force = partial(session_in_force, self.sign_on, session, principal.person_id)
        context.sign_in(principal, None, in_force)
        return UNSET

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        """GraphiQL from the files this server ships (infra/web.py), not a CDN."""
        return HTMLResponse(GRAPHIQL_HTML)


class RequestIdMiddleware:
    """Gives every request a correlation id (client's X-Request-ID if sane)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        set_request_id(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        await self.app(scope, receive, send_with_id)


def authenticate(
    header: str | None, tokens: TokenService, state: dict[str, Any] | None = None
) -> tuple[Principal | None, Unauthenticated | None]:
    """The principal of an ``Authorization: Bearer`` header, or why there is none.
    ``state``: the request's ASGI state, where the rate limiter may have verified
    this very token already (infra/tokens.py, VERIFIED_TOKEN)."""
    if not header:
        return None, None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None, Unauthenticated("the Authorization header must be 'Bearer <token>'")
    verified = (state or {}).get(VERIFIED_TOKEN)
    if verified is not None and verified[0] == token.strip():
        return verified[1], None
    try:
        return tokens.verify(token.strip()), None
    except Unauthenticated as error:
        return None, error


def token_in_force(tokens: TokenService, token: str) -> None:
    """UNAUTHENTICATED once the token's ``exp`` has passed: an open stream asks
    this as it goes."""
    if time.time() >= tokens.expires_at(token):
        raise Unauthenticated("the token has expired")


def create_app(container: Container) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Operations (and every other hand-off to a thread) run in a pool sized for
        # the backend (Settings.request_pool_size); the loop shuts it down at exit.
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(container.settings.request_pool_size, REQUEST_THREAD_PREFIX)
        )
        # On PostgreSQL, writes through any process wake this process's subscribers.
        url = container.settings.database_url
        listener = PostgresListener(url, container.live.wake).start() if url else None
        yield
        if listener is not None:
            listener.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="Clusterwork",
        description="Workspace for regional pedagogical education clusters. GraphQL at /graphql.",
        version="0.1.0",
        # Swagger UI and ReDoc load from a CDN; GraphQL clients need no OpenAPI document.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    services = Services(
        registry=container.registry,
        queries=container.queries,
        audit=container.audit,
        projects=container.projects,
        goals=container.goals,
        mutual_control=container.mutual_control,
        live=container.live,
        identity=container.identity,
    )

    async def context_getter(request: HTTPConnection) -> Context:
        principal, error = authenticate(
            request.headers.get("authorization"), container.tokens, request.scope.get("state")
        )
        if principal is None and error is None:  # no Bearer header: the SSO session cookie
            principal = await cookie_principal(request, container.sign_on)
        request_id = request.scope.get("state", {}).get("request_id") or uuid.uuid4().hex
        return Context(services, principal, error, request_id)

    router = ThreadedGraphQLRouter(
        build_schema(introspection=container.settings.introspection),
        context_getter=context_getter,  # type: ignore[arg-type]
        graphql_ide="graphiql" if container.settings.graphiql else None,
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
        tokens=container.tokens,
        sign_on=container.sign_on,
    )
    app.include_router(router, prefix="/graphql")
    app.include_router(auth_router(container.sign_on))
    mount_static(app)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/.well-known/clusterwork-keys.json")
    def public_keys() -> dict[str, Any]:
        """The public keys (JWK set) that verify tokens and checkpoints."""
        return container.tokens.public_jwks()

    app.add_middleware(ContentSecurityPolicyMiddleware)
    # Outermost last: the request id first, then the rate limit, then the body guard.
    app.add_middleware(RequestGuardMiddleware, max_body_bytes=container.settings.max_body_bytes)
    app.add_middleware(RateLimitMiddleware, buckets=buckets(container), tokens=container.tokens)
    app.add_middleware(RequestIdMiddleware)
    return app


def buckets(container: Container) -> TokenBuckets | None:
    """The rate limiter's buckets; None when CLUSTERWORK_RATE_LIMIT is off."""
    settings = container.settings
    if not settings.rate_limit:
        return None
    return TokenBuckets(settings.rate_limit_per_second, settings.rate_limit_burst)
