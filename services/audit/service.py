"""Integrity of a cluster's chain and its signed checkpoints."""

from __future__ import annotations

import logging
from datetime import UTC, timedelta

from domain.errors import Conflict
from services.audit.chain_check import CheckpointClaim, check_chain, check_checkpoints
from services.chain import canonical_bytes, genesis, link
from services.commands import CommandRunner
from services.dto import CheckpointInfo, IntegrityInfo
from services.permissions import Permission, require
from services.ports.audit import CheckpointSigner
from services.ports.log import iter_batches
from services.ports.storage import Partition
from services.principal import Principal
from services.queries import ClusterQueries, ClusterScope

log = logging.getLogger(__name__)


class AuditService:
    def __init__(
        self,
        runner: CommandRunner,
        queries: ClusterQueries,
        signer: CheckpointSigner,
        every_events: int,
        every_minutes: int,
    ) -> None:
        self.runner = runner
        self.queries = queries
        self.signer = signer
        self.every_events = every_events
        self.every = timedelta(minutes=every_minutes)
        self._last: dict[str, tuple[CheckpointInfo | None]] = {}  # per cluster

    def integrity(self, scope: ClusterScope) -> IntegrityInfo:
        """Recomputes the whole chain from storage and checks every checkpoint."""
        require(scope.actor, Permission.AUDIT)
        partition = self.runner.partitions.open(scope.cluster_id)
        checkpoints = partition.checkpoints.all()
        report = check_chain(
            scope.cluster_id, partition.log.records(), {c.position for c in checkpoints}
        )
        check_checkpoints(report, [self._claim(scope.cluster_id, c) for c in checkpoints])
        return IntegrityInfo(
            report.head,
            report.head_hash,
            report.verified,
            report.first_bad_position,
            tuple(checkpoints),
        )

    def sign_checkpoint(self, principal: Principal | None, cluster_id: str) -> CheckpointInfo:
        """Signs the current head, after checking the log since the last checkpoint."""
        scope = self.queries.scope(principal, cluster_id)
        require(scope.actor, Permission.AUDIT)
        partition = self.runner.partitions.open(scope.cluster_id)
        signed = self._sign(partition)
        if signed is None:
            raise Conflict("the log is empty; there is nothing to sign")
        return signed

    def maybe_checkpoint(self, partition: Partition, head: int | None = None) -> None:
        """Automatic checkpoints: every N events or T minutes of activity. ``head``:
        the log's head as the caller knows it (after a command: the position its
        projection reached, which is at least its own events'), saving a query."""
        key = partition.cluster_id
        # The last checkpoint this process knows of. Checkpoints are only ever
        # added, so a remembered one can only be older than the newest: it may
        # make a checkpoint look due, never not due; that is checked below.
        known = self._last.get(key)
        last = known[0] if known is not None else partition.checkpoints.last()
        head = partition.log.head() if head is None else head
        due = self._due(last, head)
        if due and known is not None:
            last = partition.checkpoints.last()
            due = self._due(last, head)
        self._last[key] = (last,)
        if due:
            try:
                signed = self._sign(partition)
            except Conflict as refused:
                log.error("no automatic checkpoint for %s: %s", partition.cluster_id, refused)
            else:
                if signed is not None:
                    self._last[key] = (signed,)

    def _due(self, last: CheckpointInfo | None, head: int) -> bool:
        if last is None:
            return head >= self.every_events
        elapsed = self.runner.clock.now() - last.signed_at.replace(tzinfo=UTC)
        return head - last.position >= self.every_events or (
            head > last.position and elapsed >= self.every
        )

    def _sign(self, partition: Partition) -> CheckpointInfo | None:
        position, head_hash = self._verified_head(partition)
        if position == 0:
            return None
        signed_at = self.runner.clock.now().astimezone(UTC).replace(microsecond=0)
        claims = {
            "cluster": partition.cluster_id,
            "position": position,
            "headHash": head_hash,
            "signedAt": signed_at.isoformat().replace("+00:00", "Z"),
        }
        checkpoint = CheckpointInfo(position, head_hash, signed_at, self.signer.sign(claims))
        partition.checkpoints.add(checkpoint)
        return checkpoint

    def _verified_head(self, partition: Partition) -> tuple[int, str]:
        """Recomputes the chain from the last checkpoint on; refuses to bless a break."""
        last = partition.checkpoints.last()
        position, previous = (
            (last.position, last.head_hash) if last else (0, genesis(partition.cluster_id))
        )
        for batch in iter_batches(partition.log, position, 1000, None):
            for entry in batch:
                stored = entry.stored_event
                previous = link(
                    previous,
                    canonical_bytes(
                        entry.position,
                        str(stored.originator_id),
                        stored.originator_version,
                        stored.topic,
                        stored.state,
                    ),
                )
                if entry.position != position + 1 or previous != entry.hash:
                    raise Conflict(f"the log does not verify at position {position + 1}")
                position = entry.position
        return position, previous

    def _claim(self, cluster_id: str, checkpoint: CheckpointInfo) -> CheckpointClaim:
        claims = self.signer.verify(checkpoint.jws) or {}
        return CheckpointClaim(
            position=checkpoint.position,
            head_hash=str(claims.get("headHash", "")),
            signature_valid=bool(claims)
            and claims.get("position") == checkpoint.position
            and claims.get("headHash") == checkpoint.head_hash,
            cluster_matches=claims.get("cluster") == cluster_id,
        )
