"""The FastAPI application: GraphQL at /graphql, the public keys, health."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, overload

import orjson
from cross_web import HTTPException as GraphQLHTTPException
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.telemetry import TelemetryConfig
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType

from domain.errors import Unauthenticated
from graphql_api.context import Context
from graphql_api.schema import ThreadedSchema, build_schema
from graphql_api.services import Services
from infra.bootstrap import Container
from infra.limits import (
    GRAPHQL_RESPONSE,
    RequestGuardMiddleware,
    coded_response,
    decode_json,
    wants_graphql_response,
)
from infra.live import PostgresListener
from infra.oidc.flow import SignOn
from infra.oidc.routes import (
    auth_router,
    cookie_principal,
    session_in_force,
    socket_session,
)
from infra.personal_routes import personal_data_router
from infra.rate_limit import RateLimitMiddleware, TokenBuckets
from infra.settings import Settings
from infra.tokens import VERIFIED_TOKEN, TokenService
from infra.version import release
from infra.web import GRAPHIQL_HTML, ContentSecurityPolicyMiddleware, mount_static
from services.principal import Principal
from services.request import new_request_id, set_request_id

REQUEST_THREAD_PREFIX = "clusterwork-request"
READ_THREAD_PREFIX = "clusterwork-read"
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


class RequestError(Exception):
    """A request that never executed (its document failed to parse or validate,
    or its variables to coerce), answered to a client that asked for
    application/graphql-response+json: 400 and no ``data`` entry."""

    def __init__(self, answer: GraphQLHTTPResponse) -> None:
        super().__init__(answer)
        self.answer = answer


def never_executed(result: ExecutionResult) -> bool:
    """graphql-core reports parse, validation and variable-coercion failures
    with no data and errors without a path; every error of execution has one."""
    errors = result.errors or []
    return result.data is None and bool(errors) and all(e.path is None for e in errors)


class GraphQLEndpoint(GraphQL[Context, None]):
    """/graphql over HTTP and WebSocket: strawberry's ASGI view, routed to directly
    (Starlette's documented way), so a request meets no FastAPI dependency solving
    on its way (that was a tenth of a trivial operation's CPU). Its schema
    (graphql_api.schema.ThreadedSchema) runs each operation that reads data in a
    worker thread of the loop's pool (sized in ``create_app``'s lifespan). GraphQL
    over HTTP: a client that asks for application/graphql-response+json gets that
    media type and the spec's status codes; application/json clients get 200 for
    anything that reached GraphQL, as always; every refusal is a JSON body with a
    coded error."""

    websocket_adapter_class = TextFrameWebSocketAdapter  # type: ignore[assignment]

    def __init__(
        self, *args: Any, services: Services, tokens: TokenService, sign_on: SignOn, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.services = services
        self.tokens = tokens
        self.sign_on = sign_on

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        """Who calls: the bearer token (verified once per request: the rate limiter
        may have done it already), else the single sign-on session cookie."""
        principal, error = authenticate(
            request.headers.get("authorization"), self.tokens, request.scope.get("state")
        )
        if principal is None and error is None:  # no Bearer header: the SSO session cookie
            principal = await cookie_principal(request, self.sign_on)
        request_id = request.scope.get("state", {}).get("request_id") or new_request_id()
        context = Context(self.services, principal, error, request_id)
        context.request = request
        if isinstance(response, Response):
            context.response = response
        return context

    @overload
    async def run(
        self, request: Request, context: Context = UNSET, root_value: None = UNSET
    ) -> Response: ...

    @overload
    async def run(
        self, request: WebSocket, context: Context = UNSET, root_value: None = UNSET
    ) -> WebSocket: ...

    async def run(
        self, request: Request | WebSocket, context: Context = UNSET, root_value: None = UNSET
    ) -> Response | WebSocket:
        try:
            response = await super().run(request, context, root_value)
        except RequestError as refused:
            return Response(
                self.encode_json(refused.answer),
                status_code=400,
                media_type=GRAPHQL_RESPONSE,
            )
        except GraphQLHTTPException as error:
            return refusal(request, error)
        if (
            isinstance(response, Response)
            and response.media_type == "application/json"
            and wants_graphql_response(request.headers.get("accept", ""))
        ):
            response.headers["content-type"] = GRAPHQL_RESPONSE
        return response

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        answer = await super().process_result(request, result)
        if never_executed(result) and wants_graphql_response(request.headers.get("accept", "")):
            answer.pop("data", None)
            raise RequestError(answer)
        return answer

    def decode_json(self, data: str | bytes) -> object:
        return decode_json(data)

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
            expires = self.tokens.expires_at(token)  # fixed for the token's life
            context.sign_in(principal, None, partial(token_in_force, expires))
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
        request_id = given if _REQUEST_ID.match(given) else new_request_id()
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


def token_in_force(expires: int) -> None:
    """UNAUTHENTICATED once the token's ``exp`` (Unix seconds) has passed: an
    open stream asks this as it goes."""
    if time.time() >= expires:
        raise Unauthenticated("the token has expired")


def refusal(request: HTTPConnection, error: GraphQLHTTPException) -> Response:
    """Strawberry's own refusals (no query, unsupported content type, bad
    variables in a query string, an operation the method may not run) as coded
    JSON errors rather than its plain text. A mutation over GET is 405 with
    ``Allow: POST``, as GraphQL over HTTP says."""
    status, message, headers = error.status_code, error.reason, None
    if status == 405:  # another method than GET or POST
        message, headers = f"Method Not Allowed: {message}", {"Allow": "GET, POST"}
    refused = error.__cause__
    if isinstance(refused, InvalidOperationTypeError):
        if refused.operation_type is OperationType.SUBSCRIPTION:
            message += ": subscribe over WebSocket (graphql-transport-ws) at /graphql"
        elif request.scope["method"] == "GET":
            status, headers = 405, {"Allow": "POST"}
    code = "NOT_FOUND" if status == 404 else "BAD_USER_INPUT"
    accept = request.headers.get("accept", "")
    return coded_response(status, code, message, accept=accept, headers=headers)


GRAPHQL_PATH = "/graphql"

# A middleware as it wraps the application inside it.
Wrap = Callable[[ASGIApp], ASGIApp]


class GraphQLFirst:
    """/graphql straight to strawberry's view; every other path (and the
    lifespan) to FastAPI's own stack: its error pages, exception handlers and
    routes. A GraphQL request has no use for that stack's six layers (FastAPI's
    telemetry, body limit, exception and exit-stack middlewares, the router),
    which cost a tenth of a trivial operation's CPU in process."""

    def __init__(self, graphql: ASGIApp, rest: ASGIApp) -> None:
        self.graphql, self.rest = graphql, rest

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan" and scope["path"] == GRAPHQL_PATH:
            await self.graphql(scope, receive, send)
        else:
            await self.rest(scope, receive, send)


