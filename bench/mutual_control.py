"""Mutual control at scale (issue 5): 50 subjects, 5 norms, every subject
assessing every other on every norm (12,250 recordAssessment calls through the
service layer), on SQLite and PostgreSQL.

Reports (a) p50 of the last 100 recordAssessment calls ÷ p50 of the first 100
(goal ≤ 1.5: recording stays flat as the round fills) and (b) p50 of the full
mutualControl GraphQL query ÷ p50 of a raw SQL read of the same assessment
rows (goal ≤ 3: the view costs little more than reading its rows).
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy import text

from bench.mutual_control_report import Result, write_section
from graphql_api.context import Context, Services
from graphql_api.schema import build_schema
from infra.bootstrap import Container, bootstrap
from infra.partitions import schema_name
from infra.settings import Settings
from services.principal import Principal

ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
NORMS = [
    ("Teaching quality", 1, 5, 2.0),
    ("Openness", 0, 10, 1.0),
    ("Research", 1, 5, 1.0),
    ("Practice places", 1, 3, 0.5),
    ("Continuity", 0, 100, 1.5),
]
MUTUAL_CONTROL = """
query MutualControl($id: ID!, $round: ID!) { cluster(id: $id) { assessmentRound(id: $round) {
  mutualControl { subjects { id name } matrix coverage reciprocity
    received { subject { id } score assessors } unassessed { id }
    outliers { assessor { id } meanDeviation } } } } }
"""


@dataclass(frozen=True)
class Round:
    cluster_id: str
    operator: Principal
    subjects: list[str]
    members: list[Principal]
    norms: list[tuple[str, int, int]]  # id, scale_min, scale_max
    round_id: str


def run(quick: bool, backends: list[str]) -> None:
    subjects, repeats = (12, 10) if quick else (50, 30)
    print(
        f"\n== mutual control: {subjects} subjects, {len(NORMS)} norms, "
        f"{subjects * (subjects - 1) * len(NORMS)} assessments =="
    )
    results = []
    for backend in backends:
        with container_on(backend) as container:
            if container is None:
                print(f"[{backend}] skipped: PostgreSQL at {ADMIN_URL} is unreachable")
                continue
            results.append(measure(backend, container, subjects, repeats))
            print(results[-1].summary())
    if results and not quick:  # a smoke run never overwrites the recorded figures
        write_section(results)


def measure(backend: str, container: Container, subjects: int, repeats: int) -> Result:
    round_ = seed(container, subjects)
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    latencies = record_everything(container, round_)
    total, load_after = time.perf_counter() - started, os.getloadavg()[0]
    view, raw = interleaved(container, round_, repeats)
    return Result(
        backend,
        len(latencies),
        total,
        p50(latencies[:100]),
        p50(latencies[-100:]),
        p50(view),
        p50(raw),
        (load_before, load_after),
    )


def interleaved(container: Container, round_: Round, repeats: int) -> tuple[list[float], ...]:
    """Times the view and the raw read in turns, so that both see the same load."""
    actions = (lambda: query_view(container, round_), lambda: read_raw(container, round_))
    for action in actions:
        action()  # warm-up: caches, prepared statements, the projection catch-up
    found: tuple[list[float], ...] = ([], [])
    for _ in range(repeats):
        for action, times in zip(actions, found, strict=True):
            started = time.perf_counter()
            action()
            times.append(time.perf_counter() - started)
    return found


def seed(container: Container, count: int) -> Round:
    operator = Principal(f"bench-op-{uuid.uuid4().hex[:8]}", "Bench operator", None, True)
    registry, control = container.registry, container.mutual_control
    cluster = registry.found_cluster(operator, "Bench cluster", "Bench region", "GEOGRAPHIC")
    subjects, members = [], []
    for i in range(count):
        subject = registry.admit_subject(operator, cluster.id, f"School {i + 1}", "SCHOOL", None)
        member = registry.add_member(
            operator, cluster.id, f"Member {i + 1}", None, subject.id, ["MEMBER"]
        )
        person = Principal(f"bench-{uuid.uuid4().hex[:8]}", member.name, None, False)
        container.directory.ensure_person(person.person_id, person.name, None)
        container.directory.link(person.person_id, cluster.id, member.id)
        subjects.append(subject.id)
        members.append(person)
    norms = [
        control.adopt_norm(operator, cluster.id, name, None, low, high, weight)
        for name, low, high, weight in NORMS
    ]
    opened = control.open_assessment_round(
        operator, cluster.id, "Bench round", [n.id for n in norms]
    )
    return Round(
        cluster.id,
        operator,
        subjects,
        members,
        [(n.id, n.scale_min, n.scale_max) for n in norms],
        opened.id,
    )


def record_everything(container: Container, round_: Round) -> list[float]:
    """Each member fills their subject's scorecard in turn, as they would in the UI."""
    rng, record = random.Random(5), container.mutual_control.record_assessment
    latencies = []
    for assessor, member in zip(round_.subjects, round_.members, strict=True):
        for assessee in round_.subjects:
            if assessee == assessor:
                continue
            for norm_id, low, high in round_.norms:
                score = rng.randint(low, high)
                started = time.perf_counter()
                record(member, round_.cluster_id, round_.round_id, assessee, norm_id, score, None)
                latencies.append(time.perf_counter() - started)
    return latencies


