"""Per-request context: who is calling and the services they reach."""

from __future__ import annotations

from collections.abc import Callable

from strawberry.fastapi import BaseContext

from domain.errors import Unauthenticated
from graphql_api.services import Services
from services.principal import Principal


class Context(BaseContext):
    def __init__(
        self,
        services: Services,
        principal: Principal | None,
        auth_error: Unauthenticated | None,
        request_id: str,
    ) -> None:
        super().__init__()
        self.services = services
        self._principal = principal
        self._auth_error = auth_error
        self.request_id = request_id
        # graphql-transport-ws: strawberry puts the connection_init payload here.
        self.connection_params: dict[str, object] | None = None
        self._in_force: Callable[[], None] | None = None

    def sign_in(
        self,
        principal: Principal | None,
        error: Unauthenticated | None,
        in_force: Callable[[], None] | None = None,
    ) -> None:
        """Authenticates a WebSocket connection. ``in_force`` raises UNAUTHENTICATED
        once the credential it was signed in with (token or session) has ended."""
        self._principal, self._auth_error = principal, error
        self._in_force = in_force

    def still_signed_in(self) -> Principal:
        """The caller, as long as the connection's credential is in force: a
        stream asks again as it goes (blocking; call it from a worker thread)."""
        principal = self.principal
        if self._in_force is not None:
            self._in_force()
        return principal

    @property
    def principal(self) -> Principal:
        """The caller; UNAUTHENTICATED (with the token's fault) when there is none."""
        if self._auth_error is not None:
            raise self._auth_error
        if self._principal is None:
            raise Unauthenticated("a valid workspace token is required (Authorization: Bearer …)")
        return self._principal
