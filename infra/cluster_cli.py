"""``clusterwork cluster``: import a cluster from its audit export, move it to
another store, and show where it takes writes."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from joserfc.jwk import KeySet
from rich.progress import Progress

from infra.audit.cli import jwks_option, progress_bars
from infra.bootstrap import Container, bootstrap
from infra.cli_context import existing_container
from infra.cluster_import import ImportRefused, Steps, import_cluster
from infra.cluster_move import MOVING, describe, move_cluster, target_settings
from infra.eventstore.seal import seal_reason, unseal
from infra.partitions import PostgresPartitions, schema_name


@click.group()
def cluster() -> None:
    """Import a cluster from its audit export, or move it to another store."""


@contextmanager
def _steps() -> Iterator[Steps]:
    with progress_bars() as progress:
        yield _starter(progress)


def _starter(progress: Progress) -> Steps:
    def start(description: str, total: int | None) -> Callable[[int], None]:
        task = progress.add_task(description, total=total)
        return lambda n: progress.advance(task, n)

    return start


def _refused(error: ImportRefused) -> None:
    click.echo(f"refused: {error}", err=True)  # one line, never wrapped
    sys.exit(error.exit_code)


def _cluster_id(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise click.UsageError(f"--cluster must be a cluster id (a UUID), not {value!r}") from None


@cluster.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@jwks_option
@click.option(
    "--without-personal-data",
    is_flag=True,
    help="Import even though this store lacks members' keys: those members read as erased.",
)
def import_(path: Path, jwks: Path | None, without_personal_data: bool) -> None:
    """Restore a cluster from a verified audit export into this store.

    Exit 0 imported, 1 the export does not verify, 2 not an export (or no
    store: run `clusterwork init`), 4 the store already holds the cluster,
    5 this store's directory lacks the keys of personal values in the export
    (see --without-personal-data)."""
    container = existing_container()
    pinned = json.loads(jwks.read_text()) if jwks else None
    try:
        with _steps() as steps:
            done = import_cluster(container, path, pinned, steps, without_personal_data)
    except ImportRefused as error:
        _refused(error)
        return
    finally:
        container.close()
    click.echo(
        f"imported cluster {done.cluster_id} ({done.name}): {done.head} events, head hash "
        f"{done.head_hash}, {done.checkpoints} checkpoints, {done.persons} persons"
    )
    if done.read_as_erased:
        click.echo(
            f"note: {done.read_as_erased} members' keys were not in this store: they read as erased"
        )
    if not done.anchored:
        click.echo("note: no signed checkpoint anchors this log (see `clusterwork audit verify`)")
    elif not set(done.key_thumbprints) & _thumbprints(container.tokens.public_jwks()):
        click.echo(
            "warning: the checkpoints were signed with a key this store's servers do not "
            "hold: `integrity` will not verify them until the signing key is restored "
            '(docs/operations.md, "Restoring a cluster from its audit export")'
        )


def _thumbprints(jwks: dict[str, Any]) -> set[str]:
    return {key.thumbprint() for key in KeySet.import_key_set(jwks).keys}  # type: ignore[arg-type]


@cluster.command("move")
@click.option("--cluster", "cluster_id", required=True, help="Cluster id.")
@click.option(
    "--to",
    "to",
    required=True,
    help="The target store: postgresql://user@host:port/db, or a data directory for SQLite.",
)
def move(cluster_id: str, to: str) -> None:
    """Move a cluster to another store: export, import, catch up, then seal the source.

    Writes during the move are refused (CONFLICT "cluster is moving"); after it,
    the source refuses them naming where the cluster lives. Exit 0 moved,
    1 refused or failed (the cluster stays where it was), 4 the target holds it."""
    key = _cluster_id(cluster_id)
    source = existing_container()
    target = bootstrap(target_settings(source.settings, to))
    try:
        with _steps() as steps:
            moved = move_cluster(source, target, key, steps)
    except ImportRefused as error:
        _refused(error)
        return
    finally:
        source.close()
        target.close()
    click.echo(
        f"moved cluster {moved.cluster_id} to {moved.target}: {moved.head} events "
        f"({moved.exported} exported, {moved.caught_up} caught up), head hash {moved.head_hash}"
    )
    click.echo(f"writes were refused for {moved.sealed_s:.1f} s")
    click.echo(f"the source ({describe(source.settings)}) now refuses writes to it")


@cluster.command("status")
@click.option("--cluster", "cluster_id", required=True, help="Cluster id.")
def status(cluster_id: str) -> None:
    """Whether this store takes writes for the cluster, and its head."""
    key = _cluster_id(cluster_id)
    container = existing_container()
    try:
        partition, schema = _opened(container, key)
        reason = seal_reason(partition.log.engine, schema)
        click.echo(f"cluster {key}: head {partition.log.head()}")
        click.echo(f"writes      {'refused: ' + reason if reason else 'taken'}")
    finally:
        container.close()


@cluster.command("unseal")
@click.option("--cluster", "cluster_id", required=True, help="Cluster id.")
def unseal_(cluster_id: str) -> None:
    """Let the store take the cluster's writes again after a move that was killed
    (a move that fails otherwise lifts its seal itself). Refused once the cluster
    has moved: its writes belong to the store it moved to."""
    key = _cluster_id(cluster_id)
    container = existing_container()
    try:
        partition, schema = _opened(container, key)
        reason = seal_reason(partition.log.engine, schema)
        if reason is None:
            click.echo(f"cluster {key} is not sealed: nothing to do")
            return
        if reason != MOVING:
            raise click.ClickException(f"refused: {reason}")
        unseal(partition.log.engine, schema)
        click.echo(f"cluster {key} takes writes again in {describe(container.settings)}")
    finally:
        container.close()


def _opened(container: Container, key: str) -> tuple[Any, str | None]:
    """The cluster's partition in this store and the schema its seal lives in."""
    if not container.directory.has_cluster(key):
        raise click.ClickException(f"no cluster {key} in {describe(container.settings)}")
    partition = container.partitions.open(key)
    schema = schema_name(key) if isinstance(container.partitions, PostgresPartitions) else None
    return partition, schema
