"""Moves one cluster to another store (SQLite data directory ⇄ PostgreSQL).

1. Export the log as it stands, import the export into the target (the same
   path as ``clusterwork cluster import``: positions and hashes checked) and
   project the target's read model; writers keep writing to the source meanwhile.
2. Seal the source ("cluster is moving", infra/eventstore/seal.py): from here
   every append, by any process, is refused with that CONFLICT and records
   nothing. Sealing waits for the appends in flight, so each write was either
   acknowledged before it (and is copied next) or refused.
3. Catch up: copy the events written since the export, and every checkpoint;
   the target's head and head hash must equal the source's.
4. Project the events caught up, seal the source for good with a reason that
   names where the cluster lives now, then register the cluster, its persons,
   identities, memberships and identity providers' sealed secrets in the
   target's directory: from then on the target serves it.

A failure at any step lifts the seal and removes what the target received, so
the cluster stays where it was, whole.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import make_url
from sqlmodel import Session, select

from infra.audit.export import write_export
from infra.bootstrap import Container
from infra.cluster_import import (
    EXIT_BROKEN,
    Exported,
    ImportRefused,
    Steps,
    add_checkpoints,
    append,
    check_free,
    exported_events,
    no_steps,
    read_export,
    rebuild,
    undone_if_failed,
    verified,
)
from infra.eventstore.seal import seal, seal_reason, unseal
from infra.export_entries import seal_entries
from infra.partitions import ClusterPartition, PostgresPartitions, schema_name
from infra.secrets import DirSecret
from infra.settings import Settings

MOVING = "cluster is moving"
EXIT_REFUSED = 1


@dataclass(frozen=True)
class Moved:
    cluster_id: str
    exported: int  # events copied through the export
    caught_up: int  # events written meanwhile, copied after sealing
    head: int
    head_hash: str
    target: str
    sealed_s: float  # how long writes were refused ("cluster is moving")


def target_settings(source: Settings, to: str) -> Settings:
    """The source's settings pointed at ``to`` (a PostgreSQL URL or a data
    directory), keeping the source's keys: the checkpoints were signed with its
    signing key, and the identity providers' secrets sealed with its secret key."""
    keys: dict[str, object] = {"signing_key_path": source.key_path}
    if source.secret_key is None:
        keys["secret_key_path"] = source.secret_key_file
    if to.startswith(("postgresql://", "postgres://")):
        return source.model_copy(update={"database_url": to, **keys})
    return source.model_copy(update={"database_url": None, "data_dir": Path(to), **keys})


def describe(settings: Settings) -> str:
    """Where a store is, for messages (a database URL without its password)."""
    if settings.database_url:
        url = settings.database_url.replace("postgres://", "postgresql://", 1)
        return make_url(url).render_as_string(hide_password=True)
    return f"the data directory {settings.data_dir.resolve()}"


def same_store(source: Settings, target: Settings) -> bool:
    if source.database_url or target.database_url:
        return describe(source) == describe(target)
    return source.data_dir.resolve() == target.data_dir.resolve()


