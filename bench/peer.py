"""The peer: Clusterwork beside PostGraphile 4 on the same PostgreSQL rows.

A `clusterwork serve` process writes a cluster (its subjects and members, through
the GraphQL API) into a scratch database; PostGraphile (bench/peer, pinned in its
package.json) then serves that cluster's schema, the same read-model rows. One
load generator, autocannon (bench/peer/load.mjs), drives both servers in
alternating timed phases, at 1 and 8 clients (connections, each its own token):

- members of a cluster (id, name, roles): Clusterwork's ``cluster { members }``
  against PostGraphile's ``allRmMembers`` over the same ``rm_member`` table;
- the floor: ``{ __typename }`` with a member's token against ``{ __typename }``;
- ``{ viewer { id } }`` against PostGraphile's ``{ __typename }``;
- a write: ``declareInterest`` (each request a new statement: a real event,
  projected before the answer) against one INSERT mutation into a table of a
  schema of its own (``peer_writes``), so PostGraphile never writes our rows.

PostgreSQL only (PostGraphile knows no SQLite). Server CPU per request is the
server process's user + system time over a phase (/proc) ÷ its requests: the
database's own CPU is in neither figure.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import textwrap
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench import harness, report, seed
from bench.harness import BenchError, Stack, graphql
from infra.partitions import schema_name
from testkit.server import LaunchError, free_port, running, wait_until

PEER = Path(__file__).resolve().parent / "peer"
# autocannon runs whole seconds: a phase of 0.4 s lasts 1 s.
FULL = {"alternations": 3, "seconds": 10.0, "warmup": 2.0}
QUICK = {"alternations": 2, "seconds": 2.0, "warmup": 1.0}
SUBJECTS = 30
CLIENTS = (1, 8)
WRITE_SCHEMA = "peer_writes"

CW_MEMBERS = "query Members($id: ID!) { cluster(id: $id) { members { id name roles } } }"
PG_MEMBERS = "{ allRmMembers(orderBy: SEQ_ASC) { nodes { id name roles } } }"
FLOOR = "{ __typename }"
VIEWER = "{ viewer { id } }"
CW_WRITE = (
    "mutation($c: ID!, $s: ID!, $t: String!) "
    "{ declareInterest(clusterId: $c, subjectId: $s, kind: LEGAL, statement: $t) { id } }"
)
PG_WRITE = "mutation($b: String!) { createNote(input: {note: {body: $b}}) { note { id } } }"

FOUND = (
    "mutation($n: String!) "
    '{ foundCluster(input: {name: $n, region: "Peer region", form: GEOGRAPHIC}) { id } }'
)
ADMIT = (
    "mutation($c: ID!, $n: String!) "
    "{ admitSubject(clusterId: $c, input: {name: $n, kind: SCHOOL}) { id } }"
)
ADD_MEMBER = (
    "mutation($c: ID!, $n: String!, $s: ID!) "
    "{ addMember(clusterId: $c, input: {name: $n, roles: [MEMBER], subjectId: $s}) { id } }"
)


# --- the world both servers serve ------------------------------------------------------


@dataclass(frozen=True)
class World:
    """One cluster written through the API; client i is person i, member of subject i."""

    cluster_id: str
    subjects: list[str]
    members: list[str]
    persons: list[seed.Person]


def seed_world(stack: Stack, api_url: str, subjects: int = SUBJECTS) -> World:
    """Founds a cluster and admits ``subjects`` subjects, each with a member, through
    `serve`'s GraphQL API; links the load's persons to the first members (a person
    becomes a member by signing in, which a benchmark cannot do)."""
    operator = seed.operator()
    stack.container.directory.ensure_person(operator.person_id, operator.name, None)
    op_token = stack.container.tokens.mint(operator, ttl_seconds=6 * 3600)
    with harness.http_client(api_url) as http:
        cluster_id = graphql(http, FOUND, {"n": "Peer cluster"}, op_token)["foundCluster"]["id"]
        subject_ids, member_ids = [], []
        for i in range(subjects):
            admitted = graphql(
                http, ADMIT, {"c": cluster_id, "n": f"Institution {i + 1}"}, op_token
            )
            subject_ids.append(admitted["admitSubject"]["id"])
            added = graphql(
                http,
                ADD_MEMBER,
                {"c": cluster_id, "n": f"Member {i + 1}", "s": subject_ids[-1]},
                op_token,
            )
            member_ids.append(added["addMember"]["id"])
    persons = seed.people(stack.container, max(CLIENTS), tag="peer")
    for person, member in zip(persons, member_ids[: len(persons)], strict=True):
        stack.container.directory.link(person.principal.person_id, cluster_id, member)
    return World(cluster_id, subject_ids, member_ids, persons)


def create_write_table(url: str) -> None:
    """PostGraphile's own table for its INSERT mutation, beside (never in) the cluster."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {WRITE_SCHEMA}")
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {WRITE_SCHEMA}.note "
            "(id bigserial PRIMARY KEY, body text NOT NULL)"
        )


