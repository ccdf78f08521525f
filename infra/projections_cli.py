"""``clusterwork projections``: where each cluster's read model stands, and its
blue/green rebuild in the foreground (infra/rebuild.py)."""

from __future__ import annotations

import uuid

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from infra.bootstrap import Container
from infra.cli_context import existing_container

err = Console(stderr=True)


@click.group()
def projections() -> None:
    """Versions of the read models and their blue/green rebuilds."""


def _container() -> Container:
    return existing_container()  # it starts no rebuild in the background


def _cluster(container: Container, cluster_id: str) -> str:
    try:
        key = str(uuid.UUID(cluster_id))
    except ValueError:
        raise click.ClickException(f"no cluster {cluster_id}") from None
    if not container.directory.has_cluster(key):
        raise click.ClickException(f"no cluster {key}")
    return key


@projections.command("status")
@click.option("--cluster", "cluster_id", default=None, help="One cluster (default: every one).")
def status(cluster_id: str | None) -> None:
    """Per cluster: the version of its read model, position, head, lag and state.

    States: current; outdated (older projection versions built it; a process that
    opens it rebuilds it); rebuilding (the next version stands at NEXT); interrupted
    (a rebuild stopped at NEXT; the next one resumes there); newer (a later release
    built it: this code leaves it alone)."""
    container = _container()
    ids = [_cluster(container, cluster_id)] if cluster_id else container.directory.cluster_ids()
    click.echo(
        f"{'CLUSTER':36}  {'STATE':11}  {'POSITION':>8}  {'HEAD':>8}  {'LAG':>6}  "
        f"{'NEXT':>8}  VERSION"
    )
    for key in ids:
        found = container.rebuilds.status(container.partitions.open(key))
        following = "-" if found.next_position is None else str(found.next_position)
        click.echo(
            f"{key:36}  {found.state:11}  {found.position:>8}  {found.head:>8}  {found.lag:>6}  "
            f"{following:>8}  {found.version()}"
        )


@projections.command("rebuild")
@click.option("--cluster", "cluster_id", required=True, help="Cluster id.")
@click.option("--restart", is_flag=True, help="Start the next version over from position 1.")
def rebuild(cluster_id: str, restart: bool) -> None:
    """Rebuild an outdated read model blue/green now, in this process, and switch."""
    container = _container()
    partition = container.partitions.open(_cluster(container, cluster_id))
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
    ) as progress:
        task = progress.add_task("rebuilding", total=partition.log.head())
        outcome = container.rebuilds.rebuild(
            partition, on_batch=lambda n: progress.advance(task, n), restart=restart
        )
    messages = {
        "switched": f"rebuilt the read model of cluster {partition.cluster_id} and switched to it",
        "current": f"the read model of cluster {partition.cluster_id} is current: nothing to do",
        "newer": f"a later release built the read model of cluster {partition.cluster_id}: "
        "left alone",
    }
    if outcome == "elsewhere":
        raise click.ClickException(
            f"another process is rebuilding cluster {partition.cluster_id}; "
            "`clusterwork projections status` shows its progress"
        )
    click.echo(messages[outcome])