def query_view(container: Container, round_: Round) -> None:
    services = Services(
        **{name: getattr(container, name) for name in Services.__dataclass_fields__}
    )
    context = Context(services, round_.operator, None, "bench")
    result = SCHEMA.execute_sync(
        MUTUAL_CONTROL, {"id": round_.cluster_id, "round": round_.round_id}, context_value=context
    )
    assert not result.errors, result.errors
    assert len(result.data["cluster"]["assessmentRound"]["mutualControl"]["matrix"]) == len(
        round_.subjects
    )  # type: ignore[index]


def read_raw(container: Container, round_: Round) -> None:
    """The baseline: the same latest-assessment rows, by hand-written SQL."""
    partition = container.partitions.open(round_.cluster_id)
    table = "rm_assessment"
    if container.settings.uses_postgres:
        table = f'"{schema_name(round_.cluster_id)}".rm_assessment'
    query = text(
        f"SELECT assessor_id, assessee_id, norm_id, score FROM {table} WHERE round_id = :r"
    )
    with partition.read_model.engine.connect() as conn:
        rows = conn.execute(query, {"r": round_.round_id}).all()
    assert rows


SCHEMA = build_schema()


def p50(values: list[float]) -> float:
    return statistics.median(values)


@contextmanager
def container_on(backend: str) -> Iterator[Container | None]:
    with tempfile.TemporaryDirectory(prefix="cw-bench-") as tmp:
        if backend == "sqlite":
            yield bootstrap(settings(Path(tmp)))
            return
        with fresh_database() as url:
            if url is None:
                yield None
                return
            container = bootstrap(settings(Path(tmp), url))
            try:
                yield container
            finally:
                close(container)


def close(container: Container) -> None:
    """Closes the pools, so that the scratch database can be dropped."""
    datastore = getattr(container.partitions, "datastore", None)
    if datastore is not None:
        datastore.close()
    container.partitions.engine.dispose() if hasattr(container.partitions, "engine") else None
    container.directory.engine.dispose()


def settings(data_dir: Path, url: str | None = None) -> Settings:
    return Settings(
        _env_file=None,
        data_dir=data_dir,
        database_url=url,  # type: ignore[call-arg]
        log_level="WARNING",
    )


@contextmanager
def fresh_database() -> Iterator[str | None]:
    """A scratch database, dropped afterwards; None when the server is down."""
    name = f"cw_bench_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError:
        yield None
        return
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            conn.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
