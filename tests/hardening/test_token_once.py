"""A request's bearer token is verified once (infra/tokens.py, VERIFIED_TOKEN):
the rate limiter verifies it and the GraphQL context uses that result. Only
within the request: the next request verifies its token again, so an expired
or forged token is refused every time, and a request's own header decides."""

from __future__ import annotations

from typing import Any

import pytest
from hardening_world import VIEWER, Gql, app_client, build_world

from infra.app import authenticate
from infra.bootstrap import Container
from infra.tokens import VERIFIED_TOKEN, TokenService
from services.principal import Principal


class CountingTokens(TokenService):
    def __init__(self, real: TokenService) -> None:
        super().__init__(real.key, real.issuer, real.ttl_seconds)
        self.verified = 0

    def verify(self, token: str) -> Principal:
        self.verified += 1
        return super().verify(token)


@pytest.fixture
def counted(shared_container: Container) -> Any:
    real = shared_container.tokens
    counting = CountingTokens(real)
    shared_container.tokens = counting
    yield counting
    shared_container.tokens = real


def test_each_request_verifies_its_token_once(shared_container: Container, counted) -> None:
    world = build_world(Gql(shared_container), "TokenOnce")
    client = app_client(shared_container)  # rate limiting on, as served
    headers = {"Authorization": f"Bearer {counted.mint(world.coordinator)}"}
    for expected in (1, 2, 3):  # and again on every request
        body = client.post("/graphql", json=VIEWER, headers=headers).json()
        assert body["data"]["viewer"]["id"] == world.coordinator.person_id
        assert counted.verified == expected


def test_an_expired_token_is_refused_on_every_request(shared_container: Container) -> None:
    tokens = shared_container.tokens
    expired = tokens.mint(Principal("p-expired", "Old"), ttl_seconds=-3600)
    client = app_client(shared_container)
    for _ in range(2):
        body = client.post(
            "/graphql", json=VIEWER, headers={"Authorization": f"Bearer {expired}"}
        ).json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_only_the_same_token_is_taken_as_verified(shared_container: Container) -> None:
    tokens = shared_container.tokens
    someone = Principal("p-someone", "Someone")
    state = {VERIFIED_TOKEN: ("another-token", someone)}
    principal, error = authenticate("Bearer not-a-token", tokens, state)
    assert principal is None and error is not None
    good = tokens.mint(Principal("p-good", "Good"))
    assert authenticate(f"Bearer {good}", tokens, state)[0] == Principal("p-good", "Good")
    state = {VERIFIED_TOKEN: (good, someone)}  # what the rate limiter left for this token
    assert authenticate(f"Bearer {good}", tokens, state)[0] is someone
