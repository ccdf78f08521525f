"""Fuzzing: schemathesis generates queries and mutations from the GraphQL schema,
hypothesis drives them, and they go to the app (in-process, over ASGI) as a
cluster's coordinator. No answer may be a 5xx, and no error may be INTERNAL.

IDs are drawn from the cluster's real ids (so the fuzzer reaches past NOT_FOUND
into the commands), another cluster's, and malformed text. Bounded in CI:
CLUSTERWORK_FUZZ_EXAMPLES per operation (default 8); `make fuzz` runs many more.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hardening_world import Gql, TestClient, World, app_client, build_world
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphql import StringValueNode
from graphql_api.schema import schema_sdl
from infra.bootstrap import Container

EXAMPLES = int(os.environ.get("CLUSTERWORK_FUZZ_EXAMPLES", "8"))
# The ids the fuzzer picks from, filled by the fixture (one backend at a time).
KNOWN_IDS: list[str] = []


def pick_id(index: int) -> str:
    return KNOWN_IDS[index % len(KNOWN_IDS)] if KNOWN_IDS else "none-yet"


IDS = st.one_of(
    st.integers(0, 10_000).map(pick_id),
    st.text(max_size=40),
    st.uuids().map(str),
)
schemathesis.graphql.scalar("ID", IDS.map(lambda value: StringValueNode(value=value)))
schemathesis.graphql.scalar(
    "Date", st.dates().map(lambda day: StringValueNode(value=day.isoformat()))
)


OPERATIONS = [o.ok() for o in schemathesis.graphql.from_file(schema_sdl()).get_all_operations()]


@pytest.fixture(scope="module")
def fuzzed(shared_container: Container) -> Iterator[tuple[TestClient, dict[str, str]]]:
    gql = Gql(shared_container)
    home: World = build_world(gql, "Fuzz")  # also fakes issuer discovery: no network
    other = build_world(gql, "Elsewhere")
    KNOWN_IDS[:] = [*home.ids.values(), *other.ids.values()]
    token = shared_container.tokens.mint(home.coordinator)
    # A fuzzer is no normal client: it would empty its bucket; the limiter has its own tests.
    client = app_client(shared_container, rate_limit=False)
    yield client, {"Authorization": f"Bearer {token}"}
    KNOWN_IDS.clear()


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: o.label)
def test_no_input_gets_a_5xx_or_an_internal_error(
    operation: Any, fuzzed: tuple[TestClient, dict[str, str]]
) -> None:
    client, auth = fuzzed

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize="CLUSTERWORK_FUZZ_EXAMPLES" not in os.environ,
        database=None,
    )
    @given(case=operation.as_strategy())
    def no_5xx_no_internal(case: Any) -> None:
        response = client.post("/graphql", json={"query": case.body}, headers=auth)
        assert response.status_code < 500, response.text[:500]
        errors = response.json().get("errors") or []
        internal = [e for e in errors if e.get("extensions", {}).get("code") == "INTERNAL"]
        assert not internal, f"{case.body}\n{internal}"

    no_5xx_no_internal()