def move_cluster(
    source: Container, target: Container, cluster_id: str, steps: Steps = no_steps
) -> Moved:
    """Moves the cluster from ``source``'s store to ``target``'s (see the module)."""
    if same_store(source.settings, target.settings):
        raise ImportRefused("the target is the store the cluster is in already", EXIT_REFUSED)
    if not source.directory.has_cluster(cluster_id):
        raise ImportRefused(f"no cluster {cluster_id} in {describe(source.settings)}", EXIT_REFUSED)
    partition = source.partitions.open(cluster_id)
    engine, schema = partition.log.engine, _schema(source, cluster_id)
    reason = seal_reason(engine, schema)
    if reason is not None:
        raise ImportRefused(f"cluster {cluster_id} takes no writes here: {reason}", EXIT_REFUSED)
    check_free(target, cluster_id)
    if target.person_keys.wrap_key_id != source.person_keys.wrap_key_id:
        raise ImportRefused(
            "the target's secret key is not the source's: the members' keys, wrapped by the "
            "source's, would not open there",
            EXIT_REFUSED,
        )
    entries = seal_entries(source.directory.entries(cluster_id), cluster_id, source.person_keys)
    with tempfile.TemporaryDirectory(prefix="clusterwork-move-") as folder:
        path = Path(folder) / f"{cluster_id}.ndjson"
        with path.open("w", encoding="utf-8") as handle:
            exported = write_export(
                partition,
                handle,
                source.tokens.public_jwks(),
                str((entries.get("cluster") or {}).get("name", "")),
                steps("exporting", partition.log.head()),
                entries,
            )
        verification = verified(path, None, steps)
        export = read_export(path)
        # The members' keys first: projecting on the target opens their names.
        copied = _copy_keys(source, target, cluster_id)
        with undone_if_failed(target, cluster_id, copied):
            into = target.partitions.provision(cluster_id)
            append(into, exported_events(path), steps("importing", exported))
            rebuild(target, into, steps)  # the longest step, while the source takes writes
            return _catch_up(
                source, target, partition, into, export.name, verification.head, steps, copied
            )


def _catch_up(
    source: Container,
    target: Container,
    partition: ClusterPartition,
    into: ClusterPartition,
    name: str,
    exported: int,
    steps: Steps,
    copied: list[str],
) -> Moved:
    cluster_id = partition.cluster_id
    engine, schema = partition.log.engine, _schema(source, cluster_id)
    seal(engine, schema, MOVING)
    sealed_at = time.monotonic()
    try:
        head = partition.log.head()
        # Keys created (members added) or destroyed (erasures) since the first copy.
        copied += _copy_keys(source, target, cluster_id)
        append(into, _log_entries(partition, exported, head), steps("catching up", head - exported))
        source_head = partition.log.read(head - 1, 1)[0] if head else None
        target_head = into.log.read(head - 1, 1)[0] if head else None
        if (into.log.head(), getattr(target_head, "hash", None)) != (
            head,
            getattr(source_head, "hash", None),
        ):
            raise ImportRefused("the target's chain does not end as the source's", EXIT_BROKEN)
        add_checkpoints(into, partition.checkpoints.all())
        target.projector.catch_up(cluster_id, into.log, into.read_model, into.app.mapper)
        where = describe(target.settings)
        seal(engine, schema, f"cluster moved to {where}: write to the server of that store")
        _copy_secrets(source, target, cluster_id)
        target.directory.restore_entries(cluster_id, name, source.directory.entries(cluster_id))
    except BaseException:
        unseal(engine, schema)
        raise
    return Moved(
        cluster_id,
        exported,
        head - exported,
        head,
        source_head.hash if source_head else "",
        where,
        time.monotonic() - sealed_at,
    )


def _schema(container: Container, cluster_id: str) -> str | None:
    return schema_name(cluster_id) if isinstance(container.partitions, PostgresPartitions) else None


def _log_entries(partition: ClusterPartition, after: int, upto: int) -> Iterator[Exported]:
    while after < upto:
        page = partition.log.read(after, 1000, upto=upto)
        for entry in page:
            yield Exported(entry.position, entry.hash, entry.stored_event)
        after = page[-1].position


def _copy_keys(source: Container, target: Container, cluster_id: str) -> list[str]:
    """The cluster's person keys, still wrapped (the target uses the source's
    secret key, checked first), erased tombstones included so an erased member
    stays erased; the ids new in the target."""
    return target.person_keys.put_rows(source.person_keys.rows(cluster_id))


def _copy_secrets(source: Container, target: Container, cluster_id: str) -> None:
    """Identity providers' client secrets, sealed as they are: the target uses
    the source's secret key (``target_settings``), and each is bound to its cluster."""
    with Session(source.directory.engine) as session:
        rows = list(session.exec(select(DirSecret).where(DirSecret.cluster_id == cluster_id)))
    if not rows:
        return
    with Session(target.directory.engine) as session:
        for row in rows:
            session.merge(DirSecret(**row.model_dump()))
        session.commit()
