"""Integrity of the log and its signed checkpoints."""

from __future__ import annotations

from datetime import datetime

import strawberry

from services.dto import CheckpointInfo, IntegrityInfo


@strawberry.type(name="Checkpoint")
class CheckpointType:
    position: int
    head_hash: str
    signed_at: datetime
    jws: str = strawberry.field(
        description="Compact JWS (EdDSA) over {cluster, position, headHash, signedAt}."
    )

    @classmethod
    def from_dto(cls, dto: CheckpointInfo) -> CheckpointType:
        return cls(
            position=dto.position, head_hash=dto.head_hash, signed_at=dto.signed_at, jws=dto.jws
        )


@strawberry.type(name="Integrity")
class IntegrityType:
    head: int
    head_hash: str
    verified: bool = strawberry.field(description="The whole chain was recomputed and matches.")
    first_bad_position: int | None = strawberry.field(
        description="Position of the first event whose hash does not match; null when verified."
    )
    checkpoints: list[CheckpointType]

    @classmethod
    def from_dto(cls, dto: IntegrityInfo) -> IntegrityType:
        return cls(
            head=dto.head,
            head_hash=dto.head_hash,
            verified=dto.verified,
            first_bad_position=dto.first_bad_position,
            checkpoints=[CheckpointType.from_dto(c) for c in dto.checkpoints],
        )
