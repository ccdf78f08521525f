"""Restores a cluster from its audit export, exactly as it was stored.

The events go through the store's own recorder, which gives each its position
and chain hash as on any append; every position and hash must come out equal
to the export's, which proves the restored log is the exported one byte for
byte (the chain hashes the stored bytes). Commands are never run again. The
checkpoints are copied as signed, the read model is projected from the log,
and the directory's entries (the cluster, its members' persons, identities and
memberships) are written last: until then no request can reach the cluster.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.popo import POPOApplicationRecorder
from sqlalchemy import inspect, text

from infra.audit.verify import ExportError, Verification, verify_export
from infra.bootstrap import Container
from infra.export_entries import open_entries, sealed_members
from infra.partitions import PostgresPartitions, SqlitePartitions, schema_name, sqlite_engine
from services.application import ClusterApplication
from services.dto import CheckpointInfo
from services.personal_mapper import is_sealed
from services.ports.storage import Partition
from services.privacy_report import personal_state

BATCH = 1000
EXIT_BROKEN = 1  # the export does not verify
EXIT_NOT_EXPORT = 2  # not an export at all
EXIT_EXISTS = 4  # the store already holds the cluster
EXIT_NO_KEYS = 5  # personal values sealed under keys this store's directory lacks

# Starts a step of long work: (description, total or None) → advance(n).
Steps = Callable[[str, int | None], Callable[[int], None]]


def no_steps(_: str, __: int | None) -> Callable[[int], None]:
    return lambda _: None


class ImportRefused(Exception):
    """Nothing was imported; ``exit_code`` says why (EXIT_*)."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Exported:
    """One event as stored: its position, chain hash and stored bytes."""

    position: int
    hash: str
    event: StoredEvent


@dataclass(frozen=True)
class Imported:
    cluster_id: str
    name: str
    head: int
    head_hash: str
    checkpoints: int
    persons: int
    read_as_erased: int  # members whose keys were missing (--without-personal-data)
    anchored: bool
    key_thumbprints: list[str]  # of the keys the checkpoints were verified with


@dataclass(frozen=True)
class ExportFile:
    """The lines of an export that are not events, read in one pass."""

    header: dict[str, Any]
    checkpoints: list[CheckpointInfo]
    directory: dict[str, Any] | None

    @property
    def cluster_id(self) -> str:
        return str(UUID(str(self.header["cluster"])))

    @property
    def name(self) -> str:
        cluster = (self.directory or {}).get("cluster") or {}
        return str(cluster.get("name") or self.header.get("clusterName") or "")


def read_export(path: Path) -> ExportFile:
    header: dict[str, Any] = {}
    checkpoints: list[CheckpointInfo] = []
    for record in _records(path):
        kind = record.get("kind")
        if kind == "header" and not header:
            header = record
        elif kind == "checkpoint":
            checkpoints.append(
                CheckpointInfo(
                    int(record["position"]),
                    str(record["headHash"]),
                    datetime.fromisoformat(record["signedAt"]),
                    str(record["jws"]),
                )
            )
    return ExportFile(header, checkpoints, header.get("directory"))


def exported_events(path: Path) -> Iterator[Exported]:
    for record in _records(path):
        if record.get("kind") == "event":
            yield Exported(
                int(record["position"]),
                str(record["hash"]),
                StoredEvent(
                    UUID(record["aggregateId"]),
                    int(record["version"]),
                    str(record["topic"]),
                    base64.b64decode(record["state"]),
                ),
            )


