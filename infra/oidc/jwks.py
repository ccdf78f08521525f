"""Providers' signing keys (JWK sets), cached per jwks_uri.

Providers rotate keys by publishing the new one in their JWKS before they sign
with it. A token whose ``kid`` is not in the cached set therefore triggers one
fresh fetch; if the key is still unknown after it, the token is refused.
"""

from __future__ import annotations

import threading
from typing import Any

import httpx
from joserfc.jwk import ECKey, KeySet, OKPKey, RSAKey

SIGNATURE_KEY_TYPES = {"RSA", "EC", "OKP"}  # never "oct": no shared-secret signatures

Key = RSAKey | ECKey | OKPKey


class KeysUnavailable(Exception):
    """The provider's JWKS could not be fetched or read."""


class JwksCache:
    def __init__(self, http: httpx.Client) -> None:
        self.http = http
        self._sets: dict[str, KeySet] = {}
        self._lock = threading.Lock()

    def key(self, jwks_uri: str, kid: str | None, kty: str) -> Key | None:
        """The signing key a token names; one refresh when the cached set lacks it."""
        with self._lock:
            cached = self._sets.get(jwks_uri)
        found = _pick(cached, kid, kty) if cached is not None else None
        if found is None:
            fresh = self._fetch(jwks_uri)
            with self._lock:
                self._sets[jwks_uri] = fresh
            found = _pick(fresh, kid, kty)
        return found

    def _fetch(self, jwks_uri: str) -> KeySet:
        try:
            response = self.http.get(jwks_uri)
            response.raise_for_status()
            doc = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise KeysUnavailable(f"JWKS at {jwks_uri}: {type(error).__name__}") from None
        return KeySet.import_key_set({"keys": _signature_keys(doc)})


def _signature_keys(doc: Any) -> list[dict[str, Any]]:
    """The JWKs meant for signatures; encryption and symmetric keys are dropped."""
    keys = doc.get("keys") if isinstance(doc, dict) else None
    if not isinstance(keys, list):
        raise KeysUnavailable("the JWKS has no key list")
    return [
        k
        for k in keys
        if isinstance(k, dict)
        and k.get("kty") in SIGNATURE_KEY_TYPES
        and k.get("use", "sig") == "sig"
    ]


def _pick(keys: KeySet, kid: str | None, kty: str) -> Key | None:
    """By ``kid``; without one, only when a single key of the right type exists."""
    candidates = [k for k in keys if k.key_type == kty]
    if kid is not None:
        candidates = [k for k in candidates if k.kid == kid]
    found = candidates[0] if len(candidates) == 1 else None
    return found if isinstance(found, RSAKey | ECKey | OKPKey) else None
