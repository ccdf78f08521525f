"""OpenID Connect Discovery: the provider's metadata, checked before it is used.

Registration fetches it fresh (IssuerDiscovery.check); logins use a cached copy
for an hour, so a login costs no extra round trip to the provider.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from domain.identity_provider import is_loopback
from services.ports.identity import IssuerUnusable

# Asymmetric signatures only. "none" and HS* never: an HS256 token "signed" with
# the provider's public key would otherwise verify (the key-confusion attack).
PINNED_ALGORITHMS = ("RS256", "PS256", "ES256", "EdDSA")
CACHE_SECONDS = 3600
TIMEOUT = httpx.Timeout(10.0, connect=5.0)


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    algorithms: tuple[str, ...]  # the pinned ones the provider also uses
    token_auth_method: str  # client_secret_basic or client_secret_post


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def parse_metadata(issuer: str, doc: Any) -> ProviderMetadata:
    """Checks a discovery document against the issuer it was fetched for."""
    if not isinstance(doc, dict):
        raise IssuerUnusable("the discovery document is not a JSON object")
    if doc.get("issuer") != issuer:
        # OIDC Discovery 1.0 §4.3: the issuer in the document must be identical.
        raise IssuerUnusable(f"the discovery document names issuer {doc.get('issuer')!r}")
    authorize, token, jwks = (
        _endpoint(doc, n) for n in ("authorization_endpoint", "token_endpoint", "jwks_uri")
    )
    offered = doc.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = tuple(a for a in PINNED_ALGORITHMS if a in offered)
    if not algorithms:
        raise IssuerUnusable(
            f"the provider signs ID tokens only with {offered}, none of {PINNED_ALGORITHMS}"
        )
    methods = doc.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    method = next((m for m in ("client_secret_basic", "client_secret_post") if m in methods), None)
    if method is None:
        raise IssuerUnusable(f"the provider takes client secrets by none of {methods}")
    return ProviderMetadata(issuer, authorize, token, jwks, algorithms, method)


def _endpoint(doc: dict[str, Any], name: str) -> str:
    value = doc.get(name)
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or not parts.hostname:
        raise IssuerUnusable(f"the discovery document lacks {name}")
    if parts.scheme != "https" and not (parts.scheme == "http" and is_loopback(parts.hostname)):
        raise IssuerUnusable(f"{name} must use https")
    return str(value)


class HttpIssuerDiscovery:
    """Fetches discovery documents; implements services' IssuerDiscovery."""

    def __init__(self, http: httpx.Client | None = None) -> None:
        self.http = http or httpx.Client(timeout=TIMEOUT)
        self._cache: dict[str, tuple[float, ProviderMetadata]] = {}
        self._lock = threading.Lock()

    def fetch(self, issuer: str) -> ProviderMetadata:
        """Fresh metadata of ``issuer``; IssuerUnusable when it cannot be used."""
        url = discovery_url(issuer)
        try:
            response = self.http.get(url)
            response.raise_for_status()
            doc = response.json()
        except httpx.HTTPStatusError as error:
            raise IssuerUnusable(f"{url} answered {error.response.status_code}") from None
        except (httpx.HTTPError, ValueError) as error:
            raise IssuerUnusable(
                f"{url} is unreachable or not JSON ({type(error).__name__})"
            ) from None
        found = parse_metadata(issuer, doc)
        with self._lock:
            self._cache[issuer] = (time.monotonic() + CACHE_SECONDS, found)
        return found

    def check(self, issuer: str) -> None:
        self.fetch(issuer)

    def metadata(self, issuer: str) -> ProviderMetadata:
        """Cached metadata (fetched when missing or older than an hour)."""
        with self._lock:
            cached = self._cache.get(issuer)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        return self.fetch(issuer)
