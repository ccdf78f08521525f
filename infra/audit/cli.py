"""``clusterwork audit``: export, verify (offline) and replay, with progress bars."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from infra.audit.verify import ExportError, verify_export
from infra.cli_context import existing_container

err = Console(stderr=True)
EXIT_UNANCHORED = 3
UNANCHORED = (
    "CONSISTENT, UNANCHORED: the chain holds but no signed checkpoint anchors it; "
    "a full rewrite would not be detected"
)


def progress_bars() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    )


@click.group()
def audit() -> None:
    """Export, verify and replay a cluster's hash-chained log."""


def _open(cluster_id: str):  # type: ignore[no-untyped-def]
    container = existing_container()
    try:
        key = str(uuid.UUID(cluster_id))
    except ValueError:
        raise click.ClickException(f"no cluster {cluster_id}") from None
    if not container.directory.has_cluster(key):
        raise click.ClickException(f"no cluster {key}")
    return container, container.partitions.open(key)


@audit.command("export")
@click.option("--cluster", "cluster_id", required=True, help="Cluster id.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export(cluster_id: str, out: Path) -> None:
    """Write the cluster's events, checkpoints and public keys as NDJSON."""
    from infra.audit.export import write_export
    from infra.export_entries import seal_entries

    container, partition = _open(cluster_id)
    name = partition.read_model.registry_reader.cluster() or None
    with progress_bars() as progress, out.open("w", encoding="utf-8") as handle:
        task = progress.add_task("exporting", total=partition.log.head())
        written = write_export(
            partition,
            handle,
            container.tokens.public_jwks(),
            name.name if name else "",
            lambda n: progress.advance(task, n),
            seal_entries(
                container.directory.entries(partition.cluster_id),
                partition.cluster_id,
                container.person_keys,
            ),
        )
    click.echo(f"exported {written} events of cluster {partition.cluster_id} to {out}")


# Shared with `cluster import`, which verifies an export the same way.
jwks_option = click.option(
    "--jwks",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Public keys obtained independently (pins them instead of the export's).",
)


@audit.command("verify")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@jwks_option
@click.option(
    "--require-checkpoint",
    is_flag=True,
    help="Fail (exit 1) when no signed checkpoint anchors the chain, instead of exit 3.",
)
def verify(path: Path, jwks: Path | None, require_checkpoint: bool) -> None:
    """Verify an export offline: chain, derived fields and checkpoint signatures.

    Exit 0 VERIFIED, 1 BROKEN (or unanchored with --require-checkpoint),
    2 not an export, 3 CONSISTENT, UNANCHORED (docs/audit.md)."""
    pinned = json.loads(jwks.read_text()) if jwks else None
    try:
        with progress_bars() as progress:
            task = progress.add_task("verifying", total=None)
            result = verify_export(path, pinned, lambda n: progress.advance(task, n))
    except ExportError as error:
        err.print(f"[red]{error}[/red]")
        sys.exit(2)
    click.echo(f"cluster     {result.cluster}")
    click.echo(f"events      {result.head}   head hash {result.head_hash}")
    click.echo(f"checkpoints {result.checkpoints}")
    source = "pinned with --jwks" if pinned else "taken from the export; compare with the server's"
    click.echo(f"keys        {', '.join(result.key_thumbprints)} ({source})")
    if not result.verified:
        click.echo(f"BROKEN: first bad position {result.first_bad_position}")
        sys.exit(1)
    if not result.anchored:
        click.echo(UNANCHORED)
        sys.exit(1 if require_checkpoint else EXIT_UNANCHORED)
    click.echo(
        "VERIFIED: the chain and every checkpoint hold (signed checkpoints anchor "
        f"positions 1..{result.last_checkpoint} of {result.head})"
    )


@audit.command("replay")
@click.option("--cluster", "cluster_id", required=True, help="Cluster id.")
@click.option("--to", "to", type=int, default=None, help="Stop after this position.")
def replay(cluster_id: str, to: int | None) -> None:
    """Rebuild the cluster's projections from its log (repairs a read model)."""
    container, partition = _open(cluster_id)
    head = partition.log.head()
    if to is not None and not 1 <= to <= head:
        raise click.ClickException(f"--to must be between 1 and the head ({head})")
    partition.read_model.reset(container.projector.versions(partition.read_model))
    with progress_bars() as progress:
        task = progress.add_task("replaying", total=to or head)
        reached = container.projector.catch_up(
            partition.cluster_id,
            partition.log,
            partition.read_model,
            partition.app.mapper,
            upto=to,
            on_batch=lambda n: progress.advance(task, n),
        )
    click.echo(f"replayed cluster {partition.cluster_id} to position {reached} of {head}")
