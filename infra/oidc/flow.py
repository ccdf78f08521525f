"""The login: authorization code with PKCE (S256), state and nonce, through
authlib's OAuth 2 client; then the ID token, the person, the workspace token
and a session.

Everything the callback needs is kept server-side under the ``state`` (single
use, expiring), so the callback may reach any API process.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.security import generate_token

from domain.errors import DomainError, Forbidden, NotFound
from infra.oidc.id_token import TokenRefused, validate_id_token
from infra.oidc.jwks import JwksCache
from infra.oidc.login_state import PendingLogin, SqlLoginStates, SqlSessions
from infra.oidc.metadata import TIMEOUT, HttpIssuerDiscovery, ProviderMetadata
from infra.oidc.oauth import OAuth2Client, OAuthError
from infra.tokens import TokenService
from services.identity import IdentityService
from services.ports.identity import IssuerUnusable, LoginClient, SecretUnreadable, VerifiedIdentity
from services.principal import Principal
from services.sign_in import SignInService

log = logging.getLogger(__name__)

SCOPE = "openid email profile"


class LoginRefused(Exception):
    """The login cannot go on; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class SignedIn:
    principal: Principal
    access_token: str
    expires_in: int
    session: str  # the session cookie's value


@dataclass
class SignOn:
    identity: IdentityService
    sign_in: SignInService
    discovery: HttpIssuerDiscovery
    keys: JwksCache
    states: SqlLoginStates
    sessions: SqlSessions
    tokens: TokenService
    base_url: str

    @property
    def callback_url(self) -> str:
        return f"{self.base_url.rstrip('/')}/auth/callback"

    def start(self, cluster_id: str, provider_id: str) -> str:
        """The provider's authorization URL for a new login; its state is saved."""
        client = self._client(cluster_id, provider_id)
        meta = self._metadata(client)
        state, nonce, verifier = generate_token(43), generate_token(43), generate_token(64)
        pending = PendingLogin(nonce, verifier, client.cluster_id, client.provider.id)
        self.states.save(state, pending)
        with self._oauth(client, meta) as oauth:
            url, _ = oauth.create_authorization_url(
                meta.authorization_endpoint, state=state, nonce=nonce, code_verifier=verifier
            )
        return str(url)

    def finish(self, params: Mapping[str, str]) -> SignedIn:
        """Checks the callback, redeems the code, validates the ID token and
        signs the person in; LoginRefused (4xx/5xx) otherwise."""
        pending = self._pending(params)
        client = self._client(pending.cluster_id, pending.provider_id)
        meta = self._metadata(client)
        if params.get("iss", meta.issuer) != meta.issuer:  # RFC 9207: mix-up defence
            raise LoginRefused(400, "the callback names another issuer (iss)")
        id_token = self._redeem(client, meta, params["code"], pending.code_verifier)
        try:
            claims = validate_id_token(
                id_token, meta, client.provider.client_id, pending.nonce, self.keys
            )
        except TokenRefused as error:
            raise LoginRefused(401, f"the ID token is not acceptable: {error}") from None
        return self._signed_in(client, _identity(meta.issuer, claims))

    def _pending(self, params: Mapping[str, str]) -> PendingLogin:
        """The login this callback finishes. Its state is spent even when the
        provider reports an error, so no callback can be tried twice."""
        state = params.get("state")
        if not state:
            raise LoginRefused(400, "the callback carries no state")
        pending = self.states.take(state)
        if pending is None:
            raise LoginRefused(400, "unknown, expired or already used login state")
        if params.get("error") or not params.get("code"):
            reported = params.get("error", "no code")[:60]
            raise LoginRefused(401, f"the provider did not sign you in ({reported})")
        return pending

    def session_principal(self, session: str) -> Principal | None:
        """The person of a live session (the cookie's value), else None."""
        person_id = self.sessions.person(session)
        if person_id is None:
            return None
        name, email = self.sign_in.runner.directory.person(person_id) or (None, None)
        return Principal(person_id=person_id, name=name, email=email)

    def _signed_in(self, client: LoginClient, who: VerifiedIdentity) -> SignedIn:
        try:
            principal = self.sign_in.sign_in(client.cluster_id, client.provider, who)
        except Forbidden as error:
            raise LoginRefused(403, error.message) from None
        log.info(
            "person %s signed in to cluster %s through provider %s",
            principal.person_id,
            client.cluster_id,
            client.provider.id,
        )
        return SignedIn(
            principal,
            self.tokens.mint(principal),
            self.tokens.ttl_seconds,
            self.sessions.open(principal.person_id),
        )

    def _redeem(self, client: LoginClient, meta: ProviderMetadata, code: str, verifier: str) -> str:
        """The ID token the provider gives for the code (and our PKCE verifier)."""
        try:
            with self._oauth(client, meta) as oauth:
                token = oauth.fetch_token(
                    meta.token_endpoint,
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=verifier,
                )
        except OAuthError as error:
            raise LoginRefused(400, f"the provider refused the code ({error.error})") from None
        except (httpx.HTTPError, ValueError) as error:
            raise LoginRefused(
                502, f"the provider's token endpoint failed ({type(error).__name__})"
            ) from None
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise LoginRefused(401, "the provider returned no ID token")
        return id_token

    def _client(self, cluster_id: str, provider_id: str) -> LoginClient:
        try:
            return self.identity.login_client(cluster_id, provider_id)
        except NotFound:
            raise LoginRefused(404, "no such identity provider in this cluster") from None
        except SecretUnreadable:
            log.error(
                "client secret of provider %s does not open (CLUSTERWORK_SECRET_KEY changed?)",
                provider_id,
            )
            raise LoginRefused(
                503, "this identity provider is misconfigured; tell the operator"
            ) from None
        except DomainError as error:
            raise LoginRefused(400, error.message) from None

    def _metadata(self, client: LoginClient) -> ProviderMetadata:
        try:
            return self.discovery.metadata(client.provider.issuer)
        except IssuerUnusable as error:
            raise LoginRefused(502, f"the identity provider is unavailable: {error}") from None

    def _oauth(self, client: LoginClient, meta: ProviderMetadata) -> OAuth2Client:
        return OAuth2Client(
            client_id=client.provider.client_id,
            client_secret=client.client_secret,
            token_endpoint_auth_method=meta.token_auth_method,
            scope=SCOPE,
            redirect_uri=self.callback_url,
            code_challenge_method="S256",
            timeout=TIMEOUT,
        )


def _identity(issuer: str, claims: Mapping[str, Any]) -> VerifiedIdentity:
    return VerifiedIdentity(
        issuer,
        str(claims["sub"]),
        _text(claims.get("name")),
        _text(claims.get("email")),
        email_verified=claims.get("email_verified") is True,
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
