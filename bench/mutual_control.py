"""Mutual control at scale: 50 subjects, 5 norms, every subject
assessing every other on every norm (12,250 recordAssessment calls through the
service layer), on SQLite and PostgreSQL.

Reports (a) p50 of the last 100 recordAssessment calls ÷ p50 of the first 100
(goal ≤ 1.5: recording stays flat as the round fills) and (b) p50 of the full
mutualControl GraphQL query ÷ p50 of a raw SQL read of the same assessment
rows (goal ≤ 3: the view costs little more than reading its rows).
"""

from __future__ import annotations

import itertools
import os
import random
import statistics
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import text

from bench.mutual_control_report import Result, write_section
from bench.stores import ADMIN_URL, close, container_on, fresh_database, settings
from domain.assessment_round import RoundOpening
from domain.cluster import ClusterFounding, MemberAddition, SubjectAdmission
from domain.norm import NormAdoption
from domain.scorecard import Assessment
from graphql_api.context import Context
from graphql_api.schema import build_schema
from graphql_api.services import Services
from infra.bootstrap import Container
from infra.partitions import schema_name
from services.principal import Principal

# The scratch stores moved to bench/stores.py; other benchmarks import them from here too.
__all__ = ["close", "container_on", "fresh_database", "run", "settings"]
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
    subjects, repeats = (6, 5) if quick else (50, 30)
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
    early, late = paired(container, round_, subjects)
    return Result(
        backend,
        len(latencies),
        total,
        p50(latencies[:100]),
        p50(latencies[-100:]),
        p50(view),
        p50(raw),
        (load_before, load_after),
        (p50(early), p50(late)),
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
    cluster = registry.found_cluster(
        operator, ClusterFounding("Bench cluster", "Bench region", "GEOGRAPHIC")
    )
    subjects, members = [], []
    for i in range(count):
        subject = registry.admit_subject(
            operator, cluster.id, SubjectAdmission(f"School {i + 1}", "SCHOOL", None)
        ).subject
        member = registry.add_member(
            operator, cluster.id, MemberAddition(f"Member {i + 1}", None, subject.id, ["MEMBER"])
        ).member
        person = Principal(f"bench-{uuid.uuid4().hex[:8]}", member.name, None, False)
        container.directory.ensure_person(person.person_id, person.name, None)
        container.directory.link(person.person_id, cluster.id, member.id)
        subjects.append(subject.id)
        members.append(person)
    norms = [
        control.adopt_norm(operator, cluster.id, NormAdoption(name, None, low, high, weight))
        for name, low, high, weight in NORMS
    ]
    opened = control.open_assessment_round(
        operator, cluster.id, RoundOpening("Bench round", [n.id for n in norms])
    )
    return Round(
        cluster.id,
        operator,
        subjects,
        members,
        [(n.id, n.scale_min, n.scale_max) for n in norms],
        opened.id,
    )


def calls(round_: Round) -> Iterator[tuple[Principal, str, str, int]]:
    """Each member fills their subject's scorecard in turn, as they would in the UI:
    (member, assessee, norm, score) in order."""
    rng = random.Random(5)
    for assessor, member in zip(round_.subjects, round_.members, strict=True):
        for assessee in (s for s in round_.subjects if s != assessor):
            for norm_id, low, high in round_.norms:
                yield member, assessee, norm_id, rng.randint(low, high)


def record(container: Container, round_: Round, call: tuple[Principal, str, str, int]) -> float:
    """One recordAssessment through the service layer; returns its latency."""
    member, assessee, norm_id, score = call
    started = time.perf_counter()
    container.mutual_control.record_assessment(
        member, round_.cluster_id, round_.round_id, Assessment(assessee, norm_id, score, None)
    )
    return time.perf_counter() - started


def record_everything(container: Container, round_: Round) -> list[float]:
    return [record(container, round_, call) for call in calls(round_)]


def paired(container: Container, full: Round, subjects: int) -> tuple[list[float], list[float]]:
    """A control for (a) that load cannot skew: the first 100 calls of a fresh round
    (new cluster, short log) and revisions of the full round's last 100, in turns."""
    fresh = seed(container, subjects)
    early = list(itertools.islice(calls(fresh), 100))
    late = list(calls(full))[-100:]
    times: tuple[list[float], list[float]] = ([], [])
    for first, last in zip(early, late, strict=True):
        times[0].append(record(container, fresh, first))
        times[1].append(record(container, full, last))
    return times


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
