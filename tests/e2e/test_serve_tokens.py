"""Workspace tokens over HTTP: the published keys verify them, and anything
missing, forged, tampered with or expired is UNAUTHENTICATED."""

from __future__ import annotations

import base64
import json
import time

import pytest
from e2e_server import Server, codes
from joserfc import jwt
from joserfc.jwk import KeySet, OKPKey

pytestmark = pytest.mark.e2e

VIEWER = "{ viewer { id name } }"


def published_keys(server: Server) -> KeySet:
    response = server.client.get("/.well-known/clusterwork-keys.json")
    assert response.status_code == 200
    return KeySet.import_key_set(response.json())


def server_key(server: Server) -> OKPKey:
    return OKPKey.import_key(json.loads((server.data_dir / "signing-key.jwk").read_text()))


def claims(**changes: object) -> dict[str, object]:
    now = int(time.time())
    base = {"iss": "clusterwork", "aud": "clusterwork", "sub": "p", "iat": now, "exp": now + 600}
    return {**base, **changes}


def test_the_published_keys_are_public_ed25519_keys(server: Server) -> None:
    keys = server.client.get("/.well-known/clusterwork-keys.json").json()["keys"]
    assert keys and all(k["kty"] == "OKP" and k["crv"] == "Ed25519" for k in keys)
    assert all("d" not in k for k in keys)


def test_the_published_keys_verify_the_printed_token(server: Server) -> None:
    decoded = jwt.decode(server.token, published_keys(server), algorithms=["EdDSA"])
    assert decoded.header["alg"] == "EdDSA"
    assert decoded.claims["exp"] > time.time()


def test_the_cli_mints_an_operator_token_the_keys_verify(
    server: Server, operator_token: str
) -> None:
    decoded = jwt.decode(operator_token, published_keys(server), algorithms=["EdDSA"])
    assert decoded.claims["cw_op"] is True
    assert server.graphql(VIEWER, token=operator_token)["data"]["viewer"]["name"]


def test_no_token_is_unauthenticated(server: Server) -> None:
    assert codes(server.graphql(VIEWER)) == ["UNAUTHENTICATED"]


def test_a_token_signed_with_another_key_is_unauthenticated(server: Server) -> None:
    stranger = OKPKey.generate_key("Ed25519", parameters={"kid": server_key(server).kid})
    forged = jwt.encode(
        {"alg": "EdDSA", "kid": stranger.kid}, claims(), stranger, algorithms=["EdDSA"]
    )
    assert codes(server.graphql(VIEWER, token=forged)) == ["UNAUTHENTICATED"]


def test_a_tampered_token_is_unauthenticated(server: Server) -> None:
    header, payload, signature = server.token.split(".")
    changed = json.loads(base64.urlsafe_b64decode(payload + "=="))
    changed["cw_op"] = True
    raw = json.dumps(changed).encode()
    forged = ".".join([header, base64.urlsafe_b64encode(raw).decode().rstrip("="), signature])
    assert codes(server.graphql(VIEWER, token=forged)) == ["UNAUTHENTICATED"]


def test_an_unsigned_token_is_unauthenticated(server: Server) -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').decode().rstrip("=")
    payload = base64.urlsafe_b64encode(json.dumps(claims()).encode()).decode().rstrip("=")
    assert codes(server.graphql(VIEWER, token=f"{header}.{payload}.")) == ["UNAUTHENTICATED"]


def test_an_expired_token_signed_with_the_right_key_is_unauthenticated(server: Server) -> None:
    key = server_key(server)
    past = int(time.time()) - 3600
    expired = jwt.encode(
        {"alg": "EdDSA", "kid": key.kid}, claims(iat=past - 60, exp=past), key, algorithms=["EdDSA"]
    )
    body = server.graphql(VIEWER, token=expired)
    assert codes(body) == ["UNAUTHENTICATED"]
    fresh = jwt.encode({"alg": "EdDSA", "kid": key.kid}, claims(), key, algorithms=["EdDSA"])
    assert server.graphql(VIEWER, token=fresh)["data"]["viewer"]["id"] == "p"
