"""Appends guess the chain head they last wrote; a wrong guess is redone.

A second recorder on the same partition plays another process that writes to
the same cluster: each writer's remembered head goes stale whenever the other
appends, and the position's unique key must catch every stale guess, so
positions stay gapless and the chain verifies.
"""

from __future__ import annotations

import json
import uuid

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from infra.bootstrap import Container
from infra.eventstore.postgres import ChainedPostgresRecorder, SchemaDatastore
from infra.eventstore.sqlite import ChainedSQLiteRecorder, sqlite_datastore
from infra.partitions import schema_name
from services.audit.chain_check import check_chain
from services.dto import ClusterInfo

TOPIC = "domain.cluster:Cluster.SubjectAdmitted"
# Rows enough that psycopg reads a failure while it still sends the group's rows.
GROUP = 1000
LONG = "x" * 2000


def another_process(container: Container, cluster_id: str):  # type: ignore[no-untyped-def]
    """A recorder of its own on the same partition, as another process has."""
    partitions = container.partitions
    if container.settings.database_url:
        shared = partitions.datastore  # type: ignore[union-attr]
        return ChainedPostgresRecorder(SchemaDatastore(shared, schema_name(cluster_id)), cluster_id)
    path = str(partitions.path(cluster_id))  # type: ignore[union-attr]
    return ChainedSQLiteRecorder(sqlite_datastore(path), cluster_id)


def event(aggregate: uuid.UUID | None = None, version: int = 1, note: str = "") -> StoredEvent:
    state = json.dumps({"name": f"School {uuid.uuid4().hex[:6]}", "note": note}).encode()
    return StoredEvent(aggregate or uuid.uuid4(), version, TOPIC, state)


def test_writers_in_two_processes_keep_positions_gapless(
    container: Container, cluster: ClusterInfo
) -> None:
    partition = container.partitions.open(cluster.id)
    ours, theirs = partition.recorder, another_process(container, cluster.id)
    start = partition.log.head()
    returned: list[int] = []
    for turn in range(12):
        writer = ours if turn % 3 else theirs  # each goes stale when the other writes
        batch = [event() for _ in range(1 + turn % 2)]
        returned += list(writer.insert_events(batch) or [])
    head = partition.log.head()
    entries = partition.log.read(start, 1_000)
    assert [e.position for e in entries] == list(range(start + 1, head + 1))
    assert returned == list(range(start + 1, head + 1))
    assert check_chain(cluster.id, partition.log.records(), set()).verified


def test_a_stale_guess_reads_the_head_for_a_while(
    container: Container, cluster: ClusterInfo
) -> None:
    partition = container.partitions.open(cluster.id)
    ours, theirs = partition.recorder, another_process(container, cluster.id)
    ours.insert_events([event()])
    theirs.insert_events([event()])  # our remembered head is now one behind
    assert ours.head.guess() is not None
    ours.insert_events([event()])  # guessed, refused by the position's key, redone
    assert ours.head.guess() is None  # reads the head after a miss
    assert check_chain(cluster.id, partition.log.records(), set()).verified


def test_a_real_conflict_is_not_mistaken_for_a_stale_guess(
    container: Container, cluster: ClusterInfo
) -> None:
    partition = container.partitions.open(cluster.id)
    aggregate = uuid.uuid4()
    partition.recorder.insert_events([event(aggregate, 1)])
    head = partition.log.head()
    with pytest.raises(IntegrityError):
        partition.recorder.insert_events([event(aggregate, 1)])
    assert partition.log.head() == head
    partition.recorder.insert_events([event(aggregate, 2)])
    assert partition.log.head() == head + 1
    assert check_chain(cluster.id, partition.log.records(), set()).verified


def test_the_written_out_hash_is_the_chain_rule_for_any_id_form(
    container: Container, cluster: ClusterInfo
) -> None:
    """The recorders compute the hash on their own append path; check_chain
    recomputes it with services.chain's rule, so a drift fails here."""
    partition = container.partitions.open(cluster.id)
    as_text = StoredEvent(str(uuid.uuid4()), 1, TOPIC, b'{"name": "As text"}')  # type: ignore[arg-type]
    partition.recorder.insert_events([event(), as_text, event()])
    partition.recorder.insert_events([event()])
    report = check_chain(cluster.id, partition.log.records(), set())
    assert report.verified and report.first_bad_position is None


def test_a_stale_guess_under_a_large_group_is_redone(
    container: Container, cluster: ClusterInfo
) -> None:
    """A group's append sends its rows in one pipeline; when the guessed position
    is taken, the first row fails and PostgreSQL aborts the rest. That is the same
    stale guess, redone with the head read under the lock, never an error for the
    writers of the group (two API processes under a write storm met it as
    INTERNAL: the pipeline's close raised PipelineAborted over the failure)."""
    partition = container.partitions.open(cluster.id)
    theirs = another_process(container, cluster.id)
    for _ in range(8):  # a writer that missed reads the head for a while: a new one each time
        ours = another_process(container, cluster.id)
        ours.insert_events([event()])
        theirs.insert_events([event()])  # our remembered head is now one behind
        written = ours.insert_events([event(note=LONG) for _ in range(GROUP)])
        assert written is not None and len(written) == GROUP
    assert check_chain(cluster.id, partition.log.records(), set()).verified
