"""Identity providers and sign-in: the read model's ports, what sign-in needs
from the outside world (infra/secrets.py, infra/oidc/), and the plain values
they exchange."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import Protocol

from eventsourcing.persistence import Tracking, TrackingRecorder

from domain.identity_provider import IdentityProvider


@dataclass(frozen=True)
class ProviderRecord:
    """A registered provider as the read model holds it: a reference to the
    secret, never the secret."""

    id: str
    name: str
    subject_id: str
    issuer: str
    client_id: str
    secret_ref: str
    enrol_new_members: bool


@dataclass(frozen=True)
class IdentityProviderInfo:
    """What members see of a provider."""

    id: str
    name: str
    subject_id: str
    issuer: str
    login_url: str


@dataclass(frozen=True)
class LoginClient:
    """A provider with its decrypted client secret: only the login flow holds one."""

    cluster_id: str
    provider: ProviderRecord
    client_secret: str

    def __repr__(self) -> str:  # a logged LoginClient must not leak the secret
        return f"LoginClient({self.cluster_id!r}, {self.provider.id!r}, client_secret=***)"


@dataclass(frozen=True)
class VerifiedIdentity:
    """Who the provider vouched for, taken from a validated ID token."""

    issuer: str
    subject: str
    name: str | None
    email: str | None
    email_verified: bool = False


class IssuerUnusable(Exception):
    """The issuer's discovery document is unreachable, malformed or names
    another issuer."""


class SecretUnreadable(Exception):
    """A stored secret does not open with the configured key (was it changed?)."""


class IssuerDiscovery(Protocol):
    def check(self, issuer: str) -> None:
        """Fetches and checks the issuer's discovery document; IssuerUnusable if bad."""
        ...


class SecretStore(Protocol):
    """Client secrets, encrypted, outside the event log."""

    def put(self, cluster_id: str, plaintext: str) -> str:
        """Stores the secret; returns its reference."""
        ...

    def get(self, cluster_id: str, ref: str) -> str:
        """The plaintext; KeyError when the reference is unknown in this cluster,
        SecretUnreadable when it does not open."""
        ...

    def delete(self, ref: str) -> None: ...


class IdentityLinks(Protocol):
    """(issuer, sub) at a provider → person, in the shared directory."""

    def person_of_identity(self, issuer: str, subject: str) -> str | None: ...

    def link_identity(self, issuer: str, subject: str, person_id: str) -> str:
        """Links the identity; returns the person it is linked to (an earlier,
        concurrent link wins)."""
        ...


class IdentityProviderReader(Protocol):
    def providers(self) -> list[ProviderRecord]: ...

    def provider(self, provider_id: str) -> ProviderRecord | None: ...


class IdentityProviderView(TrackingRecorder):
    """What the identity-provider projection writes, with its tracking."""

    @abstractmethod
    def provider_registered(
        self, tracking: Tracking, registered: IdentityProvider.IdentityProviderRegistered
    ) -> None:
        """Records the provider from the event's facts, by name."""
