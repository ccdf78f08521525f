"""/auth/login/{cluster}/{provider}, /auth/callback and /auth/logout.

Browsers get small HTML pages; a client that asks for ``application/json``
gets JSON. The session cookie is HttpOnly and SameSite=Lax; GraphQL accepts it
besides the Bearer header. Cross-site requests cannot ride it: Lax withholds it
from cross-site POSTs, and /graphql takes only JSON bodies, which a foreign page
cannot send without a CORS preflight we never grant.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.requests import HTTPConnection

from infra.oidc import pages
from infra.oidc.flow import LoginRefused, SignedIn, SignOn
from services.principal import Principal

log = logging.getLogger(__name__)

SESSION_COOKIE = "cw_session"
# The callback URL carries the code: keep it out of caches and Referer headers.
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def auth_router(sign_on: SignOn) -> APIRouter:
    router = APIRouter(prefix="/auth", tags=["sign-in"])
    secure = sign_on.base_url.startswith("https://")

    @router.get("/login/{cluster_id}/{provider_id}")
    def login(cluster_id: str, provider_id: str, request: Request) -> Response:
        """Starts the login with one of the cluster's identity providers."""
        try:
            url = sign_on.start(cluster_id, provider_id)
        except LoginRefused as refused:
            return _refusal(request, refused)
        return RedirectResponse(url, status_code=302, headers=PRIVATE)

    @router.get("/callback")
    def callback(request: Request) -> Response:
        """Finishes a login: the identity provider sends the browser back here."""
        try:
            signed = sign_on.finish(dict(request.query_params))
        except LoginRefused as refused:
            return _refusal(request, refused)
        response = _signed_in(request, signed, sign_on.base_url)
        response.set_cookie(
            SESSION_COOKIE,
            signed.session,
            max_age=signed.expires_in,
            path="/",
            httponly=True,
            samesite="lax",
            secure=secure,
        )
        return response

    @router.get("/logout")
    def logout_page(request: Request) -> Response:
        """Signing out changes state, so only a POST does it (a link or prefetch must
        not): browsers get a page with the button, other clients a coded 405."""
        if wants_json(request):
            body = {
                "error": "method_not_allowed",
                "error_description": "sign out with POST /auth/logout",
            }
            return JSONResponse(body, status_code=405, headers={**PRIVATE, "Allow": "POST"})
        return HTMLResponse(pages.sign_out_page(sign_on.base_url), headers=PRIVATE)

    @router.post("/logout")
    def logout(request: Request) -> Response:
        """Ends the session of this browser's cookie, for every API process."""
        ended = sign_on.sessions.revoke(request.cookies.get(SESSION_COOKIE))
        response: Response = (
            JSONResponse({"signed_out": ended}, headers=PRIVATE)
            if wants_json(request)
            else HTMLResponse(pages.signed_out_page(ended), headers=PRIVATE)
        )
        response.delete_cookie(
            SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure
        )
        return response

    return router


async def cookie_principal(request: HTTPConnection, sign_on: SignOn) -> Principal | None:
    """The person of the request's live session cookie, if any. HTTP only: a
    WebSocket authenticates with the token in its connection_init payload."""
    value = request.cookies.get(SESSION_COOKIE)
    if not value or request.scope.get("type") != "http":
        return None
    return await asyncio.to_thread(sign_on.session_principal, value)


def _signed_in(request: Request, signed: SignedIn, base_url: str) -> Response:
    if wants_json(request):
        body = {
            "access_token": signed.access_token,
            "token_type": "Bearer",
            "expires_in": signed.expires_in,
        }
        return JSONResponse(body, headers=PRIVATE)
    page = pages.signed_in_page(
        signed.principal.name, signed.access_token, signed.expires_in, base_url
    )
    return HTMLResponse(page, headers=PRIVATE)


def _refusal(request: Request, refused: LoginRefused) -> Response:
    log.warning("sign-in refused (%d): %s", refused.status, refused.message)
    if wants_json(request):
        body = {"error": "login_refused", "error_description": refused.message}
        return JSONResponse(body, status_code=refused.status, headers=PRIVATE)
    return HTMLResponse(
        pages.refused_page(refused.status, refused.message), refused.status, headers=PRIVATE
    )
