"""The login's state is kept server-side, used once and bound to one login: a
wrong, missing or replayed state, a replayed code or another issuer's callback
gets a 4xx and no token; a login started in one process finishes in another."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from fake_issuer import FakeIssuer
from sso_api import FakeWorld
from sso_server import Server, serve

pytestmark = pytest.mark.e2e

JSON = {"Accept": "application/json"}


def callback_url(world: FakeWorld) -> str:
    """Starts a login and lets the provider approve it; the callback URL it
    sends the browser to (not visited yet)."""
    with httpx.Client(timeout=30) as client:
        to_provider = client.get(world.login_url)
        assert to_provider.status_code == 302
        back = client.get(to_provider.headers["location"])
        assert back.status_code == 302
        return back.headers["location"]


def with_params(url: str, **changes: str | None) -> str:
    parts = urlsplit(url)
    params = {k: v[0] for k, v in parse_qs(parts.query).items()}
    params.update(changes)
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return parts._replace(query=query).geturl()


def visit(url: str) -> httpx.Response:
    return httpx.get(url, headers=JSON, timeout=30)


def assert_no_token(response: httpx.Response, status: int = 400) -> None:
    assert response.status_code == status, response.text
    assert "access_token" not in response.text
    assert "cw_session" not in response.headers.get("set-cookie", "")


def test_a_callback_without_state_is_refused(issuer: FakeIssuer, fake_world: FakeWorld) -> None:
    assert_no_token(visit(with_params(callback_url(fake_world), state=None)))


def test_a_callback_with_another_state_is_refused_and_spends_nothing(
    issuer: FakeIssuer, fake_world: FakeWorld
) -> None:
    genuine = callback_url(fake_world)
    assert_no_token(visit(with_params(genuine, state="not-the-state-we-sent")))
    assert visit(genuine).status_code == 200  # the real login was left intact


def test_a_replayed_callback_is_refused(issuer: FakeIssuer, fake_world: FakeWorld) -> None:
    genuine = callback_url(fake_world)
    assert visit(genuine).status_code == 200
    assert_no_token(visit(genuine))


def test_a_code_replayed_under_a_fresh_state_is_refused(
    issuer: FakeIssuer, fake_world: FakeWorld
) -> None:
    used = callback_url(fake_world)
    assert visit(used).status_code == 200
    fresh_state = parse_qs(urlsplit(callback_url(fake_world)).query)["state"][0]
    used_code = parse_qs(urlsplit(used).query)["code"][0]
    assert_no_token(visit(with_params(used, code=used_code, state=fresh_state)))


def test_a_callback_naming_another_issuer_is_refused(
    issuer: FakeIssuer, fake_world: FakeWorld
) -> None:
    mixed_up = with_params(callback_url(fake_world), iss="https://login.evil.example")
    assert_no_token(visit(mixed_up))


def test_a_provider_reporting_an_error_signs_nobody_in(
    issuer: FakeIssuer, fake_world: FakeWorld
) -> None:
    denied = with_params(callback_url(fake_world), code=None, error="access_denied")
    assert_no_token(visit(denied), status=401)


def test_a_login_started_in_one_process_finishes_in_another(
    issuer: FakeIssuer, fake_world: FakeWorld, server: Server
) -> None:
    """Two API processes behind one public URL share the login state."""
    genuine = callback_url(fake_world)
    with serve(server.data_dir, CLUSTERWORK_PUBLIC_BASE_URL=server.base_url) as other:
        response = visit(genuine.replace(server.base_url, other.base_url, 1))
        assert response.status_code == 200, response.text
        token = response.json()["access_token"]
    viewer = server.ok("{ viewer { memberships { cluster { id } } } }", token=token)["viewer"]
    assert [m["cluster"]["id"] for m in viewer["memberships"]] == [fake_world.cluster.id]
