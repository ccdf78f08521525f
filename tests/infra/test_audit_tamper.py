"""Integrity finds tampering done directly in storage, at the right position.

Each test edits the SQLite file or the PostgreSQL tables behind the
application's back, then asks `integrity` to recompute the chain.
"""

from __future__ import annotations

import uuid

import pytest
from storage import storage

from domain.cluster import SubjectAdmission
from infra.bootstrap import Container
from services.chain import canonical_bytes, link
from services.dto import ClusterInfo
from services.principal import Principal

SUBJECTS = 10


@pytest.fixture
def history(container: Container, operator: Principal, cluster: ClusterInfo) -> int:
    """A cluster with a few events; returns the head position."""
    for i in range(SUBJECTS):
        container.registry.admit_subject(
            operator, cluster.id, SubjectAdmission(f"School {i}", "SCHOOL", None)
        )
    return container.queries.scope(operator, cluster.id).info.position


def integrity(container: Container, operator: Principal, cluster: ClusterInfo):  # type: ignore[no-untyped-def]
    return container.audit.integrity(container.queries.scope(operator, cluster.id))


def test_an_untouched_log_verifies_with_the_head_hash_of_the_last_event(
    container, operator, cluster, history
):
    report = integrity(container, operator, cluster)
    last = (
        container.queries.scope(operator, cluster.id).events(after=history - 1, first=1).events[0]
    )
    assert (report.verified, report.first_bad_position, report.head) == (True, None, history)
    assert report.head_hash == last.hash and len(report.head_hash) == 64


def test_changed_event_bytes_are_reported_at_their_position(container, operator, cluster, history):
    with storage(container, cluster.id) as db:
        db.set_state(5, db.state_at(5).replace(b"School 2", b"School X"))
    report = integrity(container, operator, cluster)
    assert (report.verified, report.first_bad_position) == (False, 5)


def test_a_deleted_event_is_reported_at_its_position(container, operator, cluster, history):
    with storage(container, cluster.id) as db:
        db.delete_event(6)
    report = integrity(container, operator, cluster)
    assert report.first_bad_position == 6


def test_an_erased_hash_is_reported_at_its_position(container, operator, cluster, history):
    with storage(container, cluster.id) as db:
        db.run("UPDATE {t}stored_events SET hash = NULL WHERE {pos} = {p}", 6)
    report = integrity(container, operator, cluster)
    assert (report.verified, report.first_bad_position) == (False, 6)


def test_an_inserted_event_is_reported_where_it_was_slipped_in(
    container, operator, cluster, history
):
    with storage(container, cluster.id) as db:
        oid, _ = db.key_at(4)
        forged_id = uuid.uuid4()
        forged_key = forged_id.hex if isinstance(oid, str) else forged_id
        db.shift_from(4)
        db.run(
            "INSERT INTO {t}stored_events "
            "({pos}, originator_id, originator_version, topic, state, hash) "
            "VALUES ({p}, {p}, 1, {p}, {p}, {p})",
            4,
            forged_key,
            "domain.cluster:Cluster.SubjectAdmitted",
            b'{"name":"Forged"}',
            "0" * 64,
        )
    report = integrity(container, operator, cluster)
    assert report.first_bad_position == 4


def test_an_event_appended_behind_the_chain_is_reported_after_the_head(
    container, operator, cluster, history
):
    with storage(container, cluster.id) as db:
        oid, _ = db.key_at(1)
        forged = uuid.uuid4()
        db.run(
            "INSERT INTO {t}stored_events ({pos}, originator_id, originator_version, topic, state) "
            "VALUES ({p}, {p}, 1, 'x:Y.Z', {p})",
            history + 1,
            forged.hex if isinstance(oid, str) else forged,
            b"{}",
        )
    assert integrity(container, operator, cluster).first_bad_position == history + 1


def test_two_swapped_events_are_reported_at_the_first_of_them(
    container, operator, cluster, history
):
    with storage(container, cluster.id) as db:
        fourth, seventh = db.state_at(4), db.state_at(7)
        db.set_state(4, seventh)
        db.set_state(7, fourth)
    assert integrity(container, operator, cluster).first_bad_position == 4


def test_a_truncated_tail_is_reported_past_the_new_head_by_a_signed_checkpoint(
    container, operator, cluster, history
):
    container.audit.sign_checkpoint(operator, cluster.id)
    with storage(container, cluster.id) as db:
        for position in range(history, history - 3, -1):
            db.delete_event(position)
    report = integrity(container, operator, cluster)
    assert (report.head, report.first_bad_position) == (history - 3, history - 2)


def test_a_rewritten_chain_with_fresh_hashes_is_caught_by_the_checkpoint(
    container, operator, cluster, history
):
    checkpoint = container.audit.sign_checkpoint(operator, cluster.id)
    with storage(container, cluster.id) as db:
        db.set_state(3, db.state_at(3).replace(b"School 0", b"School Z"))
        previous = db.run("SELECT hash FROM {t}stored_events WHERE {pos} = 2")[0][0]
        for position in range(3, history + 1):  # the forger recomputes every hash after the edit
            oid, version = db.key_at(position)
            topic = db.run(
                "SELECT topic FROM {t}stored_events WHERE originator_id = {p} AND originator_version = {p}",
                oid,
                version,
            )[0][0]
            aggregate = str(uuid.UUID(str(oid)))
            previous = link(
                previous,
                canonical_bytes(position, aggregate, version, topic, db.state_at(position)),
            )
            db.run("UPDATE {t}stored_events SET hash = {p} WHERE {pos} = {p}", previous, position)
    report = integrity(container, operator, cluster)
    assert (report.verified, report.first_bad_position) == (False, checkpoint.position)


def test_a_checkpoint_with_a_forged_signature_breaks_verification(
    container, operator, cluster, history
):
    checkpoint = container.audit.sign_checkpoint(operator, cluster.id)
    with storage(container, cluster.id) as db:
        db.run("UPDATE {t}audit_checkpoint SET jws = {p}", checkpoint.jws[:-6] + "AAAAAA")
    assert integrity(container, operator, cluster).first_bad_position == checkpoint.position


def test_signing_refuses_to_bless_a_log_that_no_longer_verifies(
    container, operator, cluster, history
):
    from domain.errors import Conflict

    with storage(container, cluster.id) as db:
        db.set_state(2, db.state_at(2) + b" ")
    with pytest.raises(Conflict, match="position 2"):
        container.audit.sign_checkpoint(operator, cluster.id)