class Clusterwork(FastAPI):
    """The application: ``around`` (outermost first) wraps everything, then
    ``GraphQLFirst`` sends /graphql to ``graphql`` and the rest through
    FastAPI's stack (``build_middleware_stack``, which Starlette calls once to
    build what serves every request)."""

    def __init__(self, *, graphql: ASGIApp, around: Sequence[Wrap], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.graphql, self.around = graphql, around

    def build_middleware_stack(self) -> ASGIApp:
        app: ASGIApp = GraphQLFirst(self.graphql, super().build_middleware_stack())
        for wrap in reversed(self.around):
            app = wrap(app)
        return app


# FastAPI's own OpenTelemetry, unless the operator turns it on (CLUSTERWORK_TELEMETRY):
# with it on, FastAPI asks the global providers on every request whether one is
# configured (about 3 % of a members read's CPU, more of a trivial request's).
NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def create_app(container: Container) -> Clusterwork:
    # A server rebuilds outdated read models of the clusters it opens (infra/rebuild.py).
    container.rebuilds.start(container.settings.rebuild_in_background)
    schema = build_schema(introspection=container.settings.introspection)
    endpoint = GraphQLEndpoint(
        schema,
        graphql_ide="graphiql" if container.settings.graphiql else None,
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
        services=container.services,
        tokens=container.tokens,
        sign_on=container.sign_on,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        reads = operation_threads(container.settings, schema)
        # On PostgreSQL, writes through any process wake this process's subscribers.
        url = container.settings.database_url
        listener = PostgresListener(url, container.live.wake).start() if url else None
        yield
        if listener is not None:
            listener.stop()
        schema.read_executor = None
        reads.shutdown()

    app = Clusterwork(
        graphql=endpoint,
        # Outermost first: the request id, then the rate limit, then the body guard.
        around=[
            RequestIdMiddleware,
            partial(RateLimitMiddleware, buckets=buckets(container), tokens=container.tokens),
            partial(RequestGuardMiddleware, max_body_bytes=container.settings.max_body_bytes),
            ContentSecurityPolicyMiddleware,
        ],
        lifespan=lifespan,
        telemetry=None if container.settings.telemetry else NO_TELEMETRY,
        title="Clusterwork",
        description="Workspace for regional pedagogical education clusters. GraphQL at /graphql.",
        version=release() or "unknown",
        # Swagger UI and ReDoc load from a CDN; GraphQL clients need no OpenAPI document.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    # GraphQLFirst answers /graphql itself; the routes stay so that FastAPI's
    # router redirects /graphql/ there, and serves the view when a proxy's root
    # path prefixes every path (uvicorn --root-path), as it did before.
    asgi_app: Any = endpoint
    app.router.add_route(GRAPHQL_PATH, asgi_app, include_in_schema=False)
    app.router.add_websocket_route(GRAPHQL_PATH, asgi_app)

    app.include_router(auth_router(container.sign_on))
    app.include_router(
        personal_data_router(
            container.personal_data,
            partial(authenticate, tokens=container.tokens),
            container.sign_on,
        )
    )
    mount_static(app)

    @app.get("/healthz")
    def healthz() -> dict[str, str | None]:
        """Liveness: the process answers, and which release it runs."""
        return {"status": "ok", "version": release()}

    @app.get("/.well-known/clusterwork-keys.json")
    def public_keys() -> dict[str, Any]:
        """The public keys (JWK set) that verify tokens and checkpoints."""
        return container.tokens.public_jwks()

    return app


def operation_threads(settings: Settings, schema: ThreadedSchema) -> ThreadPoolExecutor:
    """The running loop's threads for operations: queries in a pool of their own
    (Settings.read_pool_size), everything else handed to a thread (mutations
    among it) in the loop's default pool (Settings.request_pool_size), which the
    loop shuts down at exit; the caller shuts the queries' pool down."""
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(settings.request_pool_size, REQUEST_THREAD_PREFIX)
    )
    reads = ThreadPoolExecutor(settings.read_pool_size, READ_THREAD_PREFIX)
    schema.read_executor = reads
    return reads


def buckets(container: Container) -> TokenBuckets | None:
    """The rate limiter's buckets; None when CLUSTERWORK_RATE_LIMIT is off."""
    settings = container.settings
    if not settings.rate_limit:
        return None
    return TokenBuckets(settings.rate_limit_per_second, settings.rate_limit_burst)
