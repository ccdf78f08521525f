"""Concurrent writers of one cluster share the projection passes of their process
(group projection), and it stays exactly-once with read-your-writes:

- every command's answer holds its own event, and so does the read model its
  view reads, the moment it returns;
- the read model's rows equal those of a replay of the log into an empty one
  (nothing doubled, nothing missing), with one process or two on the same store;
- commands sent while a pass runs are saved in one append and projected
  together by the next one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from domain.cluster import InterestDeclaration, SubjectAdmission
from infra.bootstrap import Container, bootstrap
from infra.partitions import scratch_read_model
from infra.readmodel.store import CLUSTER_TABLES, SqlReadModel
from services.ports.storage import Partition

THREADS = 8
COMMANDS_PER_THREAD = 6
KINDS = ("LEGAL", "SOCIAL", "ECONOMIC")
WRITES = THREADS * COMMANDS_PER_THREAD + len(KINDS) * COMMANDS_PER_THREAD


def together(jobs: list[Callable[[], None]]) -> list[BaseException]:
    """Starts every job at the same moment; returns what they raised."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[], None]) -> None:
        try:
            barrier.wait(timeout=30)
            job()
        except BaseException as error:  # reported by the test
            errors.append(error)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    return errors


def rows(read_model: SqlReadModel) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every view table (tracking aside), as plain sorted values."""
    with read_model.engine.connect() as connection:
        return {
            table.name: sorted(
                tuple(str(value) for value in row) for row in connection.execute(sa.select(table))
            )
            for table in CLUSTER_TABLES
            if table.name != "rm_tracking"
        }


def replayed(container: Container, partition: Partition) -> SqlReadModel:
    scratch = scratch_read_model()
    container.projector.catch_up(partition.cluster_id, partition.log, scratch, partition.app.mapper)
    return scratch


def equals_a_replay(container: Container, cluster_id: str) -> None:
    partition = container.partitions.open(cluster_id)
    live = partition.read_model
    assert isinstance(live, SqlReadModel)
    scratch = replayed(container, partition)
    assert rows(live) == rows(scratch)
    head = partition.log.head()
    assert set(live.positions().values()) == {head}
    assert container.projector.reached(live) == head


def writers(container: Container, world: Any, tag: str) -> tuple[list[Callable[[], None]], list]:
    """Each writer admits subjects; the first three also each restate one kind of
    the school's interest (a kind nobody else writes). Every answer's view of the
    cluster reads the read model, which must already hold the writer's own event."""
    r, c = container.registry, world.cluster_id
    wrong: list[str] = []

    def job(t: int) -> Callable[[], None]:
        def run() -> None:
            for i in range(COMMANDS_PER_THREAD):
                name = f"{tag} school {t}-{i}"
                admission = SubjectAdmission(name, "SCHOOL", None)
                admitted = r.admit_subject(world.coordinator, c, admission)
                # The answer's view reads the read model, which holds the command's event.
                subject = admitted.scope.reader.subject(admitted.subject.id)
                if subject is None or subject.name != name:
                    wrong.append(f"admitted {name}, the read model has {subject}")
                if subject != admitted.subject:  # the answer, from the command, is that row
                    wrong.append(f"admitted {name}, answered {admitted.subject}")
                if t < len(KINDS):
                    kind, statement = KINDS[t], f"{tag} statement {t}-{i}"
                    declaration = InterestDeclaration(kind, statement)
                    declared = r.declare_interest(world.ivan, c, world.school_id, declaration)
                    school = declared.scope.reader.subject(world.school_id)
                    assert school is not None
                    answered = {n.kind: n.statement for n in school.interests}
                    if answered.get(kind) != statement:
                        wrong.append(f"declared {statement}, the read model has {answered}")

        return run

    return [job(t) for t in range(THREADS)], wrong


def test_concurrent_writers_read_their_own_writes_and_the_view_equals_a_replay(world) -> None:
    start = world.head()
    jobs, wrong = writers(world.container, world, "One")
    assert together(jobs) == []
    assert not wrong, wrong[:5]
    assert world.head() == start + WRITES
    names = [s.name for s in world.container.queries.scope(world.anna, world.cluster_id).subjects()]
    admitted = [n for n in names if n.startswith("One school ")]
    assert sorted(admitted) == sorted(
        f"One school {t}-{i}" for t in range(THREADS) for i in range(COMMANDS_PER_THREAD)
    )
    equals_a_replay(world.container, world.cluster_id)
    # Nobody waits any more: the process keeps no state for the cluster.
    assert world.container.sync.waited_on() == set()


def test_writers_of_two_processes_project_exactly_once(world) -> None:
    # A second container on the same storage stands for a second API process: its
    # own runner, leases and passes; they find the read model moved on by each
    # other, and must re-read rather than apply an event twice.
    other = bootstrap(world.container.settings)
    try:
        start = world.head()
        mine, wrong = writers(world.container, world, "Here")
        theirs, wrong_there = writers(other, world, "There")
        assert together(mine[: THREADS // 2] + theirs[THREADS // 2 :]) == []
        assert not wrong and not wrong_there, (wrong + wrong_there)[:5]
        assert world.head() == start + WRITES
        equals_a_replay(world.container, world.cluster_id)
        equals_a_replay(other, world.cluster_id)
    finally:
        other.close()


def test_commands_sent_during_a_pass_are_saved_and_projected_together_by_the_next(
    world, monkeypatch
) -> None:
    container, c = world.container, world.cluster_id
    projector = container.sync.projector
    real = projector.catch_up
    first_pass_entered, release_first = threading.Event(), threading.Event()
    runs: list[list[int]] = []

    def catch_up(*args: Any, **kwargs: Any) -> int:
        runs.append([f.position for f in kwargs.get("fresh", ())])
        if len(runs) == 1:
            first_pass_entered.set()
            assert release_first.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(projector, "catch_up", catch_up)
    start = world.head()
    answers: dict[str, str] = {}

    def admit(name: str) -> None:
        answers[name] = container.registry.admit_subject(
            world.coordinator, c, SubjectAdmission(name, "COLLEGE", None)
        ).subject.name

    first = threading.Thread(target=admit, args=("First college",))
    first.start()
    assert first_pass_entered.wait(30)
    waiting = [threading.Thread(target=admit, args=(f"Waiting college {n}",)) for n in range(3)]
    for thread in waiting:
        thread.start()
    deadline = time.monotonic() + 30
    while container.runner.groups.waiting(c) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert world.head() == start + 1  # the three wait for the first group's pass
    release_first.set()
    for thread in [first, *waiting]:
        thread.join(timeout=60)
    assert answers == {n: n for n in ["First college"] + [f"Waiting college {n}" for n in range(3)]}
    assert runs[0] == [start + 1]
    assert runs[1:] == [[start + 2, start + 3, start + 4]], runs
    equals_a_replay(container, c)
