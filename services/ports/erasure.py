"""What an erasure changes outside the clusters' logs (infra/erasures.py)."""

from __future__ import annotations

from enum import Enum
from typing import Protocol

from services.dto import MembershipInfo


class PersonStatus(Enum):
    UNKNOWN = "unknown"
    PRESENT = "present"
    ERASED = "erased"


class ErasureStore(Protocol):
    def status(self, person_id: str) -> PersonStatus: ...

    def memberships(self, person_id: str) -> list[MembershipInfo]: ...

    def destroy_keys(self, cluster_id: str, member_ids: list[str]) -> None:
        """The member keys are gone; nothing more is sealed under them."""
        ...

    def scrub(self, cluster_id: str) -> None:
        """No earlier copy of the cluster's read-model rows is left in storage."""
        ...

    def finish(self, person_id: str, erasure_id: str, reason: str, erased_by: str) -> None:
        """In one directory transaction: the person's rows holding personal data
        (person, identities, sessions, memberships) deleted, the erasure recorded;
        from then on their tokens are refused."""
        ...
