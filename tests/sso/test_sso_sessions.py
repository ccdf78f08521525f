"""A browser that signs in gets a page on how to use GraphiQL and a session
cookie (HttpOnly, SameSite=Lax) that GraphQL accepts until logout ends the
session on the server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from fake_issuer import FakeIssuer
from sso_api import VIEWER, FakeWorld, codes
from sso_server import Server

pytestmark = pytest.mark.e2e


@contextmanager
def signed_in_browser(
    world: FakeWorld, accept: str
) -> Iterator[tuple[httpx.Client, httpx.Response]]:
    with httpx.Client(follow_redirects=True, timeout=30, headers={"Accept": accept}) as client:
        yield client, client.get(world.login_url)


def viewer_with_cookie(server: Server, session: str) -> dict:
    response = httpx.post(
        f"{server.base_url}/graphql",
        json={"query": VIEWER},
        cookies={"cw_session": session},
        timeout=30,
    )
    return response.json()


def test_a_browser_gets_a_page_on_using_graphiql_and_an_httponly_lax_cookie(
    issuer: FakeIssuer, fake_world: FakeWorld, server: Server
) -> None:
    accept = "text/html,application/xhtml+xml,*/*;q=0.8"
    with signed_in_browser(fake_world, accept) as (_, page):
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "Fedor Fake" in page.text
        assert f"{server.base_url}/graphql" in page.text
        assert "Authorization: Bearer &lt;token&gt;" in page.text
        assert page.headers["cache-control"] == "no-store"
        cookie = page.headers["set-cookie"].lower()
        assert cookie.startswith("cw_session=")
        assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie


def test_graphql_accepts_the_session_cookie_until_logout(
    issuer: FakeIssuer, fake_world: FakeWorld, server: Server
) -> None:
    with signed_in_browser(fake_world, "application/json") as (client, signed_in):
        assert signed_in.status_code == 200
        session = client.cookies["cw_session"]
        viewer = viewer_with_cookie(server, session)["data"]["viewer"]
        assert [m["cluster"]["id"] for m in viewer["memberships"]] == [fake_world.cluster.id]
        ended = client.post(f"{server.base_url}/auth/logout")
        assert ended.json() == {"signed_out": True}
        assert "cw_session" not in client.cookies  # the browser forgets it…
    assert codes(viewer_with_cookie(server, session)) == [
        "UNAUTHENTICATED"
    ]  # …and so does the server
    again = httpx.post(
        f"{server.base_url}/auth/logout",
        cookies={"cw_session": session},
        headers={"Accept": "application/json"},
        timeout=30,
    )
    assert again.json() == {"signed_out": False}


def test_a_made_up_session_cookie_is_no_session(server: Server) -> None:
    assert codes(viewer_with_cookie(server, "made-up-session-value")) == ["UNAUTHENTICATED"]


def test_the_bearer_header_wins_over_the_cookie(
    issuer: FakeIssuer, fake_world: FakeWorld, server: Server
) -> None:
    with signed_in_browser(fake_world, "application/json") as (client, _):
        session = client.cookies["cw_session"]
    response = httpx.post(
        f"{server.base_url}/graphql",
        json={"query": VIEWER},
        cookies={"cw_session": session},
        headers={"Authorization": "Bearer not-a-token"},
        timeout=30,
    )
    assert codes(response.json()) == ["UNAUTHENTICATED"]


def test_get_logout_tells_a_client_to_post(server: Server) -> None:
    answer = httpx.get(
        f"{server.base_url}/auth/logout", headers={"Accept": "application/json"}, timeout=30
    )
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"
    assert answer.json() == {
        "error": "method_not_allowed",
        "error_description": "sign out with POST /auth/logout",
    }


def test_get_logout_gives_a_browser_a_sign_out_button_and_signs_nobody_out(
    issuer: FakeIssuer, fake_world: FakeWorld, server: Server
) -> None:
    with signed_in_browser(fake_world, "application/json") as (client, _):
        session = client.cookies["cw_session"]
        page = client.get(
            f"{server.base_url}/auth/logout",
            headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
        )
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["cache-control"] == "no-store"
        form = f'<form method="post" action="{server.base_url}/auth/logout">'
        assert form in page.text and '<button type="submit">Sign out</button>' in page.text
        assert "<script" not in page.text.lower()
        assert "set-cookie" not in page.headers
        assert not codes(viewer_with_cookie(server, session))  # still signed in
