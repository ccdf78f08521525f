"""Workspace access tokens: only EdDSA tokens of this service's key, issuer and
audience, within their lifetime, are accepted; anything else is UNAUTHENTICATED."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, OKPKey

from domain.errors import Unauthenticated
from infra.tokens import AUDIENCE, LEEWAY_SECONDS, TokenService, load_or_create_key
from services.principal import Principal

# docs/architecture.md names the algorithm "EdDSA"; joserfc warns that RFC 9864 prefers "Ed25519".
pytestmark = pytest.mark.filterwarnings("ignore:EdDSA is deprecated")

ISSUER = "clusterwork-test"
PERSON = Principal("person-1", "Ivan", "ivan@school5.ru", False)


@pytest.fixture
def key(tmp_path: Path) -> OKPKey:
    return load_or_create_key(tmp_path / "signing-key.jwk")


@pytest.fixture
def tokens(key: OKPKey) -> TokenService:
    return TokenService(key, ISSUER, 3600)


def b64(data: dict | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    base: dict[str, object] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "person-1",
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "cw_op": True,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def signed(key: OKPKey, **overrides: object) -> str:
    header = {"alg": "EdDSA", "kid": key.kid, "typ": "JWT"}
    return jwt.encode(header, claims(**overrides), key, algorithms=["EdDSA"])


def rejected(tokens: TokenService, token: str) -> Unauthenticated:
    with pytest.raises(Unauthenticated) as caught:
        tokens.verify(token)
    assert caught.value.code == "UNAUTHENTICATED"
    return caught.value


def test_a_minted_token_verifies_to_the_same_principal(tokens: TokenService) -> None:
    assert tokens.verify(tokens.mint(PERSON)) == PERSON
    operator = Principal("op-1", None, None, True)
    assert tokens.verify(tokens.mint(operator)) == operator


def test_a_token_signed_by_hand_with_the_right_key_and_claims_is_accepted(tokens, key) -> None:
    # The control for the rejections below: only the one thing changed makes them fail.
    assert tokens.verify(signed(key)) == Principal("person-1", None, None, True)


def test_a_forged_payload_is_rejected(tokens: TokenService) -> None:
    header, _, signature = tokens.mint(PERSON).split(".")
    forged = b64(claims(sub="someone-else", cw_op=True))
    rejected(tokens, f"{header}.{forged}.{signature}")


def test_a_tampered_signature_is_rejected(tokens: TokenService) -> None:
    header, payload, signature = tokens.mint(PERSON).split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[0] ^= 0x01
    rejected(tokens, f"{header}.{payload}.{b64(bytes(raw))}")


def test_a_token_of_another_key_is_rejected_even_with_the_same_kid(tokens, key) -> None:
    stranger = OKPKey.generate_key("Ed25519", parameters={"kid": key.kid})
    rejected(tokens, signed(stranger))
    rejected(tokens, TokenService(stranger, ISSUER, 3600).mint(PERSON))


def test_an_expired_token_is_rejected_beyond_the_leeway(tokens, key) -> None:
    now = int(time.time())
    rejected(tokens, signed(key, iat=now - 7200, nbf=now - 7200, exp=now - LEEWAY_SECONDS - 60))
    rejected(tokens, tokens.mint(PERSON, ttl_seconds=-(LEEWAY_SECONDS + 60)))


def test_a_token_not_yet_valid_is_rejected(tokens, key) -> None:
    later = int(time.time()) + 3600
    rejected(tokens, signed(key, nbf=later, iat=later, exp=later + 600))


@pytest.mark.parametrize(
    "override",
    [
        {"iss": "someone-else"},
        {"iss": None},
        {"aud": "another-service"},
        {"aud": None},
        {"sub": None},
        {"exp": None},
        {"iat": None},
    ],
    ids=[
        "wrong-issuer",
        "no-issuer",
        "wrong-audience",
        "no-audience",
        "no-subject",
        "no-expiry",
        "no-issued-at",
    ],
)
def test_tokens_with_wrong_or_missing_claims_are_rejected(tokens, key, override) -> None:
    rejected(tokens, signed(key, **override))


def test_a_token_of_another_issuer_minted_with_the_same_key_is_rejected(tokens, key) -> None:
    rejected(tokens, TokenService(key, "another-issuer", 3600).mint(PERSON))


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_an_unsigned_alg_none_token_is_rejected(tokens: TokenService, alg: str) -> None:
    header = b64({"alg": alg, "typ": "JWT"})
    body = b64(claims())
    rejected(tokens, f"{header}.{body}.")
    rejected(tokens, f"{header}.{body}")


def test_an_hmac_token_keyed_with_the_public_key_is_rejected(tokens, key) -> None:
    # The classic algorithm confusion: HS256 with the published public key as secret.
    public = json.dumps(key.as_dict(private=False)).encode()
    secret = OctKey.import_key(public)
    forged = jwt.encode({"alg": "HS256", "typ": "JWT"}, claims(), secret, algorithms=["HS256"])
    rejected(tokens, forged)


@pytest.mark.parametrize(
    "garbage",
    ["", "abc", "a.b.c", "...", "Bearer x.y.z", "é.é.é", "eyJ.eyJ.", "a" * 5000],
)
def test_garbage_is_unauthenticated_not_a_crash(tokens: TokenService, garbage: str) -> None:
    rejected(tokens, garbage)


def test_the_published_key_set_holds_the_public_key_only(tokens, key) -> None:
    (published,) = tokens.public_jwks()["keys"]
    assert (published["kid"], published["alg"], published["use"]) == (key.kid, "EdDSA", "sig")
    assert "d" not in published
    assert published["x"] == key.as_dict(private=False)["x"]


def test_the_signing_key_is_created_once_private_to_its_owner_and_then_reused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "keys" / "signing-key.jwk"
    first = load_or_create_key(path)
    assert path.stat().st_mode & 0o777 == 0o600
    again = load_or_create_key(path)
    assert again.as_dict(private=True) == first.as_dict(private=True)
    token = TokenService(first, ISSUER, 60).mint(PERSON)
    assert TokenService(again, ISSUER, 60).verify(token) == PERSON


def test_a_token_checked_before_is_still_refused_once_it_expires(
    tokens: TokenService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its signature check is remembered; its lifetime is checked on every use."""
    token = tokens.mint(PERSON, ttl_seconds=60)
    assert tokens.verify(token) == PERSON
    assert tokens.verify(token) == PERSON  # the remembered check
    later = time.time() + 60 + LEEWAY_SECONDS + 5
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(Unauthenticated):
        tokens.verify(token)


def test_a_remembered_token_does_not_vouch_for_an_altered_copy(tokens: TokenService) -> None:
    token = tokens.mint(PERSON)
    assert tokens.verify(token) == PERSON
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"
    with pytest.raises(Unauthenticated):
        tokens.verify(f"{header}.{b64(claims)}.{signature}")
