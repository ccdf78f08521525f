"""Only an operation that reads nothing (``__typename`` alone at its root) runs
on the event loop; every other one goes to a worker thread, so the loop never
waits on the database."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from graphql_api.schema import build_schema, reads_nothing


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ __typename }", True),
        ("query Ping { a: __typename __typename }", True),
        ("mutation { __typename }", True),
        ("{ viewer { id } }", False),
        ("{ __typename viewer { id } }", False),
        ("query A { __typename } query B { viewer { id } }", False),
        ("fragment F on Query { __typename } { ...F }", False),
        ("{ ... on Query { __typename } }", False),
        ("{ __typename", False),  # does not parse: a worker thread reports it
        ("", False),
    ],
)
def test_which_documents_read_nothing(query: str, expected: bool) -> None:
    assert reads_nothing(query) is expected


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
    asyncio.run(schema.execute("{ viewer { id } }"))  # no caller: refused, but in a thread
    asyncio.run(schema.execute("{ __typename"))
    assert ran_on[0] is loop_thread
    assert ran_on[1] is not loop_thread and ran_on[2] is not loop_thread