def _records(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def verified(path: Path, pinned_jwks: dict[str, Any] | None, steps: Steps) -> Verification:
    """The export's verification; refuses one that is not an export or does not verify."""
    try:
        result = verify_export(path, pinned_jwks, steps("verifying", None))
    except (ExportError, ValueError, KeyError) as error:
        raise ImportRefused(f"not a Clusterwork audit export: {error}", EXIT_NOT_EXPORT) from None
    if not result.verified:
        raise ImportRefused(
            f"the export does not verify (first bad position {result.first_bad_position}): "
            "nothing imported",
            EXIT_BROKEN,
        )
    return result


def stored_head(container: Container, cluster_id: str) -> int:
    """The head of the cluster's log in this store (0 when it has no store or no
    event), read without creating anything."""
    partitions = container.partitions
    if isinstance(partitions, SqlitePartitions):
        if not partitions.path(cluster_id).exists():
            return 0
        engine = sqlite_engine(partitions.path(cluster_id))
        schema, position = None, "rowid"
    else:
        engine = partitions.engine
        schema, position = schema_name(cluster_id), "notification_id"
    try:
        if not inspect(engine).has_table("stored_events", schema=schema):
            return 0
        table = "stored_events" if schema is None else f'"{schema}".stored_events'
        with engine.connect() as conn:
            return int(conn.execute(text(f"SELECT max({position}) FROM {table}")).scalar() or 0)
    finally:
        if schema is None:
            engine.dispose()


def check_free(container: Container, cluster_id: str) -> None:
    if container.directory.has_cluster(cluster_id) or stored_head(container, cluster_id) > 0:
        raise ImportRefused(
            f"cluster {cluster_id} already exists in this store: nothing imported "
            "(a cluster is imported only into a store that does not hold it)",
            EXIT_EXISTS,
        )


def append(
    partition: Partition, entries: Iterable[Exported], advance: Callable[[int], None]
) -> int:
    """Appends ``entries`` (the next positions, in order) through the partition's
    recorder, and checks that each got the position and hash it has in the
    source; returns the head reached."""
    head = partition.log.head()
    for batch in batched(entries, BATCH):
        first = batch[0].position
        if first != head + 1 or batch[-1].position != first + len(batch) - 1:
            raise ImportRefused(
                f"positions {first}..{batch[-1].position} do not follow the head {head}",
                EXIT_BROKEN,
            )
        partition.recorder.insert_events([entry.event for entry in batch])
        stored = partition.log.read(head, len(batch))
        for entry, found in zip(batch, stored, strict=True):
            if (found.position, found.hash) != (entry.position, entry.hash):
                raise ImportRefused(
                    f"position {entry.position} was stored with another hash than the "
                    "source's: the store would not hold the same chain",
                    EXIT_BROKEN,
                )
        head = batch[-1].position
        advance(len(batch))
    return head


def batched(entries: Iterable[Exported], size: int) -> Iterator[list[Exported]]:
    iterator = iter(entries)
    while batch := list(islice(iterator, size)):
        yield batch


def rebuild(container: Container, partition: Partition, steps: Steps) -> int:
    """The read model, projected from the log."""
    partition.read_model.reset()
    return container.projector.catch_up(
        partition.cluster_id,
        partition.log,
        partition.read_model,
        partition.app.mapper,
        on_batch=steps("projecting", partition.log.head()),
    )


def add_checkpoints(partition: Partition, checkpoints: Iterable[CheckpointInfo]) -> int:
    known = {c.position for c in partition.checkpoints.all()}
    fresh = [c for c in checkpoints if c.position not in known]
    for checkpoint in fresh:
        partition.checkpoints.add(checkpoint)
    return len(fresh)


@contextmanager
def undone_if_failed(container: Container, cluster_id: str, keys: list[str]) -> Iterator[None]:
    """What an import or a move stores goes again when it fails part-way: the
    cluster's partition and the person keys it added (``keys``)."""
    try:
        yield
    except BaseException:
        discard(container, cluster_id)
        container.person_keys.remove(keys)
        container.person_keys.forget()
        raise


def discard(container: Container, cluster_id: str) -> None:
    """Removes what a failed import stored (never a cluster the directory lists)."""
    partitions = container.partitions
    partitions.forget(cluster_id)
    if isinstance(partitions, PostgresPartitions):
        with partitions.engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema_name(cluster_id)}" CASCADE'))
        return
    path = partitions.path(cluster_id)
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)


def sealed_owners(path: Path) -> set[str]:
    """The members whose keys the export's sealed personal values are under, in
    its events and its directory entries (the stored bytes are scanned; nothing
    is decrypted)."""
    transcoder = ClusterApplication(POPOApplicationRecorder()).mapper.transcoder
    owners: set[str] = set()
    for entry in exported_events(path):
        found = personal_state(entry.event.topic, entry.event.state, transcoder)
        if found is None:
            continue
        spec, state = found
        if any(is_sealed(state.get(name)) for name in spec.fields):
            owners.add(str(state[spec.owner]))
    return owners | sealed_members(read_export(path).directory)


def missing_keys(container: Container, cluster_id: str, path: Path) -> list[str]:
    """The members of sealed values whose keys this store's directory lacks;
    refuses an export whose keys are here but wrapped by another secret key."""
    here = container.person_keys.owners(cluster_id)
    needed = sealed_owners(path)
    foreign = [owner for owner in needed if here.get(owner) == "foreign"]
    if foreign:
        raise ImportRefused(
            f"{len(foreign)} person keys of cluster {cluster_id} were wrapped by another "
            "secret key than this store's: nothing imported (configure the secret key the "
            "keys were wrapped with)",
            EXIT_NO_KEYS,
        )
    return sorted(owner for owner in needed if owner not in here)


def import_cluster(
    container: Container,
    path: Path,
    pinned_jwks: dict[str, Any] | None = None,
    steps: Steps = no_steps,
    without_personal_data: bool = False,
) -> Imported:
    """Restores the exported cluster into the container's store (see the module).

    Personal values in the export are sealed under the keys of the cluster's
    members (docs/privacy.md); a store whose directory lacks some of them is
    refused (EXIT_NO_KEYS), unless ``without_personal_data``: then those members
    are read as erased (a tombstone for each missing key) and their directory
    entries are not restored."""
    try:
        export = read_export(path)
        cluster_id = export.cluster_id
    except (ValueError, KeyError, TypeError) as error:
        raise ImportRefused(f"not a Clusterwork audit export: {error}", EXIT_NOT_EXPORT) from None
    check_free(container, cluster_id)
    verification = verified(path, pinned_jwks, steps)
    missing = missing_keys(container, cluster_id, path)
    if missing and not without_personal_data:
        raise ImportRefused(
            f"the export holds personal data sealed under {len(missing)} members' keys that "
            f"this store's directory does not hold: nothing imported (import into the store "
            "whose directory holds the cluster's person keys, or pass "
            "--without-personal-data to import those members as erased)",
            EXIT_NO_KEYS,
        )
    # Tombstones: the missing members read as erased, and nothing is ever
    # sealed under their keys here.
    added = [f"{cluster_id}/{owner}" for owner in missing]
    with undone_if_failed(container, cluster_id, added):
        container.person_keys.erase(cluster_id, missing)
        partition = container.partitions.provision(cluster_id)
        head = append(partition, exported_events(path), steps("importing", verification.head))
        checkpoints = add_checkpoints(partition, export.checkpoints)
        rebuild(container, partition, steps)
        entries = open_entries(export.directory, cluster_id, container.person_keys)
        container.directory.restore_entries(cluster_id, export.name, entries)
    return Imported(
        cluster_id,
        export.name,
        head,
        verification.head_hash,
        checkpoints,
        len(entries.get("persons", [])),
        len(missing),
        verification.anchored,
        verification.key_thumbprints,
    )
