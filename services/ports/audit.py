"""Signed checkpoints: where they are kept and who signs them."""

from __future__ import annotations

from typing import Any, Protocol

from services.dto import CheckpointInfo


class CheckpointStore(Protocol):
    """Signed checkpoints of one cluster's chain (kept beside the log, not in it)."""

    def add(self, checkpoint: CheckpointInfo) -> bool:
        """False when a checkpoint at that position exists already."""
        ...

    def all(self) -> list[CheckpointInfo]: ...

    def last(self) -> CheckpointInfo | None: ...


class CheckpointSigner(Protocol):
    def sign(self, claims: dict[str, Any]) -> str: ...

    def verify(self, jws: str) -> dict[str, Any] | None: ...
