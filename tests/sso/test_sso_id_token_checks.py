"""The callback validates the ID token strictly. Each forged or broken token is
refused with 401, gives no token and no session, and signs nobody up; a
provider that rotated its signing key is still accepted."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import pytest
from browser import browser
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from fake_issuer import Claims, FakeIssuer, b64, new_key
from joserfc.jwk import RSAKey
from sso_api import FakeWorld, member_count
from sso_server import Server

pytestmark = pytest.mark.e2e


def login(world: FakeWorld) -> httpx.Response:
    with browser() as client:
        return client.get(world.login_url)


def assert_refused(response: httpx.Response, reason: str) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert "access_token" not in body
    assert reason in body["error_description"], body
    assert "cw_session" not in response.headers.get("set-cookie", "")


def unsigned(header: dict[str, Any], claims: Claims, signature: bytes = b"") -> str:
    head = b64(json.dumps(header).encode())
    body = b64(json.dumps(claims).encode())
    return f"{head}.{body}.{b64(signature)}"


def test_an_honest_token_signs_the_person_in(issuer: FakeIssuer, fake_world: FakeWorld) -> None:
    response = login(fake_world)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0 and body["access_token"]
    [asked] = issuer.authorize_requests
    assert asked["code_challenge_method"] == "S256" and asked["nonce"] and asked["state"]
    assert asked["scope"].split() == ["openid", "email", "profile"]


def test_a_token_from_another_issuer_is_refused(
    issuer: FakeIssuer, fake_world: FakeWorld, server: Server, operator_token: str
) -> None:
    members = member_count(server, operator_token, fake_world.cluster.id)
    issuer.id_token = lambda c: issuer.sign({**c, "iss": "https://login.evil.example"})
    assert_refused(login(fake_world), "iss")
    assert member_count(server, operator_token, fake_world.cluster.id) == members


def test_a_token_for_another_audience_is_refused(issuer: FakeIssuer, fake_world: FakeWorld) -> None:
    issuer.id_token = lambda c: issuer.sign({**c, "aud": "some-other-client"})
    assert_refused(login(fake_world), "aud")


def test_a_token_for_several_audiences_authorized_for_another_party_is_refused(
    issuer: FakeIssuer, fake_world: FakeWorld
) -> None:
    issuer.id_token = lambda c: issuer.sign({**c, "aud": [c["aud"], "other"], "azp": "other"})
    assert_refused(login(fake_world), "azp")


def test_an_expired_token_is_refused(issuer: FakeIssuer, fake_world: FakeWorld) -> None:
    now = int(time.time())
    issuer.id_token = lambda c: issuer.sign({**c, "iat": now - 900, "exp": now - 600})
    assert_refused(login(fake_world), "exp")


def test_a_token_issued_in_the_future_is_refused(issuer: FakeIssuer, fake_world: FakeWorld) -> None:
    now = int(time.time())
    issuer.id_token = lambda c: issuer.sign({**c, "iat": now + 900, "exp": now + 1200})
    assert_refused(login(fake_world), "iat")


def test_a_token_with_a_bad_signature_is_refused(issuer: FakeIssuer, fake_world: FakeWorld) -> None:
    impostor = new_key()  # signs under the published key's kid; never published itself
    issuer.id_token = lambda c: rs256(c, issuer.signing_key.kid, impostor)
    assert_refused(login(fake_world), "signature")


def rs256(claims: Claims, kid: str | None, key: RSAKey) -> str:
    header = {"alg": "RS256", "kid": kid}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    signature = key.private_key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64(signature)}"


def test_an_unsigned_token_alg_none_is_refused(issuer: FakeIssuer, fake_world: FakeWorld) -> None:
    issuer.id_token = lambda c: unsigned({"alg": "none", "kid": issuer.signing_key.kid}, c)
    assert_refused(login(fake_world), "'none' is not accepted")


def test_an_hs256_token_keyed_with_the_providers_public_key_is_refused(
    issuer: FakeIssuer, fake_world: FakeWorld
) -> None:
    public_pem = issuer.signing_key.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )

    def forged(claims: Claims) -> str:
        header = {"alg": "HS256", "kid": issuer.signing_key.kid}
        signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
        mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{b64(mac)}"

    issuer.id_token = forged
    assert_refused(login(fake_world), "'HS256' is not accepted")


def test_a_token_with_another_nonce_is_refused(issuer: FakeIssuer, fake_world: FakeWorld) -> None:
    issuer.id_token = lambda c: issuer.sign({**c, "nonce": "a-nonce-from-another-login"})
    assert_refused(login(fake_world), "nonce")


def test_a_token_without_a_nonce_is_refused(issuer: FakeIssuer, fake_world: FakeWorld) -> None:
    issuer.id_token = lambda c: issuer.sign({k: v for k, v in c.items() if k != "nonce"})
    assert_refused(login(fake_world), "nonce")


def test_a_token_without_a_subject_is_refused(issuer: FakeIssuer, fake_world: FakeWorld) -> None:
    issuer.id_token = lambda c: issuer.sign({k: v for k, v in c.items() if k != "sub"})
    assert_refused(login(fake_world), "sub")


def test_a_key_the_provider_never_published_is_refused_after_one_refresh(
    issuer: FakeIssuer, fake_world: FakeWorld
) -> None:
    stranger = new_key()
    issuer.id_token = lambda c: issuer.sign(c, stranger)
    before = issuer.jwks_fetches
    assert_refused(login(fake_world), "no signing key")
    assert issuer.jwks_fetches == before + 1


def test_rotated_signing_keys_are_fetched_once_and_accepted(
    issuer: FakeIssuer, fake_world: FakeWorld
) -> None:
    assert login(fake_world).status_code == 200  # the old key is cached now
    fetched = issuer.jwks_fetches
    rotated = new_key()
    issuer.published = [rotated]  # the provider rotates: only the new key is published
    issuer.signing_key = rotated
    first, second = login(fake_world), login(fake_world)
    assert first.status_code == 200, first.text
    assert second.status_code == 200, second.text
    assert issuer.jwks_fetches == fetched + 1  # one refresh for the new kid, then cached
