"""One `clusterwork serve` for the SSO tests, two institutions' identity
providers (panva's oidc-provider in node) and an issuer the tests control.

The server's port is chosen first, because the providers must know the
redirect URI <base URL>/auth/callback before they start.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_issuer import FakeIssuer
from node_idp import NodeProvider, node_provider
from sso_api import FakeWorld, found_cluster, registered
from sso_server import Server, free_port, serve


@pytest.fixture(scope="session")
def sso_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, sso_port: int) -> Iterator[Server]:
    with serve(tmp_path_factory.mktemp("sso-serve"), sso_port) as running:
        yield running


@pytest.fixture(scope="session")
def operator_token(server: Server) -> str:
    return server.operator_token()


@pytest.fixture(scope="session")
def institutions(
    tmp_path_factory: pytest.TempPathFactory, sso_port: int
) -> Iterator[tuple[NodeProvider, NodeProvider]]:
    """Two institutions' providers, each with a client for our callback."""
    redirect_uri = f"http://127.0.0.1:{sso_port}/auth/callback"
    logs = tmp_path_factory.mktemp("idp-logs")
    with (
        node_provider("school", redirect_uri, logs) as school,
        node_provider("university", redirect_uri, logs) as university,
    ):
        yield school, university


@pytest.fixture(scope="session")
def fake_issuer_running() -> Iterator[FakeIssuer]:
    issuer = FakeIssuer().start()
    yield issuer
    issuer.stop()


@pytest.fixture
def issuer(fake_issuer_running: FakeIssuer) -> FakeIssuer:
    """The controllable issuer, honest again and with a new person to sign in."""
    fake_issuer_running.reset()
    return fake_issuer_running


@pytest.fixture(scope="session")
def fake_world(server: Server, operator_token: str, fake_issuer_running: FakeIssuer) -> FakeWorld:
    cluster = found_cluster(server, operator_token, ("Fake Lyceum", "SCHOOL"))
    subject_id = cluster.subjects["Fake Lyceum"]
    issuer = fake_issuer_running
    provider = registered(
        server,
        operator_token,
        cluster.id,
        subject_id,
        issuer.url,
        issuer.client_id,
        issuer.client_secret,
        "Fake Lyceum SSO",
    )
    return FakeWorld(cluster, subject_id, provider["id"], provider["loginUrl"])
