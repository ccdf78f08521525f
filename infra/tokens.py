"""Workspace access tokens: JWTs signed with EdDSA (Ed25519).

JOSE comes from joserfc, the Authlib project's JOSE library (``authlib.jose``
is deprecated in its favour). The algorithm is pinned to EdDSA on both ends.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
import warnings
from collections import OrderedDict
from collections.abc import Container
from pathlib import Path
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OKPKey

from domain.errors import Unauthenticated
from services.principal import Principal

ALGORITHMS = ["EdDSA"]
# Where a request keeps the token it verified (ASGI scope["state"]): the rate
# limiter verifies the bearer token first, and the GraphQL context of the same
# request uses that result instead of validating the token again. It lives as
# long as the request; across requests a token checked in full is remembered, and
# only its expiry is checked again (TokenService.verify).
VERIFIED_TOKEN = "clusterwork.verified_token"
AUDIENCE = "clusterwork"
LEEWAY_SECONDS = 30
VERIFIED_KEPT = 4096  # tokens whose signature was checked, most recently used

# RFC 9864 prefers the fully specified "Ed25519" name; docs/architecture.md and the JWKS
# consumers we document use "EdDSA", which is the same Ed25519 signature.
warnings.filterwarnings("ignore", message="EdDSA is deprecated", module="joserfc")


def load_or_create_key(path: Path) -> OKPKey:
    """The signing key at ``path``; created (mode 0600) on first run."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = OKPKey.generate_key("Ed25519", parameters={"kid": uuid.uuid4().hex[:16]})
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process won the race: use its key
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                json.dump(key.as_dict(private=True), handle)
    return OKPKey.import_key(json.loads(path.read_text()))


class TokenService:
    def __init__(
        self,
        key: OKPKey,
        issuer: str,
        ttl_seconds: int,
        revoked: Container[str] = frozenset(),
    ) -> None:
        self.key = key
        # Persons whose tokens are refused however valid (erased persons):
        # consulted on every check, the remembered ones too.
        self._revoked = revoked
        self.issuer = issuer
        self.ttl_seconds = ttl_seconds
        self._keys = KeySet([key])
        # token -> its claims and principal, checked in full once (verify)
        self._verified: OrderedDict[str, tuple[dict[str, Any], Principal]] = OrderedDict()
        self._verified_lock = threading.Lock()
        self._claims = jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": AUDIENCE},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
        )

    def mint(self, principal: Principal, ttl_seconds: int | None = None) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": principal.person_id,
            "iat": now,
            "nbf": now,
            "exp": now + (ttl_seconds or self.ttl_seconds),
            "jti": uuid.uuid4().hex,
            "name": principal.name,
            "email": principal.email,
            "cw_op": principal.operator,
        }
        header = {"alg": "EdDSA", "kid": self.key.kid, "typ": "JWT"}
        return jwt.encode(header, claims, self.key, algorithms=ALGORITHMS)

    def verify(self, token: str) -> Principal:
        """The principal of a valid token; UNAUTHENTICATED for anything else.

        A token is checked in full (the Ed25519 signature, every claim) the first
        time it is seen, and remembered by its exact text: a client sends the same
        token with every request, and the signature check was about a tenth of a
        mutation's time. After that only its expiry is checked again: every other
        claim that held then still holds (``nbf`` and ``iat`` only move further
        into the past), and the key does not change while we run. The one
        revocation, of an erased person's tokens, is asked on every check.
        """
        return self._checked(token)[1]

    def expires_at(self, token: str) -> int:
        """The ``exp`` (Unix seconds) of a valid token; UNAUTHENTICATED otherwise.
        A live stream ends at this moment: the leeway ``verify`` allows is for
        clocks that disagree at the start, not for extending an open stream."""
        return int(self._checked(token)[0]["exp"])

    def _checked(self, token: str) -> tuple[dict[str, Any], Principal]:
        with self._verified_lock:
            checked = self._verified.get(token)
            if checked is not None:
                self._verified.move_to_end(token)
        try:
            if checked is None:
                claims = jwt.decode(token, self._keys, algorithms=ALGORITHMS).claims
                self._claims.validate(claims)
                checked = (claims, principal_of(claims))
                self._remember(token, checked)
            else:
                self._claims.validate_exp(checked[0]["exp"])
        except (JoseError, ValueError, TypeError, KeyError) as error:
            raise Unauthenticated(f"invalid token: {_reason(error)}") from None
        if checked[1].person_id in self._revoked:
            raise Unauthenticated("invalid token: revoked")
        return checked

    def _remember(self, token: str, checked: tuple[dict[str, Any], Principal]) -> None:
        with self._verified_lock:
            self._verified[token] = checked
            while len(self._verified) > VERIFIED_KEPT:
                self._verified.popitem(last=False)

    def public_jwks(self) -> dict[str, Any]:
        keys: dict[str, Any] = dict(self._keys.as_dict(private=False))
        for key in keys["keys"]:
            key.update({"use": "sig", "alg": "EdDSA"})
        return keys


def principal_of(claims: dict[str, Any]) -> Principal:
    return Principal(
        person_id=str(claims["sub"]),
        name=claims.get("name"),
        email=claims.get("email"),
        operator=bool(claims.get("cw_op", False)),
    )


def _reason(error: Exception) -> str:
    text = getattr(error, "description", None) or getattr(error, "error", None) or str(error)
    return str(text).split("\n")[0][:200] or type(error).__name__
