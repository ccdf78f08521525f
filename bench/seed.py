"""Seeds benchmark clusters quickly and realistically.

A cluster is founded through the registry service (which provisions its
partition and registers it); its subjects, members, norms and round are then
recorded by the domain aggregates themselves in one save, stamped like any
command's events, and projected once. History is whole assessment rounds,
saved a round at a time. Nothing here is measured.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from uuid import UUID

from domain.assessment_round import AssessmentRound, RoundOpening
from domain.cluster import ClusterFounding, MemberAddition, SubjectAdmission
from domain.norm import Norm, NormAdoption
from domain.scorecard import Assessment, Scorecard
from domain.stamp import Stamp, stamped
from infra.bootstrap import Container
from services.principal import Principal

KINDS = ["SCHOOL", "COLLEGE", "UNIVERSITY", "PRESCHOOL", "RESEARCH_INSTITUTE", "ENTERPRISE"]


@dataclass(frozen=True)
class Person:
    principal: Principal
    token: str


@dataclass(frozen=True)
class World:
    """One seeded cluster: subject i is represented by member i, person i."""

    cluster_id: str
    operator: Principal
    operator_member_id: str
    round_id: str
    norms: list[tuple[str, int, int]]  # id, scale min, scale max
    subjects: list[str]
    members: list[str]


def people(container: Container, count: int, tag: str = "bench") -> list[Person]:
    """Persons with tokens; the same persons can be members of many clusters."""
    found = []
    for i in range(count):
        principal = Principal(f"{tag}-{uuid.uuid4().hex[:10]}", f"Member {i + 1}", None, False)
        container.directory.ensure_person(principal.person_id, principal.name, None)
        found.append(Person(principal, container.tokens.mint(principal, ttl_seconds=6 * 3600)))
    return found


def operator() -> Principal:
    return Principal(f"bench-op-{uuid.uuid4().hex[:8]}", "Bench operator", None, True)


def mutual_control_cluster(
    container: Container,
    persons: list[Person],
    norms: int = 1,
    name: str = "Bench cluster",
    by: Principal | None = None,
) -> World:
    """A cluster with one subject and member per person, ``norms`` norms and an open round."""
    by = by or operator()
    info = container.registry.found_cluster(by, ClusterFounding(name, "Bench region", "GEOGRAPHIC"))
    coordinator = container.directory.member_of(by.person_id, info.id)
    assert coordinator is not None
    partition = container.partitions.open(info.id)
    cluster = partition.app.repository.get(UUID(info.id))
    subjects = [str(uuid.uuid4()) for _ in persons]
    members = [str(uuid.uuid4()) for _ in persons]
    with stamped(Stamp(info.id, coordinator, None, "bench-seed")):
        for i, (subject, member) in enumerate(zip(subjects, members, strict=True)):
            cluster.admit(
                subject,
                SubjectAdmission(f"Institution {i + 1}", KINDS[i % len(KINDS)], "Bench region"),
            )
            cluster.add_member(member, MemberAddition(f"Member {i + 1}", None, subject, ["MEMBER"]))
        adopted = [Norm.adopt(uuid.uuid4(), NormAdoption(f"Norm {k + 1}")) for k in range(norms)]
        round_ = AssessmentRound.open(
            uuid.uuid4(), RoundOpening("Current round"), [n.terms for n in adopted]
        )
    partition.app.save(cluster, *adopted, round_)
    for person, member in zip(persons, members, strict=True):
        container.directory.link(person.principal.person_id, info.id, member)
    container.runner.project(partition)
    return World(
        info.id,
        by,
        coordinator,
        str(round_.id),
        [(str(n.id), n.scale_min, n.scale_max) for n in adopted],
        subjects,
        members,
    )


def add_history(container: Container, world: World, events: int, revisions: int = 10) -> int:
    """Past assessment rounds until the log holds ``events`` events; returns the head.

    Each past round: every subject assesses every other on every norm of the
    world's round, ``revisions`` times over, then the round closes. Three saves
    (transactions) per round: opened, every assessment, closed.
    """
    partition = container.partitions.open(world.cluster_id)
    rng = random.Random(7)
    terms = partition.app.repository.get(UUID(world.round_id)).norms
    number = 0
    while partition.log.head() < events:
        number += 1
        stamp = Stamp(world.cluster_id, world.operator_member_id, None, "bench-history")
        with stamped(stamp):
            past = AssessmentRound.open(
                uuid.uuid4(), RoundOpening(f"Past round {number}"), list(terms.values())
            )
        partition.app.save(past)  # in the order commands write them: opened, assessed, closed
        cards = []
        for assessor, member in zip(world.subjects, world.members, strict=True):
            with stamped(Stamp(world.cluster_id, member, assessor, "bench-history")):
                card = Scorecard.start(past.id, assessor)
                for _ in range(revisions):
                    for assessee in world.subjects:
                        if assessee != assessor:
                            for norm_id, low, high in world.norms:
                                card.record(
                                    past,
                                    Assessment(assessee, norm_id, rng.randint(low, high), None),
                                )
                cards.append(card)
        partition.app.save(*cards)
        with stamped(stamp):
            past.close()
        partition.app.save(past)
    return partition.log.head()


def settle(container: Container, cluster_id: str) -> None:
    """Projects the cluster (in this process) and signs a checkpoint if one is due,
    as the commands that wrote the history would have."""
    partition = container.partitions.open(cluster_id)
    container.projector.catch_up(
        cluster_id, partition.log, partition.read_model, partition.app.mapper
    )
    container.audit.maybe_checkpoint(partition)


def assess(world: World, person: int, counter: int) -> dict[str, object]:
    """Variables of the ``counter``-th recordAssessment by person ``person``
    (cycling over the other subjects and the norms: later calls are revisions)."""
    others = [s for i, s in enumerate(world.subjects) if i != person]
    norm_id, low, high = world.norms[counter % len(world.norms)]
    return {
        "clusterId": world.cluster_id,
        "roundId": world.round_id,
        "assesseeId": others[(counter // len(world.norms)) % len(others)],
        "normId": norm_id,
        "score": float(low + counter % (high - low + 1)),
    }
