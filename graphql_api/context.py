"""Per-request context: who is calling and the services they reach."""

from __future__ import annotations

from dataclasses import dataclass

from strawberry.fastapi import BaseContext

from domain.errors import Unauthenticated
from services.audit.service import AuditService
from services.goals import GoalService
from services.identity import IdentityService
from services.mutual_control import MutualControlService
from services.ports import LiveEvents
from services.principal import Principal
from services.projects import ProjectService
from services.queries import ClusterQueries
from services.registry import RegistryService


@dataclass
class Services:
    """What resolvers may call; built once by the composition root."""

    registry: RegistryService
    queries: ClusterQueries
    audit: AuditService
    projects: ProjectService
    goals: GoalService
    mutual_control: MutualControlService
    live: LiveEvents
    identity: IdentityService


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

    def sign_in(self, principal: Principal | None, error: Unauthenticated | None) -> None:
        """Authenticates a WebSocket connection from its connection_init payload."""
        self._principal, self._auth_error = principal, error

    @property
    def principal(self) -> Principal:
        """The caller; UNAUTHENTICATED (with the token's fault) when there is none."""
        if self._auth_error is not None:
            raise self._auth_error
        if self._principal is None:
            raise Unauthenticated("a valid workspace token is required (Authorization: Bearer …)")
        return self._principal
