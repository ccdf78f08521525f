"""`clusterwork cluster move` takes a cluster from SQLite to PostgreSQL (and back)
while a writer keeps writing: every acknowledged write is in the target, the
chain is the same, writes during the move are refused with CONFLICT "cluster is
moving" (nothing recorded), and afterwards the source refuses them naming where
the cluster lives."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from store_support import close_container, drop_partitions, make_container

from domain.cluster import ClusterFounding, MemberAddition, SubjectAdmission
from domain.errors import Conflict
from domain.personal import erased_name
from domain.stamp import Stamp, stamped
from infra.bootstrap import Container, bootstrap
from infra.cluster_import import ImportRefused, Steps, stored_head
from infra.cluster_move import MOVING, move_cluster, target_settings
from infra.eventstore.seal import seal, seal_reason, unseal
from services.principal import Principal

EVENTS = 2_000  # enough for the writer to land writes between the export and the seal


def seed(container: Container, operator: Principal, cluster_id: str, events: int) -> None:
    """Registry events saved 100 to a transaction, stamped as the founder's."""
    partition = container.partitions.open(cluster_id)
    member = container.directory.member_of(operator.person_id, cluster_id)
    cluster = partition.app.repository.get(uuid.UUID(cluster_id))
    with stamped(Stamp(cluster_id, member, None, "seed")):
        while partition.log.head() < events:
            for _ in range(min(100, events - partition.log.head())):
                admission = SubjectAdmission(f"School {uuid.uuid4().hex[:6]}", "SCHOOL", "R")
                cluster.admit(str(uuid.uuid4()), admission)
            partition.app.save(cluster)


class Writer(threading.Thread):
    """Admits subjects one command at a time, through its own container (as a
    server over the same store would), until told to stop."""

    def __init__(self, container: Container, operator: Principal, cluster_id: str) -> None:
        super().__init__(daemon=True)
        self.container, self.operator, self.cluster_id = container, operator, cluster_id
        self.acknowledged: list[str] = []
        self.refusals: list[str] = []
        self.stop = threading.Event()
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                name = f"Written {len(self.acknowledged) + len(self.refusals)}"
                try:
                    subject = self.container.registry.admit_subject(
                        self.operator, self.cluster_id, SubjectAdmission(name, "COLLEGE", None)
                    ).subject
                except Conflict as refused:
                    self.refusals.append(refused.message)
                    continue
                self.acknowledged.append(subject.id)
        except BaseException as error:  # the test reports it
            self.failure = error


def while_sealed(writer: Writer) -> Steps:
    """Progress steps that, once the source is sealed (the catch-up starts), wait
    until the writer has been refused "cluster is moving"."""

    def start(name: str, _total: int | None) -> Callable[[int], None]:
        deadline = time.monotonic() + 60
        while name == "catching up" and MOVING not in writer.refusals:
            assert time.monotonic() < deadline and writer.is_alive(), "no write was refused"
            time.sleep(0.01)
        return lambda _: None

    return start


def chain(container: Container, cluster_id: str) -> list[tuple]:
    return [
        (r.position, r.stored_hash, r.aggregate_id, r.version, r.topic, r.state)
        for r in container.partitions.open(cluster_id).log.records()
    ]


@pytest.mark.postgres
def test_a_move_under_a_writer_loses_no_acknowledged_write(
    tmp_path: Path, own_postgres_url: str
) -> None:
    url = own_postgres_url
    source = make_container(tmp_path / "data")
    writing = make_container(tmp_path / "data")  # another "server" on the same store
    target = bootstrap(target_settings(source.settings, url))
    operator = Principal("op-move", "Olga Operator", "olga@ops.example", True)
    try:
        info = source.registry.found_cluster(
            operator, ClusterFounding("Moving cluster", "Region", "GEOGRAPHIC")
        )
        seed(source, operator, info.id, EVENTS)
        writer = Writer(writing, operator, info.id)
        writer.start()
        while len(writer.acknowledged) < 5 and writer.is_alive():  # the writer is under way
            writer.join(0.01)
        moved = move_cluster(source, target, info.id, while_sealed(writer))
        after_move = len(writer.refusals)
        while len(writer.refusals) < after_move + 3 and writer.is_alive():
            writer.join(0.01)
        writer.stop.set()
        writer.join()
        assert writer.failure is None, writer.failure
        assert moved.caught_up > 0, "no write landed between the export and the seal"
        assert MOVING in writer.refusals  # refused while sealed, from another container
        # Every acknowledged write is in the target, and the chain is the source's.
        assert chain(target, info.id) == chain(source, info.id)
        assert len(chain(target, info.id)) == moved.head >= EVENTS + len(writer.acknowledged)
        restored = target.partitions.open(info.id).read_model.registry_reader
        names = {s.id for s in restored.subjects()}
        assert set(writer.acknowledged) <= names
        # Refused writes recorded nothing: the source's head is the target's.
        assert source.partitions.open(info.id).log.head() == moved.head
        assert set(writer.refusals) <= {
            MOVING,
            f"cluster moved to {moved.target}: write to the server of that store",
        }
        assert writer.refusals[-1].startswith("cluster moved to postgresql://")
        # The target serves the cluster to the same person, and takes writes.
        assert target.directory.member_of(operator.person_id, info.id) is not None
        target.registry.admit_subject(
            operator, info.id, SubjectAdmission("After the move", "SCHOOL", None)
        )
        integrity = target.audit.integrity(target.queries.scope(operator, info.id))
        assert integrity.verified and integrity.head == moved.head + 1
    finally:
        for container in (writing, source, target):
            close_container(container)
        drop_partitions(url)


