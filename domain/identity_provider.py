"""Identity providers: the OpenID Connect issuers a cluster trusts to vouch for
the people of one of its subjects (institutions).

One small aggregate per provider: registering one never contends with the
registry, and the registry's rules (the subject must be active) are checked by
the command before the provider is created. The client secret is never part of
this aggregate: the event carries only ``secret_ref``, a reference into the
encrypted secret table, because events are exported to auditors.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from uuid import UUID

from eventsourcing.domain import event

from domain.base import StampedAggregate
from domain.errors import InvalidInput
from domain.text import required_text

ISSUER_MAX = 500
CLIENT_ID_MAX = 500
CLIENT_SECRET_MAX = 2000


@dataclass(frozen=True)
class ProviderRegistration:
    """A provider as registerIdentityProvider submits it, carried whole from the
    client to the aggregate. The service seals ``client_secret`` and hands the
    aggregate only its reference; the secret is left out of the value's repr so
    that no log or error message can show it."""

    name: str
    subject_id: str
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    enrol_new_members: bool = True


class IdentityProvider(StampedAggregate):
    """An institution's OpenID Connect provider, e.g. its Keycloak realm."""

    class IdentityProviderRegistered(StampedAggregate.Created):
        name: str
        subject_id: str
        issuer: str
        client_id: str
        secret_ref: str
        enrol_new_members: bool

    @event(IdentityProviderRegistered)
    def __init__(
        self,
        id: UUID,
        name: str,
        subject_id: str,
        issuer: str,
        client_id: str,
        secret_ref: str,
        enrol_new_members: bool,
    ) -> None:
        self.name = name
        self.subject_id = subject_id
        self.issuer = issuer
        self.client_id = client_id
        self.secret_ref = secret_ref
        self.enrol_new_members = enrol_new_members

    @classmethod
    def register(
        cls, provider_id: UUID, registration: ProviderRegistration, secret_ref: str
    ) -> IdentityProvider:
        """Checks the values, then registers the provider with ``secret_ref`` (the
        sealed secret's reference) in place of the secret."""
        r = registration
        name, issuer, client_id = checked_terms(r.name, r.issuer, r.client_id)
        return cls(
            id=provider_id,
            name=name,
            subject_id=r.subject_id,
            issuer=issuer,
            client_id=client_id,
            secret_ref=secret_ref,
            enrol_new_members=bool(r.enrol_new_members),
        )


def checked_terms(name: str, issuer: str, client_id: str) -> tuple[str, str, str]:
    """Name, issuer and client id, checked (BAD_USER_INPUT naming the field)."""
    return (
        required_text("name", name),
        checked_issuer(issuer),
        required_text("clientId", client_id, CLIENT_ID_MAX),
    )


def checked_issuer(value: str) -> str:
    """An issuer URL: https, or http on this machine only (development), with no
    query or fragment (OpenID Connect Discovery 1.0, section 2)."""
    issuer = required_text("issuer", value, ISSUER_MAX)
    parts = urlsplit(issuer)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidInput("issuer must be an https URL", field="issuer")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise InvalidInput("issuer must use https (http only for localhost)", field="issuer")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise InvalidInput("issuer must not carry a query, fragment or credentials", field="issuer")
    return issuer


def check_client_secret(value: str) -> None:
    """The secret must be present and sane; the message never repeats it."""
    secret = value or ""
    if not secret.strip():
        raise InvalidInput("clientSecret must not be blank", field="clientSecret")
    if len(secret) > CLIENT_SECRET_MAX:
        raise InvalidInput(
            f"clientSecret must be at most {CLIENT_SECRET_MAX} characters", field="clientSecret"
        )


def is_loopback(host: str) -> bool:
    """localhost, *.localhost (browsers resolve these to this machine) or a
    loopback address: plain http is acceptable there and nowhere else."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
