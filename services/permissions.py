"""The permission table of docs/architecture.md ("Who may do what"), as data."""

from __future__ import annotations

from enum import Enum

from domain.errors import Forbidden
from domain.vocabulary import Role
from services.principal import Actor


class Permission(str, Enum):
    READ = "read the cluster's views and events"
    AUDIT = "use asOf, integrity and signCheckpoint"
    ADMINISTER = "administer subjects, members, roles, identity providers, norms, rounds and goals"
    PARTICIPATE = "act for a subject: interests, goals, votes, projects, assessments"


GRANTS: dict[Permission, frozenset[Role]] = {
    Permission.READ: frozenset({Role.COORDINATOR, Role.MEMBER, Role.AUDITOR}),
    Permission.AUDIT: frozenset({Role.COORDINATOR, Role.AUDITOR}),
    Permission.ADMINISTER: frozenset({Role.COORDINATOR}),
    Permission.PARTICIPATE: frozenset({Role.COORDINATOR, Role.MEMBER}),
}


def require(actor: Actor, permission: Permission) -> None:
    """Raises FORBIDDEN unless one of the actor's roles grants ``permission``.

    A member of a withdrawn subject keeps read access only: the subject left
    the cluster, so nobody acts for it any more.
    """
    if not actor.roles & GRANTS[permission]:
        roles = ", ".join(sorted(r.value for r in actor.roles)) or "no role"
        raise Forbidden(f"your roles ({roles}) do not allow you to {permission.value}")
    if permission is not Permission.READ and actor.subject_id and not actor.subject_active:
        raise Forbidden("your subject has been withdrawn from the cluster")


def require_own_subject(actor: Actor, subject_id: str) -> None:
    """Members act only for their own subject; coordinators for any."""
    if Role.COORDINATOR in actor.roles:
        return
    if actor.subject_id != subject_id:
        raise Forbidden("you may act only for your own subject")