def test_a_write_to_a_sealed_store_is_a_conflict_and_records_nothing(container, operator, cluster):  # type: ignore[no-untyped-def]
    partition = container.partitions.open(cluster.id)
    schema = (
        None
        if container.settings.database_url is None
        else f"cluster_{cluster.id.replace('-', '')}"
    )
    head = partition.log.head()
    seal(partition.log.engine, schema, MOVING)
    assert seal_reason(partition.log.engine, schema) == MOVING
    with pytest.raises(Conflict, match=r"^cluster is moving$"):
        container.registry.admit_subject(
            operator, cluster.id, SubjectAdmission("Refused", "SCHOOL", None)
        )
    assert partition.log.head() == head
    unseal(partition.log.engine, schema)
    assert seal_reason(partition.log.engine, schema) is None
    container.registry.admit_subject(
        operator, cluster.id, SubjectAdmission("Taken", "SCHOOL", None)
    )
    assert partition.log.head() == head + 1


@pytest.mark.postgres
def test_a_move_back_and_a_second_move_refused(tmp_path: Path, own_postgres_url: str) -> None:
    url = own_postgres_url
    source = make_container(tmp_path / "pg-data", url)
    back = bootstrap(target_settings(source.settings, str(tmp_path / "embedded")))
    operator = Principal("op-back", "Olga Operator", None, True)
    try:
        info = source.registry.found_cluster(
            operator, ClusterFounding("Back", "Region", "GEOGRAPHIC")
        )
        seed(source, operator, info.id, 300)
        source.audit.sign_checkpoint(operator, info.id)
        moved = move_cluster(source, back, info.id)
        assert chain(back, info.id) == chain(source, info.id) and moved.head == 300
        assert moved.target == f"the data directory {(tmp_path / 'embedded').resolve()}"
        with pytest.raises(ImportRefused, match="takes no writes here: cluster moved to"):
            move_cluster(source, back, info.id)
        with pytest.raises(Conflict, match="cluster moved to the data directory"):
            source.registry.admit_subject(
                operator, info.id, SubjectAdmission("Refused", "SCHOOL", None)
            )
        integrity = back.audit.integrity(back.queries.scope(operator, info.id))
        assert integrity.verified and len(integrity.checkpoints) == 1
    finally:
        close_container(source)
        close_container(back)
        drop_partitions(url)


def test_an_interrupted_move_leaves_the_cluster_where_it_was(tmp_path: Path) -> None:
    """Ctrl-C once the source is sealed: the seal is lifted, the target keeps
    nothing, writes go on at the source, and the move runs again to the end."""
    source = make_container(tmp_path / "source")
    target = bootstrap(target_settings(source.settings, str(tmp_path / "target")))
    operator = Principal("op-stop", "Olga Operator", None, True)

    def interrupted(name: str, _total: int | None) -> Callable[[int], None]:
        if name == "catching up":
            raise KeyboardInterrupt
        return lambda _: None

    try:
        info = source.registry.found_cluster(
            operator, ClusterFounding("Stopped", "Region", "GEOGRAPHIC")
        )
        seed(source, operator, info.id, 2_500)
        with pytest.raises(KeyboardInterrupt):
            move_cluster(source, target, info.id, interrupted)
        partition = source.partitions.open(info.id)
        assert seal_reason(partition.log.engine, None) is None
        assert stored_head(target, info.id) == 0 and not target.directory.has_cluster(info.id)
        source.registry.admit_subject(
            operator, info.id, SubjectAdmission("Still here", "SCHOOL", None)
        )
        moved = move_cluster(source, target, info.id)
        assert moved.head == 2_501 and chain(target, info.id) == chain(source, info.id)
        reopened = bootstrap(target.settings)  # what the target's servers will read
        try:
            assert chain(reopened, info.id) == chain(source, info.id)
        finally:
            close_container(reopened)
    finally:
        close_container(source)
        close_container(target)


def cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERWORK_")}
    env["CLUSTERWORK_DATA_DIR"] = str(data_dir)
    command = [str(Path(sys.executable).parent / "clusterwork"), "cluster", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_status_and_unseal_after_a_move_that_was_killed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = make_container(data)
    operator = Principal("op-killed", "Olga Operator", None, True)
    try:
        info = store.registry.found_cluster(
            operator, ClusterFounding("Killed", "Region", "GEOGRAPHIC")
        )
        engine = store.partitions.open(info.id).log.engine
        seal(engine, None, MOVING)  # what a move killed while sealed leaves behind
    finally:
        close_container(store)
    status = cli(data, "status", "--cluster", info.id)
    assert status.returncode == 0 and "writes      refused: cluster is moving" in status.stdout
    lifted = cli(data, "unseal", "--cluster", info.id)
    assert lifted.returncode == 0 and "takes writes again" in lifted.stdout, lifted.stderr
    assert "writes      taken" in cli(data, "status", "--cluster", info.id).stdout
    store = make_container(data)
    try:
        store.registry.admit_subject(operator, info.id, SubjectAdmission("Taken", "SCHOOL", None))
        seal(store.partitions.open(info.id).log.engine, None, "cluster moved to elsewhere")
    finally:
        close_container(store)
    refused = cli(data, "unseal", "--cluster", info.id)
    assert refused.returncode == 1 and "refused: cluster moved to elsewhere" in refused.stderr


@pytest.mark.postgres
def test_a_moved_cluster_keeps_its_members_names_and_its_erasures(
    tmp_path: Path, own_postgres_url: str
) -> None:
    """The person keys go with the cluster, still wrapped, erased ones as tombstones."""
    url = own_postgres_url
    source = make_container(tmp_path / "data")
    target = bootstrap(target_settings(source.settings, url))
    operator = Principal("op-keys", "Olga Operator", "olga@keys.example", True)
    try:
        info = source.registry.found_cluster(
            operator, ClusterFounding("Keys", "Region", "GEOGRAPHIC")
        )
        kept = source.registry.add_member(
            operator, info.id, MemberAddition("Kira Kept", "kira@x.example", None, ["AUDITOR"])
        ).member
        gone = source.registry.add_member(
            operator, info.id, MemberAddition("Gleb Gone", "gleb@x.example", None, ["MEMBER"])
        ).member
        source.directory.ensure_person("person-gleb", "Gleb Gone", "gleb@x.example")
        source.directory.link("person-gleb", info.id, gone.id)
        source.privacy.erase_person(operator, "person-gleb", "request")
        move_cluster(source, target, info.id)
        names = {
            m.id: m.name
            for m in target.partitions.open(info.id).read_model.registry_reader.members()
        }
        assert names[kept.id] == "Kira Kept"
        assert names[gone.id] == erased_name(gone.id)
        assert target.person_keys.owners(info.id)[gone.id] == "erased"
        # Loaded from the log on the target (not only the projected read model).
        target.person_keys.forget()
        cluster = target.partitions.open(info.id).app.repository.get(uuid.UUID(info.id))
        assert cluster is not None
        reopened = target.partitions.open(info.id).log.read(0, 100)
        mapper = target.partitions.open(info.id).app.mapper
        added = [
            mapper.to_domain_event(r.stored_event)
            for r in reopened
            if r.stored_event.topic.endswith("MemberAdded")
        ]
        assert {e.name for e in added} >= {"Kira Kept", erased_name(gone.id)}
        assert target.directory.person("person-gleb") is None
        assert target.directory.member_of(operator.person_id, info.id) is not None
        integrity = target.audit.integrity(target.queries.scope(operator, info.id))
        assert integrity.verified
    finally:
        close_container(source)
        close_container(target)
        drop_partitions(url)
