"""A projection's version bump is rebuilt blue/green: the next version's tables
are built beside the live ones while clients keep reading and writing, then
switched in at once; a rebuild that stops part-way resumes, and what projections
send outward is sent once, however often history is replayed.

The bump is real: a second process (container) over the same store whose
registry projection declares the next version and projects subject names in capitals,
so a view shows which version built it.
"""

from __future__ import annotations

import copy
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

import infra.bootstrap as bootstrap_module
from domain.cluster import Cluster, SubjectAdmission
from infra.app import create_app
from infra.bootstrap import Container, bootstrap
from infra.partitions import ClusterPartition
from infra.readmodel.outbox import Outbox
from infra.readmodel.store import CLUSTER_TABLES, SqlReadModel
from infra.rebuild import Rebuilds, compare
from services.dto import ClusterInfo
from services.ports.outbox import OutwardView
from services.principal import Principal
from services.projections.projector import Projector
from services.projections.registry import RegistryProjection
from testkit.commands import clusterwork_here

OLD_SUBJECTS = 30
CLIENTS = 4


class CapitalRegistry(RegistryProjection):
    """The registry's next version: subject names in capitals."""

    name = "registry"  # a subclass is otherwise named after its class
    version = RegistryProjection.version + 1


class _Capitals:
    """The registry view, with subject names in capitals."""

    def __init__(self, view: Any) -> None:
        self._view = view

    def subject_admitted(self, tracking: Tracking, admitted: Any) -> None:
        capital = copy.copy(admitted)
        object.__setattr__(capital, "name", admitted.name.upper())  # events are frozen
        self._view.subject_admitted(tracking, capital)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._view, name)


class Announcer(Projection[OutwardView]):
    """A projection that sends something outward: a message per admitted subject."""

    name = "announcer"
    version = 1

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, e: Cluster.SubjectAdmitted, tracking: Tracking) -> None:  # type: ignore[name-defined]
        self.view.send(tracking, "subject-admitted", {"subject": e.subject_id, "name": e.name})


class AnnouncerV2(Announcer):
    name = "announcer"
    version = 2


def projector_with(registry: type[RegistryProjection], *extra: type[Announcer]) -> Projector:
    """The code's projections, the registry at the given version, and ``extra``."""
    factories = bootstrap_module.projector().factories
    if registry is CapitalRegistry:
        factories[0] = lambda model: CapitalRegistry(_Capitals(model.registry))
    for cls in extra:
        factories.append(lambda model, cls=cls: cls(model.outbox))
    return Projector(factories)


def another_process(
    container: Container, monkeypatch: pytest.MonkeyPatch, projector: Projector, **overrides: Any
) -> Container:
    """A second container over the same store, running ``projector``."""
    monkeypatch.setattr(bootstrap_module, "projector", lambda: projector)
    settings = container.settings.model_copy(update=overrides)
    return bootstrap(settings)


def names(container: Container, principal: Principal, cluster_id: str) -> list[str]:
    return [s.name for s in container.queries.scope(principal, cluster_id).subjects()]


def view_rows(read_model: SqlReadModel) -> dict[str, list[tuple[str, ...]]]:
    with read_model.engine.connect() as connection:
        return {
            table.name: sorted(tuple(map(str, row)) for row in connection.execute(sa.select(table)))
            for table in CLUSTER_TABLES
            if table.name != "rm_tracking"
        }


def equals_a_fresh_replay(container: Container, partition: ClusterPartition) -> None:
    container.sync.settle(partition)
    scratch = SqlReadModel(sa.create_engine("sqlite://", poolclass=sa.pool.StaticPool))
    scratch.create()
    container.projector.catch_up("scratch", partition.log, scratch, partition.app.mapper)
    assert view_rows(partition.read_model) == view_rows(scratch)


def test_compare_versions() -> None:
    code = {"registry": 2, "goals": 1}
    assert compare(None, {"registry": 1, "goals": 1}) == "current"  # before versions: all 1
    assert compare(None, code) == "outdated"
    assert compare({"registry": 2, "goals": 1}, code) == "current"
    assert compare({"registry": 1, "goals": 1}, code) == "outdated"
    assert compare({"registry": 2}, code) == "outdated"  # a projection new to these tables
    assert compare({"registry": 3, "goals": 1}, code) == "newer"


def test_new_cluster_records_the_code_versions(container: Container, cluster: ClusterInfo) -> None:
    partition = container.partitions.open(cluster.id)
    assert partition.read_model.versions() == container.projector.versions(partition.read_model)
    assert container.rebuilds.status(partition).state == "current"


