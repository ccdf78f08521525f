"""A provider's client secret is sealed in the secret table and appears in no
event, export, log or GraphQL response, while logins through it keep working.

The server of this module logs at DEBUG (its HTTP client's requests to the
provider included), so a secret that went anywhere near a log would be found.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fake_issuer import FakeIssuer
from sso_api import EVENTS, PROVIDERS, found_cluster, register
from sso_server import Server, serve

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Leaks:
    server: Server
    cluster_id: str
    secret: str
    responses: list[str]

    def spellings(self) -> list[bytes]:
        """The secret as it might leak: plain, or in an HTTP Basic header."""
        basic = base64.b64encode(f"clusterwork-test:{self.secret}".encode())
        return [self.secret.encode(), basic, base64.b64encode(self.secret.encode())]

    def assert_absent(self, data: bytes, where: str) -> None:
        for spelling in self.spellings():
            assert spelling not in data, f"the client secret leaked into {where}"


@pytest.fixture(scope="module")
def leaks(
    tmp_path_factory: pytest.TempPathFactory, fake_issuer_running: FakeIssuer
) -> Iterator[Leaks]:
    issuer = fake_issuer_running
    issuer.reset()
    with serve(tmp_path_factory.mktemp("leaks"), log_level="DEBUG") as server:
        token = server.operator_token()
        cluster = found_cluster(server, token, ("Secretive School", "SCHOOL"))
        registered = register(
            server,
            token,
            cluster.id,
            cluster.subjects["Secretive School"],
            issuer.url,
            issuer.client_id,
            issuer.client_secret,
        )
        provider = registered["data"]["registerIdentityProvider"]
        with httpx.Client(
            follow_redirects=True, timeout=30, headers={"Accept": "application/json"}
        ) as c:
            signed_in = c.get(provider["loginUrl"])  # the token endpoint checks the secret
        assert signed_in.status_code == 200, signed_in.text
        responses = [
            json.dumps(registered),
            signed_in.text,
            json.dumps(server.graphql(PROVIDERS, {"c": cluster.id}, token)),
            json.dumps(server.graphql(EVENTS, {"c": cluster.id}, token)),
        ]
        yield Leaks(server, cluster.id, issuer.client_secret, responses)


def test_graphql_responses_never_carry_the_secret(leaks: Leaks) -> None:
    for response in leaks.responses:
        leaks.assert_absent(response.encode(), "a GraphQL response")


def test_the_event_carries_a_reference_and_no_secret(leaks: Leaks) -> None:
    events = json.loads(leaks.responses[3])["data"]["cluster"]["events"]["events"]
    [registered] = [e for e in events if e["type"] == "IdentityProviderRegistered"]
    assert set(registered["data"]) == {
        "name",
        "subject_id",
        "issuer",
        "client_id",
        "secret_ref",
        "enrol_new_members",
    }
    stored = (leaks.server.data_dir / "clusters" / f"{leaks.cluster_id}.sqlite").read_bytes()
    leaks.assert_absent(stored, "the cluster's partition (events and read model)")


def test_the_audit_export_never_carries_the_secret(leaks: Leaks, tmp_path: Path) -> None:
    out = tmp_path / "export.ndjson"
    leaks.server.cli("audit", "export", "--cluster", leaks.cluster_id, "--out", str(out))
    exported = out.read_bytes()
    assert b"IdentityProviderRegistered" in exported
    leaks.assert_absent(exported, "the audit export")


def test_the_logs_never_carry_the_secret(leaks: Leaks) -> None:
    logged = leaks.server.printed()
    assert "signed in to cluster" in logged and "DEBUG httpcore" in logged  # DEBUG really logged
    leaks.assert_absent(logged.encode(), "the server's log")


def test_the_secret_is_stored_sealed_outside_the_log(leaks: Leaks) -> None:
    directory = leaks.server.data_dir / "directory.sqlite"
    with sqlite3.connect(directory) as db:
        [(cluster_id, sealed)] = db.execute("SELECT cluster_id, sealed FROM dir_secret").fetchall()
    assert cluster_id == leaks.cluster_id
    assert len(base64.urlsafe_b64decode(sealed)) > len(leaks.secret)  # nonce, ciphertext, tag
    leaks.assert_absent(directory.read_bytes(), "the shared directory")