# --- the two servers -------------------------------------------------------------------


@dataclass
class Server:
    url: str  # the GraphQL endpoint
    pid: int


def node() -> str:
    found = shutil.which("node")
    if found is None:
        raise LaunchError("node is not installed: the peer benchmark runs PostGraphile on it")
    return found


def require_installed() -> None:
    for package in ("postgraphile", "autocannon"):
        if not (PEER / "node_modules" / package).is_dir():
            raise LaunchError(f"{package} is missing: run `make bench` (npm ci in {PEER})")


@contextmanager
def postgraphile(stack: Stack, schemas: list[str]) -> Iterator[Server]:
    """PostGraphile 4's CLI over ``schemas`` of the stack's database, on a free port."""
    require_installed()
    assert stack.url is not None
    port = free_port()
    argv = [
        node(),
        str(PEER / "node_modules" / "postgraphile" / "cli.js"),
        "--connection",
        stack.url,
        "--schema",
        ",".join(schemas),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--disable-query-log",
    ]
    env = {**os.environ, "NODE_ENV": "production"}
    out, err = stack.data_dir / "postgraphile.out", stack.data_dir / "postgraphile.err"
    url = f"http://127.0.0.1:{port}/graphql"
    with running(argv, env, stack.data_dir, out, err) as popen:
        wait_until(popen, lambda: answers(url), err, harness.START_SECONDS)
        yield Server(url, popen.pid)


def version(package: str) -> str:
    """The installed version of one of bench/peer's packages (npm ci installs the lock's)."""
    manifest = PEER / "node_modules" / package / "package.json"
    return str(json.loads(manifest.read_text())["version"])


