"""CPU per request in process: the peer benchmark's write or members read, sent
to the ASGI app directly (no socket, no load generator in the way), on a scratch
PostgreSQL database.

    .venv/bin/python -m bench.in_process write|spread|members|floor CLIENTS REQUESTS [stages]

A cluster of 30 subjects, each with a member, written through the API as
bench/peer.py writes it (so any checkout can run it); client i is member i. ``write`` is ``declareInterest(…) { id }`` with a new statement each
time, ``spread`` the same write with each client on a cluster of its own (one
subject, one member), ``floor`` is ``{ __typename }`` with the client's token,
``members`` is ``cluster(id) { members { id name roles } }``. After a warm-up
of 20 requests per client, CLIENTS concurrent clients send REQUESTS in all; the
process's CPU time (all threads) ÷ requests is printed, with the statements per
request: SQLAlchemy's (``before_cursor_execute``) and the event store's (psycopg
``Cursor.execute`` / ``executemany``, counted around the library's own calls).
With ``stages``, a write's stages are timed too (``time.thread_time`` and wall time
around ``CommandRunner``'s and the PostgreSQL recorder's methods, per command, and the
groups' mean size). Run it under ``py-spy record --gil`` for where the CPU goes. Not part of
``make bench``: it is for comparing two checkouts, one after the other.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import orjson
import psycopg
from sqlalchemy import event
from sqlalchemy.engine import Engine

from bench import seed
from bench.peer import ADD_MEMBER, ADMIT, CW_MEMBERS, CW_WRITE, FLOOR, FOUND
from bench.stores import close, fresh_database, settings
from infra.app import create_app
from infra.bootstrap import Container, bootstrap
from infra.eventstore.postgres import ChainedPostgresRecorder
from services.commands import CommandRunner

SUBJECTS = 30
WARMUP = 20


@contextmanager
def counted() -> Iterator[Counter[str]]:
    """Statements sent inside the block, by who sent them."""
    seen: Counter[str] = Counter()

    def on_statement(*_: Any) -> None:
        seen["read model and directory (SQLAlchemy)"] += 1

    execute, executemany = psycopg.Cursor.execute, psycopg.Cursor.executemany

    def cursor_execute(self: Any, *args: Any, **kwargs: Any) -> Any:
        seen["psycopg execute (event store, and SQLAlchemy's again)"] += 1
        return execute(self, *args, **kwargs)

    def cursor_executemany(self: Any, *args: Any, **kwargs: Any) -> Any:
        seen["psycopg executemany (event store)"] += 1
        return executemany(self, *args, **kwargs)

    event.listen(Engine, "before_cursor_execute", on_statement)
    psycopg.Cursor.execute = cursor_execute  # type: ignore[method-assign]
    psycopg.Cursor.executemany = cursor_executemany  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        psycopg.Cursor.execute = execute  # type: ignore[method-assign]
        psycopg.Cursor.executemany = executemany  # type: ignore[method-assign]
        event.remove(Engine, "before_cursor_execute", on_statement)


# A command's stages, by the method that runs each (class, method, label). A group
# runs its bodies once: their count is the number of groups.
BODIES = "  bodies, with the registry's load"
STAGES = (
    (CommandRunner, "execute", "the command in its thread"),
    (CommandRunner, "_run", BODIES),
    (CommandRunner, "save", "  append"),
    (ChainedPostgresRecorder, "_wake_listeners", "    of it the wake-up"),
    (CommandRunner, "project", "  projection pass (the leader's)"),
    (CommandRunner, "after", "  after-save hooks"),
    (CommandRunner, "scope", "  the caller's scope"),
)


@contextmanager
def timed_stages() -> Iterator[dict[str, list[float]]]:
    """Per stage label: calls, thread CPU seconds and wall seconds inside the block."""
    spent: dict[str, list[float]] = {label: [0, 0.0, 0.0] for _, _, label in STAGES}
    originals = [(cls, name, getattr(cls, name)) for cls, name, _ in STAGES]

    def timed(method: Any, label: str) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            cpu, wall = time.thread_time(), time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                entry = spent[label]
                entry[0] += 1
                entry[1] += time.thread_time() - cpu
                entry[2] += time.perf_counter() - wall

        return run

    for (cls, name, method), (_, _, label) in zip(originals, STAGES, strict=True):
        setattr(cls, name, timed(method, label))
    try:
        yield spent
    finally:
        for cls, name, method in originals:
            setattr(cls, name, method)


def print_stages(spent: dict[str, list[float]], done: int) -> None:
    groups = spent[BODIES][0]
    print(f"  stages per command (groups of {done / max(groups, 1):.1f} commands on average):")
    for label, (calls, cpu, wall) in spent.items():
        print(
            f"  {label:<40} {calls / done:5.2f} calls, CPU {cpu / done * 1e6:6.0f} µs, "
            f"wall {wall / done * 1e6:6.0f} µs"
        )


async def drive(
    container: Container, mode: str, clients: int, requests: int, stages: bool = False
) -> None:
    app = create_app(container)
    async with app.router.lifespan_context(app):  # the threads for operations, as served
        await drive_app(app, container, mode, clients, requests, stages)


def graphql_post(query: str, variables: dict[str, Any], token: str) -> tuple[dict[str, Any], bytes]:
    """The ASGI scope and body of a GraphQL POST with ``token``, as a server hands
    them to the app."""
    body = orjson.dumps({"query": query, "variables": variables})
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"authorization", f"Bearer {token}".encode()),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    return scope, body


async def drive_app(
    app: Any, container: Container, mode: str, clients: int, requests: int, stages: bool = False
) -> None:

    async def post(query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
        scope, body = graphql_post(query, variables, token)
        sent = False
        answer: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.Event().wait()  # no disconnect while the answer is sent
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                answer.append(message.get("body", b""))

        await app(scope, receive, send)
        found = orjson.loads(b"".join(answer))
        if found.get("errors"):
            raise RuntimeError(found["errors"])
        return found["data"]  # type: ignore[no-any-return]

    # The world of bench/peer.py, written through the API as it writes it.
    operator = seed.operator()
    container.directory.ensure_person(operator.person_id, operator.name, None)
    op_token = container.tokens.mint(operator, ttl_seconds=3600)
    cluster_id = (await post(FOUND, {"n": "Peer cluster"}, op_token))["foundCluster"]["id"]
    persons = seed.people(container, 8, tag="inproc")
    subjects = []
    for i in range(SUBJECTS):
        admitted = await post(ADMIT, {"c": cluster_id, "n": f"Institution {i + 1}"}, op_token)
        subjects.append(admitted["admitSubject"]["id"])
        added = await post(
            ADD_MEMBER, {"c": cluster_id, "n": f"Member {i + 1}", "s": subjects[-1]}, op_token
        )
        if i < len(persons):
            member_id = added["addMember"]["id"]
            container.directory.link(persons[i].principal.person_id, cluster_id, member_id)

    # spread: each client writes to a cluster of its own, as its cluster's only member.
    own: list[tuple[str, str]] = []
    for i in range(clients if mode == "spread" else 0):
        founded = await post(FOUND, {"n": f"Own cluster {i + 1}"}, op_token)
        own_cluster = founded["foundCluster"]["id"]
        admitted = await post(ADMIT, {"c": own_cluster, "n": "Institution"}, op_token)
        own_subject = admitted["admitSubject"]["id"]
        added = await post(
            ADD_MEMBER, {"c": own_cluster, "n": "Member", "s": own_subject}, op_token
        )
        container.directory.link(
            persons[i].principal.person_id, own_cluster, added["addMember"]["id"]
        )
        own.append((own_cluster, own_subject))

    async def call(client: int, n: int) -> None:
        token = persons[client].token
        if mode in ("write", "spread"):
            c, s = own[client] if own else (cluster_id, subjects[client])
            await post(CW_WRITE, {"c": c, "s": s, "t": f"{n} {uuid.uuid4().hex}"}, token)
        elif mode == "floor":
            await post(FLOOR, {}, token)
        else:
            await post(CW_MEMBERS, {"id": cluster_id}, token)

    async def client(index: int, count: int) -> None:
        for n in range(count):
            await call(index, n)

    await asyncio.gather(*(client(i, WARMUP) for i in range(clients)))
    each = requests // clients
    with counted() as seen, timed_stages() if stages else nullcontext() as spent:
        wall, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(client(i, each) for i in range(clients)))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    done = each * clients
    print(
        f"{mode}, {clients} client(s), {done} requests: {done / wall:.0f}/s in process, "
        f"CPU {cpu / done * 1000:.2f} ms per request"
    )
    for who, n in sorted(seen.items()):
        print(f"  {n / done:.2f} statements per request: {who}")
    if spent is not None:
        print_stages(spent, done)


def main(argv: list[str]) -> None:
    usage = "usage: python -m bench.in_process write|spread|members|floor CLIENTS REQUESTS [stages]"
    modes = ("write", "spread", "members", "floor")
    if len(argv) < 3 or argv[0] not in modes or argv[3:] not in ([], ["stages"]):
        raise SystemExit(usage)
    mode, clients, requests = argv[0], int(argv[1]), int(argv[2])
    stages = argv[3:] == ["stages"]
    with tempfile.TemporaryDirectory(prefix="cw-inproc-") as tmp, fresh_database() as url:
        if url is None:
            raise SystemExit("PostgreSQL is unreachable")
        # As in bench/peer.py: the rate limiter runs on every request, refusing none.
        unlimited = settings(Path(tmp), url).model_copy(update={"rate_limit_per_second": 10**6})
        container = bootstrap(unlimited)
        try:
            asyncio.run(drive(container, mode, clients, requests, stages))
        finally:
            close(container)


if __name__ == "__main__":
    main(sys.argv[1:])
