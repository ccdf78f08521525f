"""Chain hashes written by either event store are the documented ones, to the byte.

The expected digests below were worked out once with nothing but hashlib and
the formula in docs/audit.md ("What the chain is"), not with the project's own
chain code, so a change to how a recorder builds the canonical bytes, which
SHA-256 it calls, or how it stores an aggregate id fails here: logs already
written must keep verifying.
"""

from __future__ import annotations

import uuid

from eventsourcing.persistence import StoredEvent

from infra.bootstrap import Container
from services.audit.chain_check import check_chain

CLUSTER = "5f0c2a7e-8d1b-4c3a-9e2f-6b7a8c9d0e1f"
A = uuid.UUID("11111111-2222-4333-8444-555555555555")
B = uuid.UUID("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee")
EVENTS = [
    StoredEvent(A, 1, "domain.cluster:Cluster.SubjectAdmitted", '{"name":"Школа №1"}'.encode()),
    StoredEvent(B, 1, "domain.goal:Goal.Proposed", b'{"title":"x"}'),
    StoredEvent(A, 2, "domain.cluster:Cluster.SubjectWithdrawn", b"{}"),
]
# h_0 = SHA-256("clusterwork:chain:v1:" + cluster id); h_n over h_{n-1} and
# "n\n<uuid text>\n<version>\n<topic>\n" + state.
EXPECTED = [
    (1, "cc435cf834dc353330c340a65e6d6d5f5b6f1e5b5b343dfbb9ea10e91ec5c561"),
    (2, "69bc95b7743c8e512925461e350fe4f4ed6eb893c864771ce22600e30d2e3682"),
    (3, "21bc5bcc083410de054b918b7d71ff9b2034de7eeddaa800c08b393d5acc5ac6"),
]


def test_a_known_sequence_gets_the_documented_hashes(container: Container) -> None:
    partition = container.partitions.provision(CLUSTER)
    # One append of two events, then one of one: both the batch and the
    # guessed-head path.
    assert list(partition.recorder.insert_events(EVENTS[:2]) or []) == [1, 2]
    assert list(partition.recorder.insert_events(EVENTS[2:]) or []) == [3]
    records = list(partition.log.records())
    assert [(r.position, r.stored_hash) for r in records] == EXPECTED
    assert [(r.aggregate_id, r.version) for r in records] == [(str(A), 1), (str(B), 1), (str(A), 2)]
    assert check_chain(CLUSTER, records, set()).verified
