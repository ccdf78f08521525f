"""Concurrent commands on one cluster: every one is recorded (the runner retries
optimistic-concurrency conflicts), positions stay gapless and the chain intact."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

from domain.cluster import InterestDeclaration, SubjectAdmission
from infra.bootstrap import bootstrap
from infra.partitions import scratch_read_model
from services.chain import canonical_bytes, genesis, link

# More writers than the runner has attempts: without turn-taking some would lose every race.
ADMITTER_THREADS = 12
COMMANDS_PER_THREAD = 8


def run_together(jobs: list[Callable[[], None]]) -> list[BaseException]:
    """Starts every job at the same moment; returns what they raised."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def worker(job: Callable[[], None]) -> None:
        try:
            barrier.wait(timeout=30)
            job()
        except BaseException as error:  # reported by the test
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    return errors


def chain_is_intact(world) -> bool:
    previous = genesis(world.cluster_id)
    for entry in world.partition.log.read(0, 10_000):
        stored = entry.stored_event
        previous = link(
            previous,
            canonical_bytes(
                entry.position,
                str(uuid.UUID(str(stored.originator_id))),
                stored.originator_version,
                stored.topic,
                stored.state,
            ),
        )
        if entry.hash != previous:
            return False
    return True


def test_concurrent_commands_from_several_threads_are_all_recorded_gaplessly(world) -> None:
    r, c = world.container.registry, world.cluster_id
    start = world.head()
    admitted_names = [
        f"School {t}-{i}" for t in range(ADMITTER_THREADS) for i in range(COMMANDS_PER_THREAD)
    ]

    def admitter(t: int) -> Callable[[], None]:
        def job() -> None:
            for i in range(COMMANDS_PER_THREAD):
                r.admit_subject(
                    world.coordinator, c, SubjectAdmission(f"School {t}-{i}", "SCHOOL", None)
                )

        return job

    def declarer(who, subject_id: str, kind: str) -> Callable[[], None]:
        def job() -> None:
            for i in range(COMMANDS_PER_THREAD):
                r.declare_interest(
                    who, c, subject_id, InterestDeclaration(kind, f"{kind} statement {i}")
                )

        return job

    jobs = [admitter(t) for t in range(ADMITTER_THREADS)]
    jobs += [
        declarer(world.ivan, world.school_id, "SOCIAL"),
        declarer(world.ivan, world.school_id, "LEGAL"),
        declarer(world.petr, world.college_id, "ECONOMIC"),
    ]
    assert run_together(jobs) == []

    recorded = len(jobs) * COMMANDS_PER_THREAD
    entries = world.partition.log.read(0, 10_000)
    assert [e.position for e in entries] == list(range(1, start + recorded + 1))
    assert chain_is_intact(world)

    scope = world.container.queries.scope(world.anna, c)
    names = [s.name for s in scope.subjects()]
    assert sorted(n for n in names if n.startswith("School ") and "-" in n) == sorted(
        admitted_names
    )
    last = f"statement {COMMANDS_PER_THREAD - 1}"
    assert {i.kind: i.statement for i in scope.subject(world.school_id).interests} == {
        "LEGAL": f"LEGAL {last}",
        "SOCIAL": f"SOCIAL {last}",
    }
    assert scope.info.position == start + recorded

    # The read model, built under contention, equals a fresh replay.
    partition, scratch = world.partition, scratch_read_model()
    world.container.projector.catch_up(c, partition.log, scratch, partition.app.mapper)
    assert scratch.registry_reader.subjects(True) == partition.read_model.registry_reader.subjects(
        True
    )


def test_racing_withdrawals_of_one_subject_record_it_once_and_the_losers_see_a_conflict(
    world,
) -> None:
    r, c = world.container.registry, world.cluster_id
    start = world.head()
    jobs = [lambda: r.withdraw_subject(world.coordinator, c, world.college_id) for _ in range(4)]
    errors = run_together(jobs)
    assert len(errors) == 3
    assert {getattr(e, "code", type(e).__name__) for e in errors} == {"CONFLICT"}
    assert world.head() == start + 1
    assert [e.type for e in world.partition.log.read(start, 10)] == ["SubjectWithdrawn"]


def test_writers_in_two_processes_sharing_the_store_are_all_recorded(world) -> None:
    # A second container on the same storage stands for a second API process: it has
    # its own runner, caches and locks, so only the optimistic retry keeps them apart.
    other = bootstrap(world.container.settings)
    try:
        start = world.head()
        registries = [world.container.registry, other.registry] * 3
        jobs = [
            (
                lambda r=r, n=n: [
                    r.admit_subject(
                        world.coordinator,
                        world.cluster_id,
                        SubjectAdmission(f"P{n}-{i}", "COLLEGE", None),
                    )
                    for i in range(COMMANDS_PER_THREAD)
                ]
            )
            for n, r in enumerate(registries)
        ]
        assert run_together(jobs) == []
        recorded = len(jobs) * COMMANDS_PER_THREAD
        entries = world.partition.log.read(0, 10_000)
        assert [e.position for e in entries] == list(range(1, start + recorded + 1))
        assert chain_is_intact(world)
        for container in (world.container, other):
            scope = container.queries.scope(world.anna, world.cluster_id)
            assert scope.info.position == start + recorded
            assert len([s for s in scope.subjects() if s.name.startswith("P")]) == recorded
    finally:
        other.close()
