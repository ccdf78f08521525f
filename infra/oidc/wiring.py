"""Part of the composition root (called only by infra/bootstrap.py): builds the
identity-provider service and the login from settings and the directory."""

from __future__ import annotations

import httpx
from sqlalchemy import Engine

from infra.oidc.flow import SignOn
from infra.oidc.identities import SqlIdentityLinks
from infra.oidc.jwks import JwksCache
from infra.oidc.login_state import SqlLoginStates, SqlSessions, create_tables
from infra.oidc.metadata import TIMEOUT, HttpIssuerDiscovery
from infra.secrets import SqlSecretStore, load_or_create_secret_key
from infra.settings import Settings
from infra.tokens import TokenService
from services.commands import CommandRunner
from services.identity import IdentityService
from services.sign_in import SignInService

LOGIN_SECONDS = 600  # from the login link to the callback: time to type a password and MFA


def identity_parts(
    settings: Settings, directory_engine: Engine, runner: CommandRunner, tokens: TokenService
) -> tuple[IdentityService, SignOn]:
    configured = settings.secret_key.get_secret_value() if settings.secret_key else None
    key = load_or_create_secret_key(configured, settings.secret_key_file)
    secrets = SqlSecretStore(directory_engine, key)
    secrets.create()
    create_tables(directory_engine)
    # One client (connection pool) for discovery, JWKS and, via authlib, the token endpoint.
    http = httpx.Client(timeout=TIMEOUT)
    discovery = HttpIssuerDiscovery(http)
    identity = IdentityService(runner, discovery, secrets, settings.base_url)
    sign_on = SignOn(
        identity=identity,
        sign_in=SignInService(runner, SqlIdentityLinks(directory_engine)),
        discovery=discovery,
        keys=JwksCache(http),
        states=SqlLoginStates(directory_engine, LOGIN_SECONDS),
        sessions=SqlSessions(directory_engine, settings.token_ttl_seconds),
        tokens=tokens,
        base_url=settings.base_url,
    )
    return identity, sign_on
