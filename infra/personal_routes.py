"""``GET /me/personal-data``: the signed-in person's own export as a download.

The same document as ``viewer { personalData }``, for people and tools that
want a file rather than a GraphQL answer. Signed in as for /graphql: the bearer
token, else the single sign-on session cookie. It answers only the caller's own
data; there is no parameter that could name anyone else."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from domain.errors import DomainError, Unauthenticated
from infra.limits import coded_response
from infra.oidc.flow import SignOn
from infra.oidc.routes import cookie_principal
from services.personal_data import PersonalDataService
from services.principal import Principal

log = logging.getLogger("clusterwork.errors")

PATH = "/me/personal-data"
STATUS = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404, "CONFLICT": 409}

Authenticate = Callable[..., tuple[Principal | None, Unauthenticated | None]]


def personal_data_router(
    service: PersonalDataService, authenticate: Authenticate, sign_on: SignOn
) -> APIRouter:
    """``authenticate(header, state=…)``: the bearer check /graphql uses."""
    router = APIRouter()

    @router.get(PATH, include_in_schema=False)
    async def personal_data(request: Request) -> Response:
        principal, error = authenticate(
            request.headers.get("authorization"), state=request.scope.get("state")
        )
        if principal is None and error is None:
            principal = await cookie_principal(request, sign_on)
        if principal is None:
            refused = error or Unauthenticated(
                "a valid workspace token is required (Authorization: Bearer …)"
            )
            return coded_response(
                401, refused.code, refused.message, headers={"WWW-Authenticate": "Bearer"}
            )
        request_id = request.scope.get("state", {}).get("request_id") or "-"
        try:
            document = await asyncio.to_thread(service.of_caller, principal)
        except DomainError as refused:
            return coded_response(STATUS.get(refused.code, 400), refused.code, refused.message)
        except Exception:
            # Only the correlation id and the trace: never the caller's data.
            log.exception("internal error in request %s", request_id)
            return coded_response(
                500,
                "INTERNAL",
                f"internal error; quote correlation id {request_id} to the operator",
                correlationId=request_id,
            )
        return download(document)

    return router


def download(document: dict[str, Any]) -> Response:
    return Response(
        orjson.dumps(document, option=orjson.OPT_INDENT_2),
        media_type="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="clusterwork-personal-data.json"',
            # Personal data: no shared cache or browser history keeps a copy.
            "Cache-Control": "no-store",
        },
    )