def answers(url: str) -> bool:
    try:
        return httpx.post(url, json={"query": FLOOR}, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


# --- one phase of load -----------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """What each client sends: its headers and JSON body (``[<id>]``: a fresh id per request)."""

    query: str
    variables: dict[str, Any] = field(default_factory=dict)
    token: str | None = None

    def spec(self) -> dict[str, Any]:
        headers = {"content-type": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        return {
            "headers": headers,
            "body": json.dumps({"query": self.query, "variables": self.variables}),
        }


@dataclass
class Phase:
    """One server's share of a row, summed over its alternations."""

    requests: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    cpu_seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def p50(self) -> float:
        return harness.p50(self.latencies_ms)

    @property
    def p95(self) -> float:
        return harness.p95(self.latencies_ms)

    @property
    def cpu_ms(self) -> float:
        return self.cpu_seconds * 1000 / self.requests


def cpu_seconds(pid: int) -> float:
    """User + system time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class LoadGenerator:
    """bench/peer/load.mjs: autocannon in one Node process for every phase of a run."""

    popen: subprocess.Popen[str]
    log: Path

    def phase(self, spec: dict[str, Any]) -> dict[str, Any]:
        assert self.popen.stdin is not None and self.popen.stdout is not None
        self.popen.stdin.write(json.dumps(spec) + "\n")
        self.popen.stdin.flush()
        ready, _, _ = select.select([self.popen.stdout], [], [], spec["seconds"] + 120)
        line = self.popen.stdout.readline() if ready else ""
        if not line:
            raise BenchError(
                f"autocannon did not answer: {self.log.read_text(errors='replace')[-2000:]}"
            )
        answer: dict[str, Any] = json.loads(line)
        if "failed" in answer:
            raise BenchError(f"autocannon failed: {answer['failed']}")
        return answer


@contextmanager
def load_generator(log_dir: Path) -> Iterator[LoadGenerator]:
    require_installed()
    log = log_dir / "autocannon.err"
    with log.open("w") as err:
        popen = subprocess.Popen(
            [node(), str(PEER / "load.mjs")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            cwd=PEER,
        )
    try:
        yield LoadGenerator(popen, log)
    finally:
        assert popen.stdin is not None
        popen.stdin.close()  # the end of its input ends it
        try:
            popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait(timeout=15)


def load(
    generator: LoadGenerator,
    server: Server,
    clients: list[Request],
    seconds: float,
    into: Phase | None,
) -> None:
    """One autocannon phase against ``server``; added to ``into`` (None: a warm-up)."""
    specs = [c.spec() for c in clients]
    spec = {
        "url": server.url,
        "seconds": seconds,
        "clients": specs,
        "unique": any("[<id>]" in s["body"] for s in specs),
    }
    before = cpu_seconds(server.pid)
    found = generator.phase(spec)
    used = cpu_seconds(server.pid) - before
    failed = found["non2xx"] + found["mismatches"] + found["errors"] + found["timeouts"]
    if failed or not found["requests"]:
        raise BenchError(
            f"{server.url}: {found['requests']} answers, {found['non2xx']} non-2xx, "
            f"{found['mismatches']} GraphQL errors, {found['errors']} transport errors, "
            f"{found['timeouts']} timeouts; first bad answer: {found['first_bad_body']}"
        )
    if into is not None:
        into.requests += found["requests"]
        into.seconds += found["seconds"]
        into.latencies_ms.extend(found["latencies_ms"])
        into.cpu_seconds += used


# --- the rows --------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    key: str  # BENCH_PEER_CASES names it
    label: str
    ours: Callable[[World, int], Request]  # client index → its request
    peer: Callable[[int], Request]


def _members(world: World, i: int) -> Request:
    return Request(CW_MEMBERS, {"id": world.cluster_id}, world.persons[i].token)


def _floor(world: World, i: int) -> Request:
    return Request(FLOOR, {}, world.persons[i].token)


def _viewer(world: World, i: int) -> Request:
    return Request(VIEWER, {}, world.persons[i].token)


def _declare(world: World, i: int) -> Request:
    variables = {"c": world.cluster_id, "s": world.subjects[i], "t": "Statement [<id>]"}
    return Request(CW_WRITE, variables, world.persons[i].token)


CASES = [
    Case(
        "members",
        "members of a cluster (id, name, roles)",
        _members,
        lambda _: Request(PG_MEMBERS),
    ),
    Case("floor", "`{ __typename }` (with our token)", _floor, lambda _: Request(FLOOR)),
    Case("viewer", "`{ viewer { id } }` vs `{ __typename }`", _viewer, lambda _: Request(FLOOR)),
    Case(
        "write",
        "`declareInterest` vs one INSERT mutation",
        _declare,
        lambda _: Request(PG_WRITE, {"b": "Note [<id>]"}),
    ),
]


def chosen(environ: Mapping[str, str]) -> tuple[list[Case], float | None]:
    """The cases and the phase length a run asks for: BENCH_PEER_CASES (keys, comma
    separated: members, floor, viewer, write) and BENCH_PEER_SECONDS, to compare two
    checkouts row by row; neither set, every case at the run's size."""
    keys = [k.strip() for k in environ.get("BENCH_PEER_CASES", "").split(",") if k.strip()]
    unknown = sorted(set(keys) - {case.key for case in CASES})
    if unknown:
        raise BenchError(
            f"BENCH_PEER_CASES: no case {', '.join(unknown)} "
            f"(the cases: {', '.join(case.key for case in CASES)})"
        )
    cases = [case for case in CASES if case.key in keys] if keys else CASES
    seconds = environ.get("BENCH_PEER_SECONDS", "")
    if not seconds:
        return cases, None
    try:
        length = float(seconds)
    except ValueError:
        length = 0.0
    if not 1 <= length <= 60:
        raise BenchError(f"BENCH_PEER_SECONDS: {seconds!r} is not a number of seconds, 1 to 60")
    return cases, length


@dataclass
class Row:
    label: str
    clients: int
    ours: Phase
    peer: Phase

    @property
    def ratio(self) -> float:
        return self.ours.rate / self.peer.rate


def measure(
    stack: Stack,
    alternations: int,
    seconds: float,
    warmup: float,
    clients: tuple[int, ...] = CLIENTS,
    progress: Callable[[Row], None] = lambda _: None,
    cases: list[Case] = CASES,
) -> list[Row]:
    """Every case at every client count: a warm-up phase per server, then
    ``alternations`` phases of ``seconds`` each per server, taking turns (the server
    that goes first alternates too)."""
    if stack.url is None:
        raise BenchError("the peer benchmark needs PostgreSQL")
    with ExitStack() as exits:
        api_url = exits.enter_context(harness.serve(stack, name="peer-serve"))
        ours = Server(f"{api_url}/graphql", harness.PIDS[api_url])
        world = seed_world(stack, api_url)
        create_write_table(stack.url)
        peer = exits.enter_context(
            postgraphile(stack, [schema_name(world.cluster_id), WRITE_SCHEMA])
        )
        same_rows(world, api_url, peer)
        generator = exits.enter_context(load_generator(stack.data_dir))
        rows = []
        for case in cases:
            for count in clients:
                row = Row(case.label, count, Phase(), Phase())
                sides = [
                    (ours, [case.ours(world, i) for i in range(count)], row.ours),
                    (peer, [case.peer(i) for i in range(count)], row.peer),
                ]
                if warmup:
                    for server, requests, _ in sides:
                        load(generator, server, requests, warmup, None)
                for turn in range(alternations):
                    for server, requests, phase in sides[:: 1 if turn % 2 == 0 else -1]:
                        load(generator, server, requests, seconds, phase)
                progress(row)
                rows.append(row)
        return rows


def same_rows(world: World, api_url: str, peer: Server) -> None:
    """Both servers list the same members: the figures compare like with like."""
    with harness.http_client(api_url) as http:
        data = graphql(http, CW_MEMBERS, {"id": world.cluster_id}, world.persons[0].token)
    ours = {(m["id"], m["name"]) for m in data["cluster"]["members"]}
    answer = httpx.post(peer.url, json={"query": PG_MEMBERS}, timeout=30).json()
    theirs = {(m["id"], m["name"]) for m in answer["data"]["allRmMembers"]["nodes"]}
    if ours != theirs or len(ours) != len(world.members) + 1:  # + the founding coordinator
        raise BenchError(f"the servers disagree on the members: {sorted(ours ^ theirs)[:5]}")


# --- the benchmark ---------------------------------------------------------------------


def run(quick: bool, backends: list[str]) -> None:
    size = dict(QUICK if quick else FULL)
    cases, seconds = chosen(os.environ)
    partial = cases != CASES or seconds is not None  # a comparison: this file stays
    if seconds is not None:
        size["seconds"] = seconds
    print(
        f"\n== the peer: Clusterwork vs PostGraphile, {size['alternations']} x "
        f"{size['seconds']:.0f} s per server and row =="
    )
    if "postgres" not in backends:
        print("[peer] skipped: PostGraphile serves PostgreSQL only")
        return
    stack = harness.stack("postgres")
    if stack is None:
        print("[postgres] skipped: PostgreSQL is unreachable")
        return
    started, load_before = time.perf_counter(), harness.load_average()
    rows = measure(
        stack,
        int(size["alternations"]),
        size["seconds"],
        size["warmup"],
        progress=show,
        cases=cases,
    )
    print(
        f"[postgres] peer: {time.perf_counter() - started:.0f} s, 1-minute load "
        f"{load_before:.1f} → {harness.load_average():.1f}"
    )
    if not quick and not partial:
        write_report(rows, load_before, harness.load_average())


def show(row: Row) -> None:
    print(
        f"[postgres] {row.label}, {row.clients} client(s): {row.ours.rate:,.0f} vs "
        f"{row.peer.rate:,.0f} req/s = {row.ratio:.2f}; p50/p95 {row.ours.p50:.1f}/"
        f"{row.ours.p95:.1f} vs {row.peer.p50:.1f}/{row.peer.p95:.1f} ms; CPU/request "
        f"{row.ours.cpu_ms:.2f} vs {row.peer.cpu_ms:.2f} ms"
    )


def table(rows: list[Row]) -> list[str]:
    lines = [
        "| request | clients | Clusterwork req/s | PostGraphile req/s | ratio "
        "| Clusterwork p50 / p95 ms | PostGraphile p50 / p95 ms "
        "| server CPU per request, Clusterwork / PostGraphile ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.label} | {r.clients} | {r.ours.rate:,.0f} | {r.peer.rate:,.0f} "
            f"| **{r.ratio:.2f}** | {r.ours.p50:.1f} / {r.ours.p95:.1f} "
            f"| {r.peer.p50:.1f} / {r.peer.p95:.1f} | {r.ours.cpu_ms:.2f} / {r.peer.cpu_ms:.2f} |"
        )
    return lines


def write_report(rows: list[Row], load_before: float, load_after: float) -> None:
    seconds, alternations = FULL["seconds"], FULL["alternations"]
    intro = (
        f"PostGraphile {version('postgraphile')} and autocannon {version('autocannon')} "
        "(`bench/peer/package.json`), and `clusterwork serve`, on one scratch "
        f"PostgreSQL database: a cluster of {SUBJECTS} subjects, each with a member, written "
        "through Clusterwork's GraphQL API; PostGraphile serves that cluster's schema. "
        f"autocannon drives each server for {alternations} phases of {seconds:.0f} s, the servers "
        f"taking turns, after a {FULL['warmup']:.0f}-s warm-up each; each client is one connection "
        "(to Clusterwork with its own member's token). req/s and p50 / p95 are over all of a "
        "server's phases (autocannon's response times); server CPU per request is the "
        "server process's user + system time (/proc) ÷ its requests, PostgreSQL's own CPU "
        f"excluded. 1-minute load {load_before:.1f} at the start, {load_after:.1f} at the end: "
        "the machine is shared, so rates move between runs; the ratios less. The ratio is "
        "Clusterwork's req/s ÷ PostGraphile's."
    )
    lines = [
        "Command: `make bench` (this section: `.venv/bin/python -m bench peer`).",
        "",
        textwrap.fill(intro, width=92),
        "",
        *table(rows),
        NOTES,
    ]
    report.replace_section("peer", "The peer: Clusterwork beside PostGraphile", "\n".join(lines))


NOTES = """
The requests: members is Clusterwork's `cluster(id) { members { id name roles } }` against
PostGraphile's `allRmMembers(orderBy: SEQ_ASC) { nodes { id name roles } }` over the same
`rm_member` rows (the benchmark checks both list the same members first). The floor is
`{ __typename }` on both, Clusterwork's with a bearer token. The write is
`declareInterest(…) { id }` with a new statement each time (authorization, the cluster's
chained append, the projection of the new event before the answer) against PostGraphile's
`createNote` (one INSERT into `peer_writes.note`, a schema of its own). Clusterwork's rate
limit runs on every request but is set to refuse none (`CLUSTERWORK_RATE_LIMIT_PER_SECOND`).
PostGraphile checks no token (it trusts its database role), and answers `{ __typename }`
without a transaction (100 such requests moved PostgreSQL's `xact_commit` by none; 100 reads
of a table, by 100 or more).
"""
