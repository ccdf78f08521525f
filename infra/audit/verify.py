"""The offline verifier: needs an export file and nothing else.

No settings, no database, no server. It recomputes the hash chain from the
stored bytes in the export, re-derives every human-readable field from those
bytes, and checks each checkpoint's EdDSA signature and hash.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from joserfc.jwk import KeySet

from infra.audit.jws import verify_checkpoint
from services.audit.chain_check import (
    ChainRecord,
    CheckpointClaim,
    check_chain,
    check_checkpoints,
)
from services.audit.record import describe_state

DERIVED = ("type", "occurredAt", "actor", "requestId", "data")


@dataclass
class Verification:
    cluster: str = ""
    head: int = 0
    head_hash: str = ""
    checkpoints: int = 0
    last_checkpoint: int = 0  # the highest position a signed checkpoint anchors
    first_bad_position: int | None = None
    problems: list[str] = field(default_factory=list)
    key_thumbprints: list[str] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return self.first_bad_position is None and not self.problems

    @property
    def anchored(self) -> bool:
        """A signed checkpoint ties the chain to the key: without one, a rewrite of
        the whole log with recomputed hashes would verify just as well."""
        return self.checkpoints > 0


class ExportError(Exception):
    """The file is not a Clusterwork export at all."""


def verify_export(
    path: Path,
    pinned_jwks: dict[str, Any] | None = None,
    progress: Callable[[int], None] = lambda _: None,
) -> Verification:
    header, checkpoints, jwks = _scan(path)
    result = Verification(cluster=str(header.get("cluster", "")))
    keys = pinned_jwks or jwks
    if keys is None:
        raise ExportError("the export has no public keys and none were given with --jwks")
    result.key_thumbprints = [k.thumbprint() for k in KeySet.import_key_set(keys).keys]  # type: ignore[arg-type]
    mismatched: list[int] = []
    records = _records(path, mismatched, progress)
    report = check_chain(result.cluster, records, {int(c.get("position", 0)) for c in checkpoints})
    for position in mismatched:
        report.mark_bad(position)
    claims = [_claim(c, keys, result.cluster) for c in checkpoints]
    check_checkpoints(report, claims)
    if header.get("head") not in (None, report.head):
        report.mark_bad(min(int(header["head"]), report.head) + 1)
    result.head, result.head_hash = report.head, report.head_hash
    result.checkpoints = len(checkpoints)
    result.last_checkpoint = max((int(c.get("position", 0)) for c in checkpoints), default=0)
    result.first_bad_position = report.first_bad_position
    return result


def _scan(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any] | None]:
    """First pass: the header, the checkpoints and the keys."""
    header: dict[str, Any] | None = None
    checkpoints: list[dict[str, Any]] = []
    jwks: dict[str, Any] | None = None
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = _parse(line)
            kind = record.get("kind") if record else None
            if kind == "header" and header is None:
                header = record
            elif kind == "checkpoint":
                checkpoints.append(record)  # type: ignore[arg-type]
            elif kind == "keys":
                jwks = record.get("jwks")  # type: ignore[union-attr]
    if header is None or not str(header.get("format", "")).startswith("clusterwork-audit-export/"):
        raise ExportError(f"{path} is not a Clusterwork audit export (no header line)")
    return header, checkpoints, jwks


def _records(
    path: Path, mismatched: list[int], progress: Callable[[int], None]
) -> Iterator[ChainRecord]:
    """Second pass: every event line as a chain record, in file order."""
    with path.open(encoding="utf-8") as handle:
        count = 0
        for line in handle:
            record = _parse(line)
            if record is not None and record.get("kind") in ("header", "checkpoint", "keys"):
                continue
            count += 1
            progress(1)
            yield _chain_record(record, count, mismatched)


def _chain_record(record: dict[str, Any] | None, count: int, mismatched: list[int]) -> ChainRecord:
    try:
        assert record is not None and record.get("kind") == "event"
        state = base64.b64decode(record["state"], validate=True)
        derived = describe_state(record["topic"], state)
        if any(record.get(k) != derived[k] for k in DERIVED):
            mismatched.append(count)
        return ChainRecord(
            position=record["position"],
            stored_hash=record["hash"],
            aggregate_id=record["aggregateId"],
            version=record["version"],
            topic=record["topic"],
            state=state,
        )
    except (AssertionError, KeyError, TypeError, ValueError, binascii.Error):
        mismatched.append(count)
        return ChainRecord(None, None, None, None, None, None)


def _claim(checkpoint: dict[str, Any], jwks: dict[str, Any], cluster: str) -> CheckpointClaim:
    position = int(checkpoint.get("position", 0))
    claims = verify_checkpoint(str(checkpoint.get("jws", "")), jwks) or {}
    return CheckpointClaim(
        position=position,
        head_hash=str(claims.get("headHash", "")),
        signature_valid=bool(claims)
        and claims.get("position") == position
        and claims.get("headHash") == checkpoint.get("headHash"),
        cluster_matches=claims.get("cluster") == cluster,
    )


def _parse(line: str) -> dict[str, Any] | None:
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
