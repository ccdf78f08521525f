"""Checkpoint signatures: compact JWS (EdDSA) over {cluster, position, headHash, signedAt}.

Imports only joserfc, so the offline verifier can use it without settings.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OKPKey

ALGORITHMS = ["EdDSA"]
CHECKPOINT_TYP = "clusterwork-checkpoint+jws"

warnings.filterwarnings("ignore", message="EdDSA is deprecated", module="joserfc")


def sign_checkpoint(key: OKPKey, claims: dict[str, Any]) -> str:
    header = {"alg": "EdDSA", "kid": key.kid, "typ": CHECKPOINT_TYP}
    payload = json.dumps(claims, sort_keys=True, separators=(",", ":")).encode()
    return jws.serialize_compact(header, payload, key, algorithms=ALGORITHMS)


def verify_checkpoint(token: str, jwks: dict[str, Any]) -> dict[str, Any] | None:
    """The signed claims, or None when the signature does not hold."""
    try:
        keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
        found = jws.deserialize_compact(token, keys, algorithms=ALGORITHMS)
        claims = json.loads(found.payload)
    except (JoseError, ValueError, TypeError, KeyError):
        return None
    return claims if isinstance(claims, dict) else None


class CheckpointSigner:
    """Signs with the server's key; verifies against its public key set."""

    def __init__(self, key: OKPKey) -> None:
        self.key = key
        self.jwks: dict[str, Any] = dict(KeySet([key]).as_dict(private=False))

    def sign(self, claims: dict[str, Any]) -> str:
        return sign_checkpoint(self.key, claims)

    def verify(self, token: str) -> dict[str, Any] | None:
        return verify_checkpoint(token, self.jwks)
