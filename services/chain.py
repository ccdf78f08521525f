"""The per-cluster hash chain: h_n = SHA-256(h_{n-1} ‖ canonical bytes of event n).

Pure standard library, so the offline verifier needs nothing but an export.
The canonical bytes of an event are, joined by a newline (0x0A):
position, aggregate id (UUID text), aggregate version, topic, then the stored
state bytes exactly as the event store holds them.
"""

from __future__ import annotations

import hashlib

GENESIS_PREFIX = b"clusterwork:chain:v1:"


def genesis(cluster_id: str) -> str:
    """h_0, derived from the cluster id so no two clusters share a chain."""
    return hashlib.sha256(GENESIS_PREFIX + cluster_id.encode()).hexdigest()


def canonical_bytes(
    position: int, aggregate_id: str, version: int, topic: str, state: bytes
) -> bytes:
    head = f"{position}\n{aggregate_id}\n{version}\n{topic}\n".encode()
    return head + state


def link(previous_hash: str, event_bytes: bytes) -> str:
    return hashlib.sha256(bytes.fromhex(previous_hash) + event_bytes).hexdigest()


def event_type(topic: str) -> str:
    """The past-tense event name from a topic such as ``domain.cluster:Cluster.SubjectAdmitted``."""
    return topic.rsplit(":", 1)[-1].rsplit(".", 1)[-1]
