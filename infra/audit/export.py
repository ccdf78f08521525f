"""Writes a cluster's history as NDJSON for auditors.

Line 1 is a header; then one line per event in position order (with the
stored bytes, base64, which the chain hash covers); then the signed
checkpoints; last the public keys. Nothing secret is in any of them: events never hold
secrets and the keys are public halves.

When given, the header also carries what the directory holds of the cluster
(its persons, their identities and memberships), which ``clusterwork cluster
import`` restores; the chain does not cover it. In the header, a verifier that
does not know the field (an earlier release's) passes over it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import IO, Any

from infra.version import application_version
from services.audit.record import describe_state
from services.chain import genesis
from services.ports.log import iter_batches
from services.ports.storage import Partition

FORMAT = "clusterwork-audit-export/1"


def write_export(
    partition: Partition,
    out: IO[str],
    jwks: dict[str, Any],
    name: str,
    progress: Callable[[int], None] = lambda _: None,
    directory: dict[str, Any] | None = None,
) -> int:
    """Writes the export; returns the number of events written."""
    head = partition.log.head()
    _line(
        out,
        {
            "kind": "header",
            "format": FORMAT,
            "cluster": partition.cluster_id,
            "clusterName": name,
            "head": head,
            "genesis": genesis(partition.cluster_id),
            "application": application_version(),
            "exportedAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            **({} if directory is None else {"directory": directory}),
        },
    )
    written = 0
    for batch in iter_batches(partition.log, 0, 1000, head):
        for entry in batch:
            stored = entry.stored_event
            _line(
                out,
                {
                    "kind": "event",
                    "position": entry.position,
                    "aggregateId": str(stored.originator_id),
                    "version": stored.originator_version,
                    **describe_state(stored.topic, stored.state),
                    "hash": entry.hash,
                    "topic": stored.topic,
                    "state": base64.b64encode(stored.state).decode(),
                },
            )
        written += len(batch)
        progress(len(batch))
    for checkpoint in partition.checkpoints.all():
        if checkpoint.position <= head:
            _line(
                out,
                {
                    "kind": "checkpoint",
                    "position": checkpoint.position,
                    "headHash": checkpoint.head_hash,
                    "jws": checkpoint.jws,
                    "signedAt": checkpoint.signed_at.isoformat(),
                },
            )
    _line(out, {"kind": "keys", "jwks": jwks})
    return written


def _line(out: IO[str], record: dict[str, Any]) -> None:
    out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