def test_version_bump_rebuilt_while_clients_query_and_write(
    container: Container, operator: Principal, cluster: ClusterInfo, monkeypatch
) -> None:
    """4 clients write and read all along; no request fails, every read shows every
    old subject, all by one version (the old before the switch, the new after it,
    never a mix), and a read that follows a read of the new version is new too."""
    for i in range(OLD_SUBJECTS):
        container.registry.admit_subject(
            operator, cluster.id, SubjectAdmission(f"Old school {i}", "SCHOOL")
        )
    old = set(names(container, operator, cluster.id))
    bumped = another_process(
        container, monkeypatch, projector_with(CapitalRegistry), rebuild_in_background=False
    )
    # Small batches, paced: the rebuild is long enough for the clients to meet it.
    rebuilds = Rebuilds(
        bumped.partitions, bumped.projector, bumped.sync.lease, background=False, batch_size=3
    )
    partition = bumped.partitions.open(cluster.id)
    errors: list[BaseException] = []
    seen = {"old": 0, "new": 0}
    new_seen_at: list[float] = []  # when a read that showed the new version ended
    stop = threading.Event()
    outcome: list[str] = []

    def client(number: int) -> None:
        mine: set[str] = set()
        try:
            while not stop.is_set():
                added = bumped.registry.admit_subject(
                    operator,
                    cluster.id,
                    SubjectAdmission(f"New school {number}-{len(mine)}", "SCHOOL"),
                )
                mine.add(added.subject.id)
                started = time.monotonic()
                subjects = bumped.queries.scope(operator, cluster.id).subjects()
                shown = {s.name for s in subjects}
                capitals = {n.upper() for n in old}
                if old <= shown:
                    version = "old"
                elif capitals <= shown:
                    version = "new"
                else:
                    raise AssertionError(f"a partial or mixed view: {sorted(shown)}")
                if new_seen_at and started > new_seen_at[0]:
                    assert version == "new", "a read after the switch showed the old version"
                if version == "new":
                    new_seen_at.append(time.monotonic())
                seen[version] += 1
                assert mine <= {s.id for s in subjects}, "a client's own write is missing"
        except BaseException as error:
            errors.append(error)
            stop.set()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        during: list[str] = []

        def paced(_: int) -> None:
            if not during:  # what `clusterwork projections status` shows meanwhile
                during.append(rebuilds.status(partition).state)
            time.sleep(0.02)

        outcome.append(rebuilds.rebuild(partition, on_batch=paced))
        assert during == ["rebuilding"]
        time.sleep(0.5)  # the clients go on against the new version
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors, errors[0]
    assert outcome == ["switched"]
    assert seen["old"] > 0 and seen["new"] > 0, seen  # the clients met both versions
    assert not bumped.partitions.next_read_model(cluster.id).exists()
    status = bumped.rebuilds.status(partition)
    assert status.state == "current" and status.version() == "current"
    assert partition.read_model.versions() == {
        **container.projector.versions(partition.read_model),
        "registry": CapitalRegistry.version,
    }
    equals_a_fresh_replay(bumped, partition)
    bumped.close()


def test_a_rebuild_that_stops_resumes_and_never_serves_half(
    container: Container, operator: Principal, cluster: ClusterInfo, monkeypatch
) -> None:
    for i in range(OLD_SUBJECTS):
        container.registry.admit_subject(
            operator, cluster.id, SubjectAdmission(f"Old school {i}", "SCHOOL")
        )
    old = sorted(names(container, operator, cluster.id))
    bumped = another_process(
        container, monkeypatch, projector_with(CapitalRegistry), rebuild_in_background=False
    )
    rebuilds = Rebuilds(
        bumped.partitions, bumped.projector, bumped.sync.lease, background=False, batch_size=5
    )
    partition = bumped.partitions.open(cluster.id)
    batches = []

    def crash(count: int) -> None:
        batches.append(count)
        if len(batches) == 3:
            raise KeyboardInterrupt  # the process stops here

    with pytest.raises(KeyboardInterrupt):
        rebuilds.rebuild(partition, on_batch=crash)
    # The old version answers, whole; the next one waits where it stopped.
    assert sorted(names(bumped, operator, cluster.id)) == old
    status = rebuilds.status(partition)
    assert status.state == "interrupted"  # nobody builds them now
    assert status.next_position == 15 and status.head > 15
    batches.clear()
    assert rebuilds.rebuild(partition, on_batch=batches.append) == "switched"
    assert sum(batches) == status.head - 15  # resumed, not started over
    assert sorted(names(bumped, operator, cluster.id)) == sorted(n.upper() for n in old)
    equals_a_fresh_replay(bumped, partition)
    bumped.close()


def test_a_process_that_opens_an_outdated_cluster_rebuilds_it_in_the_background(
    container: Container, operator: Principal, cluster: ClusterInfo, monkeypatch
) -> None:
    container.registry.admit_subject(operator, cluster.id, SubjectAdmission("School 7", "SCHOOL"))
    bumped = another_process(container, monkeypatch, projector_with(CapitalRegistry))
    assert not bumped.rebuilds.background  # a one-off command's container starts none
    create_app(bumped)  # what `serve` does (a worker likewise)
    assert bumped.rebuilds.background
    partition = bumped.partitions.open(cluster.id)  # starts the rebuild
    deadline = time.monotonic() + 30
    while bumped.rebuilds.status(partition).state != "current":
        assert time.monotonic() < deadline, bumped.rebuilds.status(partition)
        time.sleep(0.05)
    assert "SCHOOL 7" in names(bumped, operator, cluster.id)
    bumped.close()


