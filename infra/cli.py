"""The operator's command line: ``clusterwork serve``, ``init``, ``token``, ``worker``
and ``audit``. Only ``serve`` and ``init`` create a data directory, database schema
or keys; every other command refuses (exit 2) when the settings point at none."""

from __future__ import annotations

import gc
import os
import socket
import sys
import uuid

import click

from domain.errors import DomainError
from infra.audit.cli import audit
from infra.bootstrap import Container, StateMissing, bootstrap, state_parts
from infra.cli_context import NoState, existing_container, member_principal, operator_principal
from infra.cluster_cli import cluster
from infra.person_cli import person
from infra.privacy_cli import keys, privacy
from infra.projections_cli import projections
from infra.settings import Settings
from infra.version import release
from services.principal import Principal


def hand_over_sooner(settings: Settings) -> None:
    """A server's threads mostly wait on the database, and each one that comes back
    from a query needs the interpreter again. With Python's 5 ms switch interval it
    waits up to that long behind a thread that is computing, after every query: a
    command of ~15 queries then spends most of its time waiting for the GIL while
    others run (docs/performance.md, "Write path"). Set for this process only."""
    sys.setswitchinterval(settings.switch_interval_ms / 1000)


def keep_the_start_out_of_collections() -> None:
    """Moves what the process built to start (modules, the schema, engines, the
    container: some hundred thousand objects) out of the cyclic garbage collector's
    reach (``gc.freeze``), after collecting what the start left behind. Every full
    collection walked all of it again: about 130 ms each, during which no request
    moved, a few times a minute under load (docs/performance.md, "Garbage
    collection"). Objects made later are collected as before; a frozen object is
    still freed when nothing refers to it, only a cycle among them would stay."""
    gc.collect()
    gc.freeze()


@click.group()
@click.version_option(release() or "unknown", prog_name="clusterwork")
def main() -> None:
    """Clusterwork: the workspace of regional pedagogical education clusters."""


main.add_command(audit)
main.add_command(cluster)
main.add_command(keys)
main.add_command(privacy)
main.add_command(person)
main.add_command(projections)


@main.command()
@click.option("--host", default=None, help="Address to listen on (CLUSTERWORK_HOST).")
@click.option("--port", default=None, type=int, help="Port to listen on (CLUSTERWORK_PORT).")
@click.option(
    "--demo", is_flag=True, help="Seed the demo cluster once and print a coordinator token."
)
@click.option(
    "--no-worker", is_flag=True, help="Leave projections to `clusterwork worker` processes."
)
def serve(host: str | None, port: int | None, demo: bool, no_worker: bool) -> None:
    """Run the GraphQL server (SQLite under the data dir unless a database URL is set)."""
    import uvicorn

    from infra.app import create_app

    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    if no_worker:
        overrides["project_inline"] = False
    settings = Settings(**overrides)  # type: ignore[arg-type]
    listening = listen(settings.host, settings.port)
    hand_over_sooner(settings)
    container = bootstrap(settings)
    if demo:
        _announce_demo(container)
    click.echo(f"listening on http://{settings.host}:{settings.port} (Ctrl-C stops)", err=True)
    config = uvicorn.Config(
        create_app(container),
        log_level="info",
        access_log=settings.access_log,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    keep_the_start_out_of_collections()
    uvicorn.Server(config).run(sockets=[listening])


# An idle connection stays open longer than common clients keep theirs (httpx 5 s,
# Node 4-5 s, browsers and proxies up to 60 s): if both sides used the same timeout,
# a client could send its next request on a connection the server is just closing,
# and the request would fail with "server disconnected" through no fault of its own.
KEEP_ALIVE_SECONDS = 65


def listen(host: str, port: int) -> socket.socket:
    """The server's socket, bound before anything is created or printed, so that a
    busy port is one clear line and not a banner and token for a server that never runs."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family, backlog=2048)
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        raise click.ClickException(
            f"cannot listen on {host}:{port} ({reason.lower()}): choose another port with "
            "--port or CLUSTERWORK_PORT (make run PORT=8001)"
        ) from None


@main.command()
def init() -> None:
    """Create the data directory (or database schema) and keys that `serve` uses; idempotent."""
    settings = Settings()
    try:
        before = {part.name: part.exists for part in state_parts(settings)}
    except StateMissing as missing:
        raise NoState(str(missing)) from None
    bootstrap(settings).close()
    created = [part.name for part in state_parts(settings) if not before[part.name]]
    for name in created:
        click.echo(f"created {name}")
    if not created:
        click.echo(f"nothing to create: {', '.join(before)} already exist")


@main.command()
def worker() -> None:
    """Run the projections on their own (beside `serve --no-worker`), until stopped."""
    import signal
    import threading

    from infra.worker import ProjectionWorker

    settings = Settings()
    hand_over_sooner(settings)
    container = existing_container(settings)
    keep_the_start_out_of_collections()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo("projection worker running; Ctrl-C stops it", err=True)
    ProjectionWorker(container).run(stop)


def _announce_demo(container: Container) -> None:
    from infra.demo import seed_demo

    demo = seed_demo(container, operator_principal("Platform operator"))
    token = container.tokens.mint(
        member_principal(container, demo.cluster_id, demo.coordinator_member_id),
        ttl_seconds=86400,
    )
    url = f"{container.settings.base_url}/graphql"
    click.echo(f"Demo cluster: {demo.cluster_id}")
    click.echo(f"GraphiQL:     {url}")
    click.echo('Headers:      {"Authorization": "Bearer <token below>"}')
    click.echo("Coordinator token (24 h):")
    click.echo(token, nl=True)


@main.command()
@click.option("--operator", is_flag=True, help="A platform operator token (may found clusters).")
@click.option("--name", default="Platform operator", show_default=True, help="Operator's name.")
@click.option("--cluster", "cluster_id", default=None, help="Cluster id, for a member token.")
@click.option("--member", "member_id", default=None, help="Member id, for a member token.")
@click.option("--ttl", default=None, type=int, help="Lifetime in seconds (default: settings).")
def token(
    operator: bool, name: str, cluster_id: str | None, member_id: str | None, ttl: int | None
) -> None:
    """Mint a workspace access token; the token alone is the last line of stdout."""
    if operator == bool(cluster_id or member_id):
        raise click.UsageError("use either --operator, or --cluster ID --member ID")
    if not operator and not (cluster_id and member_id):
        raise click.UsageError("--cluster and --member go together")
    container = existing_container()
    try:
        principal = (
            operator_principal(name)
            if operator
            else _member_or_fail(container, str(cluster_id), str(member_id))
        )
        minted = container.tokens.mint(principal, ttl_seconds=ttl)
    finally:
        container.close()  # its pools, for a caller that goes on (tests run it in process)
    click.echo(f"# token for {principal.name or principal.person_id}", err=True)
    click.echo(minted)


def _member_or_fail(container: Container, cluster_id: str, member_id: str) -> Principal:
    try:
        cluster = str(uuid.UUID(cluster_id))
        member = str(uuid.UUID(member_id))
    except ValueError:
        raise click.ClickException("--cluster and --member must be ids (UUIDs)") from None
    if not container.directory.has_cluster(cluster):
        raise click.ClickException(f"no cluster {cluster}")
    try:
        return member_principal(container, cluster, member)
    except DomainError as error:
        raise click.ClickException(error.message) from None
