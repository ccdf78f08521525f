"""Recomputes a cluster's hash chain and finds the first position that breaks it.

Pure standard library: the server's ``integrity`` and the offline verifier of
exports run this same code over records from storage or from a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from services.chain import canonical_bytes, genesis, link


@dataclass(frozen=True)
class ChainRecord:
    """The n-th stored event in position order, with the position and hash
    stored beside it. Any field may be missing when storage was tampered with.
    """

    position: int | None
    stored_hash: str | None
    aggregate_id: str | None
    version: int | None
    topic: str | None
    state: bytes | None


@dataclass
class ChainReport:
    head: int = 0
    head_hash: str = ""
    first_bad_position: int | None = None
    hashes: dict[int, str] = field(default_factory=dict)  # recomputed, at asked positions

    @property
    def verified(self) -> bool:
        return self.first_bad_position is None

    def mark_bad(self, position: int) -> None:
        if self.first_bad_position is None or position < self.first_bad_position:
            self.first_bad_position = position


def check_chain(cluster_id: str, records: Iterable[ChainRecord], keep: set[int]) -> ChainReport:
    """Walks the records in order; position n must be the n-th record and its
    stored hash must equal SHA-256(h_{n-1} ‖ canonical bytes of event n)."""
    report = ChainReport(head_hash=genesis(cluster_id))
    previous = report.head_hash
    for expected, record in enumerate(records, start=1):
        recomputed = _recompute(previous, expected, record)
        if recomputed is None or recomputed != record.stored_hash or not _aligned(expected, record):
            report.mark_bad(expected)
        previous = recomputed or record.stored_hash or previous
        report.head, report.head_hash = expected, record.stored_hash or previous
        if expected in keep:
            report.hashes[expected] = previous
    return report


def _aligned(expected: int, record: ChainRecord) -> bool:
    return record.position == expected


def _recompute(previous: str, position: int, record: ChainRecord) -> str | None:
    if record.aggregate_id is None or record.version is None or record.topic is None:
        return None
    if record.state is None:
        return None
    return link(
        previous,
        canonical_bytes(position, record.aggregate_id, record.version, record.topic, record.state),
    )


@dataclass(frozen=True)
class CheckpointClaim:
    position: int
    head_hash: str
    signature_valid: bool
    cluster_matches: bool


def check_checkpoints(report: ChainReport, checkpoints: Iterable[CheckpointClaim]) -> None:
    """A checkpoint that is unsigned, past the head, or names another hash
    breaks the chain at its position (or just past a truncated head)."""
    for cp in checkpoints:
        if not (cp.signature_valid and cp.cluster_matches):
            report.mark_bad(min(cp.position, report.head + 1))
        elif cp.position > report.head:
            report.mark_bad(report.head + 1)
        elif report.hashes.get(cp.position) != cp.head_hash:
            report.mark_bad(cp.position)
