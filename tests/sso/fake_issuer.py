"""A tiny OpenID Connect issuer the test controls: discovery, JWKS, an
authorization endpoint that approves at once, and a token endpoint that checks
the client secret, the code (once) and PKCE, then returns whatever ID token
the test wants, forged or not."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

from testkit.server import free_port

Claims = dict[str, Any]


def new_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(6), "alg": "RS256"})


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class FakeIssuer:
    def __init__(self) -> None:
        self.url = f"http://127.0.0.1:{free_port()}"
        self.client_id = "clusterwork-test"
        self.client_secret = f"fake-issuer-secret-{secrets.token_hex(8)}"
        self.reset()
        self._server = ThreadingHTTPServer(
            ("127.0.0.1", int(self.url.rsplit(":", 1)[1])), _handler(self)
        )

    def reset(self) -> None:
        """Back to an honest provider with one published key."""
        self.published = [new_key()]
        self.signing_key = self.published[0]
        self.discovery_issuer = self.url
        self.id_token: Callable[[Claims], str] = self.sign
        self.sub = f"person-{secrets.token_hex(4)}"
        self.codes: dict[str, dict[str, str]] = {}
        self.jwks_fetches = 0
        self.authorize_requests: list[dict[str, str]] = []

    def start(self) -> FakeIssuer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def sign(self, claims: Claims, key: RSAKey | None = None) -> str:
        key = key or self.signing_key
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key, algorithms=["RS256"])

    def claims(self, nonce: str) -> Claims:
        now = int(time.time())
        return {
            "iss": self.url,
            "aud": self.client_id,
            "sub": self.sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": "Fedor Fake",
            "email": f"{self.sub}@fake.example",
            "email_verified": True,
        }

    # --- endpoints --------------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.discovery_issuer,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }

    def jwks(self) -> dict[str, Any]:
        self.jwks_fetches += 1
        return {"keys": [{**k.as_dict(private=False), "use": "sig"} for k in self.published]}

    def authorize(self, query: dict[str, str]) -> str:
        """Approves at once: the redirect back with a fresh code."""
        self.authorize_requests.append(query)
        code = secrets.token_urlsafe(16)
        self.codes[code] = query
        return f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        if basic_credentials(authorization) != f"{self.client_id}:{self.client_secret}":
            return 401, {"error": "invalid_client"}
        asked = self.codes.pop(form.get("code", ""), None)  # a code is good once
        if asked is None or asked["redirect_uri"] != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "")
        if b64(hashlib.sha256(verifier.encode()).digest()) != asked.get("code_challenge"):
            return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        token = self.id_token(self.claims(asked["nonce"]))
        return 200, {"access_token": "at", "token_type": "Bearer", "id_token": token}


def basic_credentials(header: str) -> str:
    scheme, _, value = header.partition(" ")
    try:
        return base64.b64decode(value).decode() if scheme == "Basic" else ""
    except ValueError:
        return ""


def _handler(issuer: FakeIssuer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: Any) -> None:  # quiet test output
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/.well-known/openid-configuration":
                self._json(200, issuer.discovery())
            elif parts.path == "/jwks":
                self._json(200, issuer.jwks())
            elif parts.path == "/authorize":
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                self.send_response(302)
                self.send_header("Location", issuer.authorize(query))
                self.end_headers()
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            self._json(*issuer.token(form, self.headers.get("Authorization", "")))

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
