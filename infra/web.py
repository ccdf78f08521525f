"""The browser pages' own assets and policy: GraphiQL from files this server
ships (infra/static), and a Content-Security-Policy on every HTML answer that
lets a page load and connect to nothing but the server's own origin."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PATH = "/static"

# A Host header we put into the policy: a name or address and a port, nothing else.
_HOST = re.compile(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")

GRAPHIQL_HTML = f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Clusterwork GraphiQL</title>
    <link rel="icon" href="{STATIC_PATH}/clusterwork/favicon.svg" type="image/svg+xml">
    <link rel="stylesheet" href="{STATIC_PATH}/graphiql/graphiql.min.css">
    <link rel="stylesheet" href="{STATIC_PATH}/graphiql/plugin-explorer.css">
    <link rel="stylesheet" href="{STATIC_PATH}/clusterwork/graphiql.css">
    <script src="{STATIC_PATH}/graphiql/react.production.min.js" defer></script>
    <script src="{STATIC_PATH}/graphiql/react-dom.production.min.js" defer></script>
    <script src="{STATIC_PATH}/graphiql/graphiql.min.js" defer></script>
    <script src="{STATIC_PATH}/graphiql/plugin-explorer.umd.js" defer></script>
    <script src="{STATIC_PATH}/clusterwork/graphiql.js" defer></script>
  </head>
  <body>
    <div id="graphiql">Loading…</div>
  </body>
</html>
"""


def content_security_policy(host: str | None) -> str:
    """Only this origin: scripts from its files, requests to itself (its WebSocket
    named outright, as some browsers do not count ws: as 'self'). Fonts and images
    may also be data: URIs, which GraphiQL's stylesheet embeds; styles may also be
    inline, because GraphiQL's dialogs add a <style> element for their scroll lock
    and its bundle offers no way to give that element a nonce."""
    connect = "'self'"
    if host and _HOST.match(host):
        connect += f" ws://{host} wss://{host}"
    return (
        "default-src 'self'; "
        "script-src 'self'; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; "
        "font-src 'self' data:; "
        f"connect-src {connect}; "
        "object-src 'none'; "
        "base-uri 'none'; "
        "form-action 'self'; "
        "frame-ancestors 'none'"
    )


class ContentSecurityPolicyMiddleware:
    """Adds the policy to every text/html answer (GraphiQL, the sign-in pages),
    so a page added later is covered without remembering to."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                content_type = dict(headers).get(b"content-type", b"")
                if content_type.startswith(b"text/html"):
                    host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
                    policy = content_security_policy(host).encode()
                    headers.append((b"content-security-policy", policy))
            await send(message)

        await self.app(scope, receive, send_with_policy)


def mount_static(app: FastAPI) -> None:
    """The vendored GraphiQL release and the pages' own scripts and styles."""
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="static")
