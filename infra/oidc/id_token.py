"""Strict validation of an ID token (OpenID Connect Core 1.0, section 3.1.3.7).

The algorithm comes from our pin list intersected with what the provider
announces, never from the token alone; the key comes from the provider's JWKS
and must have the type that algorithm needs.
"""

from __future__ import annotations

import json
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.util import urlsafe_b64decode

from infra.oidc.jwks import JwksCache, KeysUnavailable
from infra.oidc.metadata import ProviderMetadata

LEEWAY_SECONDS = 60  # clocks of providers and servers drift; a minute is plenty
KEY_TYPE = {"RS256": "RSA", "PS256": "RSA", "ES256": "EC", "EdDSA": "OKP"}


class TokenRefused(Exception):
    """The ID token fails a check; the message says which (never the token)."""


def validate_id_token(
    token: str, meta: ProviderMetadata, client_id: str, nonce: str, keys: JwksCache
) -> dict[str, Any]:
    """The claims of a valid ID token for ``client_id`` and ``nonce``."""
    header = _header(token)
    alg = header.get("alg")
    if alg not in meta.algorithms:
        raise TokenRefused(f"signature algorithm {alg!r} is not accepted")
    kid = header.get("kid") if isinstance(header.get("kid"), str) else None
    try:
        key = keys.key(meta.jwks_uri, kid, KEY_TYPE[str(alg)])
    except KeysUnavailable as error:
        raise TokenRefused(f"the provider's keys are unavailable: {error}") from None
    if key is None:
        raise TokenRefused(f"no signing key {kid!r} in the provider's JWKS")
    try:
        decoded = jwt.decode(token, key, algorithms=[str(alg)])
        _claims_registry(meta.issuer, client_id, nonce).validate(decoded.claims)
    except (JoseError, ValueError, TypeError) as error:
        raise TokenRefused(_reason(error)) from None
    _check_authorized_party(decoded.claims, client_id)
    return decoded.claims


def _header(token: str) -> dict[str, Any]:
    try:
        segment = token.split(".")[0]
        header = json.loads(urlsafe_b64decode(segment.encode()))
    except (ValueError, IndexError, AttributeError):
        raise TokenRefused("the ID token is not a JWS") from None
    if not isinstance(header, dict) or token.count(".") != 2:
        raise TokenRefused("the ID token is not a compact JWS")
    return header


def _claims_registry(issuer: str, client_id: str, nonce: str) -> jwt.JWTClaimsRegistry:
    return jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )


def _check_authorized_party(claims: dict[str, Any], client_id: str) -> None:
    # Core 3.1.3.7 (4, 5): with several audiences, azp must be present and be us.
    audiences = claims.get("aud")
    if isinstance(audiences, list) and len(audiences) > 1 and claims.get("azp") != client_id:
        raise TokenRefused("the ID token was issued to another party (azp)")
    if "azp" in claims and claims["azp"] != client_id:
        raise TokenRefused("the ID token was issued to another party (azp)")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.strip():
        raise TokenRefused("the ID token has no subject (sub)")


def _reason(error: Exception) -> str:
    text = getattr(error, "description", None) or getattr(error, "error", None) or str(error)
    text = str(text).split("\n")[0][:200] or type(error).__name__
    claim = getattr(error, "claim", None)  # joserfc's claim errors name the claim
    return f"{claim}: {text}" if claim and f"'{claim}'" not in text else text
