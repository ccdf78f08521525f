"""The answer to an erasure."""

from __future__ import annotations

import strawberry

from services.erasure import ErasureInfo


@strawberry.type(name="Erasure")
class ErasureType:
    person_id: strawberry.ID
    erasure_id: strawberry.ID = strawberry.field(
        description="The reference each cluster's PersonErased event carries."
    )
    cluster_ids: list[strawberry.ID] = strawberry.field(
        description="The clusters in which PersonErased was recorded."
    )

    @classmethod
    def from_dto(cls, dto: ErasureInfo) -> ErasureType:
        return cls(
            person_id=strawberry.ID(dto.person_id),
            erasure_id=strawberry.ID(dto.erasure_id),
            cluster_ids=[strawberry.ID(c) for c in dto.cluster_ids],
        )
