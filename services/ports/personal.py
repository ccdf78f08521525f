"""What a person's own export reads from the shared directory."""

from __future__ import annotations

from typing import Protocol

from services.dto import MembershipInfo


class PersonRecords(Protocol):
    """The directory rows of one person: their entry, their sign-in identities
    and the member they are in each cluster."""

    def person(self, person_id: str) -> tuple[str | None, str | None] | None: ...

    def identities(self, person_id: str) -> list[tuple[str, str]]:
        """(issuer, subject) of every identity linked to the person."""
        ...

    def memberships(self, person_id: str) -> list[MembershipInfo]: ...
