"""Who is calling (a person, from the token) and as whom they act in a cluster."""

from __future__ import annotations

from dataclasses import dataclass

from domain.vocabulary import Role


@dataclass(frozen=True)
class Principal:
    """A signed-in person. ``operator`` persons may found clusters."""

    person_id: str
    name: str | None = None
    email: str | None = None
    operator: bool = False


@dataclass(frozen=True)
class Actor:
    """A principal acting as one member of one cluster."""

    cluster_id: str
    member_id: str
    subject_id: str | None
    subject_active: bool
    roles: frozenset[Role]
