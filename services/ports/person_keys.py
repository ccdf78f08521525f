"""Data keys of persons, kept outside every cluster's log (infra/person_keys.py)."""

from __future__ import annotations

from typing import Protocol


class PersonKeyUnavailable(Exception):
    """A key that should exist is missing or does not unwrap (a lost or changed
    wrapping key, a damaged directory): a fault for the operator, reported as
    INTERNAL with a correlation id, never shown as erased."""


class PersonKeyErased(Exception):
    """The key was destroyed by an erasure: nothing more may be written under it."""


class PersonKeys(Protocol):
    def for_writing(self, scope: str, owner: str) -> bytes:
        """The 32-byte key of ``owner`` in ``scope`` (a cluster), created on first
        use; raises PersonKeyErased if it was destroyed."""
        ...

    def for_reading(self, scope: str, owner: str) -> bytes | None:
        """The key, or None if an erasure destroyed it; raises
        PersonKeyUnavailable if it is missing for any other reason."""
        ...
