"""Rate limiting: token buckets per token (per IP without a valid one); a
caller over its limit gets RATE_LIMITED (HTTP 429) at once, and nobody else
notices. Small limits are set on this test's own app only."""

from __future__ import annotations

import pytest
from hardening_world import VIEWER, Gql, app_client, build_world
from starlette.websockets import WebSocketDisconnect

from infra.bootstrap import Container
from infra.rate_limit import TokenBuckets
from infra.settings import Settings
from services.principal import Principal

SMALL = {"rate_limit_burst": 5, "rate_limit_per_second": 0.5}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_burst_then_refills_at_its_rate() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(rate=2.0, burst=3, clock=clock)
    assert [buckets.take("a") for _ in range(3)] == [0, 0, 0]
    assert buckets.take("a") == pytest.approx(0.5)  # one token comes back in 1/rate s
    assert buckets.take("b") == 0  # another caller's bucket is full
    clock.now += 0.5
    assert buckets.take("a") == 0 and buckets.take("a") > 0
    clock.now += 3600
    assert [buckets.take("a") for _ in range(4)][-1] > 0  # refills up to the burst, no more


def test_buckets_stay_bounded_and_a_forgotten_one_comes_back_full() -> None:
    buckets = TokenBuckets(rate=1.0, burst=1, clock=FakeClock(), max_buckets=100)
    assert buckets.take("first") == 0 and buckets.take("first") > 0
    for n in range(150):
        buckets.take(f"k{n}")
    assert len(buckets._buckets) == 100
    assert buckets.take("first") == 0


def test_the_defaults_are_generous_and_on() -> None:
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert defaults.rate_limit and defaults.rate_limit_per_second >= 50
    assert defaults.rate_limit_burst >= 200


def test_a_token_over_its_limit_gets_429_and_others_go_on(shared_container: Container) -> None:
    gql = Gql(shared_container)
    world = build_world(gql, "Limited")
    other = Principal("rate-other", "Other", None, False)
    mint = shared_container.tokens.mint
    noisy, quiet = ({"Authorization": f"Bearer {mint(p)}"} for p in (world.coordinator, other))
    client = app_client(shared_container, **SMALL)
    answers = [client.post("/graphql", json=VIEWER, headers=noisy) for _ in range(8)]
    assert [a.status_code for a in answers] == [200] * 5 + [429] * 3
    refused = answers[-1]
    body = refused.json()
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert int(refused.headers["retry-after"]) >= 1 and refused.headers["x-request-id"]
    assert client.post("/graphql", json=VIEWER, headers=quiet).status_code == 200
    assert client.post("/graphql", json=VIEWER).status_code == 200  # no token: the IP's bucket
    assert client.get("/healthz").status_code == 200


def test_without_a_valid_token_the_ip_is_limited(shared_container: Container) -> None:
    client = app_client(shared_container, **SMALL)
    forged = [{"Authorization": f"Bearer forged-{n}"} for n in range(8)]
    statuses = [client.post("/graphql", json=VIEWER, headers=h).status_code for h in forged]
    assert statuses == [200] * 5 + [429] * 3  # new forged tokens do not mint new buckets
    assert all(client.get("/healthz").status_code == 200 for _ in range(10))


def test_rate_limiting_can_be_switched_off(shared_container: Container) -> None:
    client = app_client(shared_container, rate_limit=False, **SMALL)
    assert {client.post("/graphql", json=VIEWER).status_code for _ in range(10)} == {200}


def test_a_websocket_handshake_over_the_limit_is_closed_with_4429(
    shared_container: Container,
) -> None:
    client = app_client(shared_container, **SMALL)
    for _ in range(SMALL["rate_limit_burst"]):
        client.post("/graphql", json=VIEWER)
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]),
    ):
        pass
    assert closed.value.code == 4429
