"""Only an operation that reads nothing (``__typename``, and the fields answered
from the token) runs on the event loop; every other one goes to a worker thread,
so the loop never waits on the database."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, cast

import pytest

from graphql_api.context import Context
from graphql_api.schema import FROM_THE_REQUEST, build_schema, only_queries, reads_nothing
from services.principal import Principal


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ __typename }", True),
        ("query Ping { a: __typename __typename }", True),
        ("mutation { __typename }", True),
        ("{ viewer { id } }", True),
        ("{ __typename me: viewer { id __typename } }", True),
        ("{ viewer { id name } }", False),
        ("{ viewer { memberships { role } } }", False),
        ("{ viewer }", True),  # invalid, and refused as anywhere
        ("{ __typename cluster(id: 1) { id } }", False),
        ("query A { __typename } query B { viewer { name } }", False),
        ("mutation { viewer { id } }", False),
        ("fragment F on Query { __typename } { ...F }", False),
        ("{ ... on Query { __typename } }", False),
        ("{ __typename", False),  # does not parse: a worker thread reports it
        ("", False),
    ],
)
def test_which_documents_read_nothing(query: str, expected: bool) -> None:
    assert reads_nothing(query) is expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ cluster(id: 1) { id } }", True),
        ("query A { viewer { name } } query B { __typename }", True),
        ("fragment F on Query { __typename } { ...F }", True),
        ("mutation { foundCluster { id } }", False),
        ("query A { __typename } mutation B { x }", False),  # either may be run
        ("subscription { clusterEvents { position } }", False),  # refused, not read
        ("{ cluster(id: 1) { id }", False),  # does not parse: a thread reports it
    ],
)
def test_which_documents_are_queries_alone(query: str, expected: bool) -> None:
    # ThreadedSchema runs these in the threads for queries (CLUSTERWORK_READ_THREADS).
    assert only_queries(query) is expected


def test_only_an_operation_that_reads_nothing_stays_on_the_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    schema = build_schema()
    ran_on: list[threading.Thread] = []
    execute_sync = schema.execute_sync

    def recording(*args: Any, **kwargs: Any) -> Any:
        ran_on.append(threading.current_thread())
        return execute_sync(*args, **kwargs)

    monkeypatch.setattr(schema, "execute_sync", recording)
    loop_thread = threading.current_thread()
    answer = asyncio.run(schema.execute("{ __typename }"))
    assert answer.data == {"__typename": "Query"} and answer.errors is None
    asyncio.run(schema.execute("{ viewer { name } }"))  # no caller: refused, but in a thread
    asyncio.run(schema.execute("{ __typename"))
    assert ran_on[0] is loop_thread
    assert ran_on[1] is not loop_thread and ran_on[2] is not loop_thread


class Untouchable:
    """A service that fails on any use: what is answered from the request uses none."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __getattr__(self, method: str) -> Any:
        raise AssertionError(f"{self.name}.{method} used by a field answered from the request")


class UntouchableServices:
    """Every service handed out (resolvers may pass one on), none usable."""

    def __getattr__(self, name: str) -> Untouchable:
        return Untouchable(name)


def test_the_fields_answered_from_the_request_read_nothing() -> None:
    principal = Principal(person_id="p-1", name="Ada")
    context = Context(cast(Any, UntouchableServices()), principal, None, "request-1")
    query = "{ " + every_field("Query") + " }"  # every field the list names
    assert reads_nothing(query)
    answer = build_schema().execute_sync(query, context_value=context)
    assert answer.errors is None, answer.errors
    assert answer.data is not None and answer.data["__typename"] == "Query"
    assert answer.data["viewer"] == {"__typename": "Viewer", "id": "p-1"}


def every_field(type_name: str) -> str:
    fields = ["__typename"]
    for name, value_type in FROM_THE_REQUEST[type_name].items():
        fields.append(f"{name} {{ {every_field(value_type)} }}" if value_type else name)
    return " ".join(fields)