def deliver(outbox: Outbox, delivered: list[tuple[str, str]]) -> None:
    """A deliverer: sends every pending message and marks it sent."""
    while pending := outbox.pending():
        for message in pending:
            delivered.append((message.projection, message.key))
            assert outbox.mark_sent(message)


def test_a_rebuild_sends_nothing_twice(
    container: Container,
    operator: Principal,
    cluster: ClusterInfo,
    monkeypatch,
    tmp_path: Path,
) -> None:
    sender = another_process(
        container,
        monkeypatch,
        projector_with(RegistryProjection, Announcer),
        rebuild_in_background=False,
    )
    # The announcer is new to this cluster's tables: it is built in, then goes live.
    first = sender.partitions.open(cluster.id)
    assert sender.rebuilds.rebuild(first) == "switched"
    for i in range(5):
        sender.registry.admit_subject(
            operator, cluster.id, SubjectAdmission(f"School {i}", "SCHOOL")
        )
    outbox = Outbox(first.read_model.engine)
    delivered: list[tuple[str, str]] = []
    deliver(outbox, delivered)
    assert len(delivered) == 5  # the live announcer sent each admission once
    sender.close()

    bumped = another_process(
        container,
        monkeypatch,
        projector_with(CapitalRegistry, AnnouncerV2),
        rebuild_in_background=False,
    )
    rebuilds = Rebuilds(
        bumped.partitions, bumped.projector, bumped.sync.lease, background=False, batch_size=2
    )
    partition = bumped.partitions.open(cluster.id)

    batches: list[int] = []

    def meanwhile(count: int) -> None:
        # Writes during the rebuild (its first batches: the last ones run under the
        # switch's lock, where a write would wait for the switch), projected live.
        batches.append(count)
        if len(batches) <= 3:
            bumped.registry.admit_subject(
                operator, cluster.id, SubjectAdmission("Meanwhile", "SCHOOL")
            )

    assert rebuilds.rebuild(partition, on_batch=meanwhile) == "switched"
    bumped.registry.admit_subject(operator, cluster.id, SubjectAdmission("After", "SCHOOL"))
    # A replay of the whole log too (`clusterwork audit replay`).
    partition.read_model.reset(bumped.projector.versions(partition.read_model))
    bumped.projector.catch_up(cluster.id, partition.log, partition.read_model, partition.app.mapper)
    deliver(outbox, delivered)
    admitted = [
        e for e in partition.log.read(0, 10_000) if e.stored_event.topic.endswith("SubjectAdmitted")
    ]
    assert len(delivered) == len(set(delivered)), "a message was sent twice"
    assert sorted(key for _, key in delivered) == sorted(str(e.position) for e in admitted)
    bumped.close()


def run_cli(container: Container, *args: str) -> subprocess.CompletedProcess[str]:
    """``clusterwork ARGS`` over the container's store, in this process (the
    commands' answers are what is tested; a process would spend seconds starting)."""
    settings = container.settings
    given = {
        "data_dir": str(settings.data_dir),
        "signing_key_path": str(settings.key_path),
        "log_level": "WARNING",
    }
    if settings.database_url:
        given["database_url"] = settings.database_url
    return clusterwork_here(settings.data_dir, *args, **given)


def test_projections_status_and_rebuild_commands(
    container: Container, operator: Principal, cluster: ClusterInfo
) -> None:
    container.registry.admit_subject(operator, cluster.id, SubjectAdmission("School 9", "SCHOOL"))
    live = container.partitions.open(cluster.id).read_model
    head = container.partitions.open(cluster.id).log.head()
    done = run_cli(container, "projections", "status")
    assert done.returncode == 0, done.stderr
    header, row = done.stdout.splitlines()
    assert header.split() == ["CLUSTER", "STATE", "POSITION", "HEAD", "LAG", "NEXT", "VERSION"]
    assert row.split() == [cluster.id, "current", str(head), str(head), "0", "-", "current"]

    live.record_versions({**container.projector.versions(live), "registry": 0})
    done = run_cli(container, "projections", "status", "--cluster", cluster.id)
    assert done.stdout.splitlines()[1].split()[1:] == [
        "outdated",
        str(head),
        str(head),
        "0",
        "-",
        "registry",
        f"0→{RegistryProjection.version}",
    ]
    done = run_cli(container, "projections", "rebuild", "--cluster", cluster.id)
    assert done.returncode == 0, done.stderr
    assert "switched" in done.stdout
    assert live.versions() == container.projector.versions(live)
    done = run_cli(container, "projections", "status", "--cluster", cluster.id)
    assert done.stdout.splitlines()[1].split()[1] == "current"
    done = run_cli(container, "projections", "rebuild", "--cluster", "nope")
    assert done.returncode == 1 and "no cluster nope" in done.stderr
