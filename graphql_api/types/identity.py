"""Identity providers as members see them (never their client secret)."""

from __future__ import annotations

import strawberry

from domain.errors import NotFound
from graphql_api.types.registry import SubjectType
from services.ports.identity import IdentityProviderInfo
from services.queries import ClusterScope


@strawberry.type(name="IdentityProvider")
class IdentityProviderType:
    id: strawberry.ID
    name: str
    issuer: str
    login_url: str = strawberry.field(
        description="Where a browser starts the SSO login with this provider."
    )
    _subject_id: strawberry.Private[str]
    _scope: strawberry.Private[ClusterScope]

    @strawberry.field
    def subject(self) -> SubjectType:
        found = self._scope.subject(self._subject_id)
        if found is None:  # subjects are withdrawn, never deleted: a broken read model
            raise NotFound(f"no subject {self._subject_id} in this cluster")
        return SubjectType.from_dto(found, self._scope)

    @classmethod
    def from_dto(cls, dto: IdentityProviderInfo, scope: ClusterScope) -> IdentityProviderType:
        return cls(
            id=strawberry.ID(dto.id),
            name=dto.name,
            issuer=dto.issuer,
            login_url=dto.login_url,
            _subject_id=dto.subject_id,
            _scope=scope,
        )
