"""CPU per authenticated ``{ __typename }`` through each layer of the application,
in process (the ASGI app called directly, no socket), on a scratch SQLite data
directory:

    .venv/bin/python -m bench.layers [REQUESTS]

The layers, from the outside in: the whole application as ``clusterwork serve``
serves it; strawberry's view inside our middlewares; strawberry's view alone;
and the schema's ``execute_sync`` of the document (no HTTP at all). They take
turns, six rounds of REQUESTS each (3,000 unless given), and the medians are
printed: the differences are what each layer costs. Not part of ``make bench``:
it explains the floor's figure ("The floor, second round" in
docs/performance.md).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson

from bench import seed
from bench.in_process import graphql_post
from graphql_api.context import Context
from infra.app import create_app
from infra.bootstrap import bootstrap
from infra.settings import Settings

QUERY = "{ __typename }"
ROUNDS = 6


def request_of(token: str) -> tuple[dict[str, Any], bytes]:
    return graphql_post(QUERY, {}, token)


def caller(app: Any, scope: dict[str, Any], body: bytes) -> Callable[[], Awaitable[bytes]]:
    async def one() -> bytes:
        answer: list[bytes] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                answer.append(message.get("body", b""))

        await app(dict(scope, state={}), receive, send)
        return b"".join(answer)

    return one


async def measure(requests: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory(prefix="cw-layers-") as data_dir:
        return await measure_in(Path(data_dir), requests)


async def measure_in(data_dir: Path, requests: int) -> dict[str, list[float]]:
    container = bootstrap(Settings(data_dir=data_dir, rate_limit_per_second=1e6))
    app = create_app(container)
    person = seed.people(container, 1, tag="layers")[0]
    scope, body = request_of(person.token)
    async with app.router.lifespan_context(app):
        whole = caller(app, scope, body)
        # Our middlewares around GraphQLFirst: what FastAPI's entry hands a request to.
        ours = app.build_middleware_stack()
        context = Context(container.services, person.principal, None, "bench-layers")

        async def executed() -> bytes:
            result = app.graphql.schema.execute_sync(QUERY, context_value=context)
            return orjson.dumps({"data": result.data})

        layers: dict[str, Callable[[], Awaitable[bytes]]] = {
            "the whole application (FastAPI's entry)": whole,
            "our middlewares, then strawberry's view": caller(ours, scope, body),
            "strawberry's view alone": caller(app.graphql, scope, body),
            "the schema's execute_sync, no HTTP": executed,
        }
        for name, one in layers.items():  # each layer answers, before it is timed
            answer = await one()
            if orjson.loads(answer) != {"data": {"__typename": "Query"}}:
                raise RuntimeError(f"{name} answered {answer!r}")
        spent: dict[str, list[float]] = {name: [] for name in layers}
        for turn in range(ROUNDS):
            order = list(layers.items())
            for name, one in order if turn % 2 == 0 else reversed(order):
                started = time.process_time()
                for _ in range(requests):
                    await one()
                spent[name].append((time.process_time() - started) / requests * 1e6)
    container.close()
    return spent


def main(argv: list[str]) -> None:
    requests = int(argv[0]) if argv else 3000
    spent = asyncio.run(measure(requests))
    print(f"CPU per `{QUERY}` in process, median of {ROUNDS} alternated rounds of {requests}:")
    for name, values in spent.items():
        rounds = " ".join(f"{v:.0f}" for v in values)
        print(f"  {statistics.median(values):6.1f} µs  {name}  (rounds: {rounds})")


if __name__ == "__main__":
    main(sys.argv[1:])
