"""``clusterwork keys`` (the server's secret key) and ``clusterwork privacy``
(personal data in the logs), docs/privacy.md and docs/operations.md."""

from __future__ import annotations

import base64
import os
import secrets as random
from pathlib import Path

import click
from sqlmodel import Session

from infra.bootstrap import secret_key
from infra.cli_context import existing_container
from infra.secrets import SqlSecretStore, parse_key
from services.ports.identity import SecretUnreadable
from services.ports.person_keys import PersonKeyUnavailable
from services.privacy_report import clear_personal_data


@click.group()
def keys() -> None:
    """The server's secret key, which wraps every person key and client secret."""


@keys.command()
@click.option(
    "--new-key-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the new key (required when CLUSTERWORK_SECRET_KEY is set; "
    "default: the key file itself).",
)
def rotate(new_key_file: Path | None) -> None:
    """Re-wrap every person key and client secret under a new secret key.

    No log is touched. Stop every server and worker first: a running process
    keeps the old key and fails (INTERNAL) on keys wrapped by the new one."""
    container = existing_container()
    settings = container.settings
    try:
        old = secret_key(settings)
        configured = settings.secret_key is not None
        if configured and new_key_file is None:
            raise click.UsageError(
                "CLUSTERWORK_SECRET_KEY is set: give --new-key-file for the new key, "
                "then set CLUSTERWORK_SECRET_KEY to its contents"
            )
        target = new_key_file or settings.secret_key_file
        new = random.token_bytes(32)
        text = base64.urlsafe_b64encode(new).decode()
        # The new key is on disk (beside the target) before the directory changes:
        # a crash between the two leaves both keys, never rows wrapped by a lost key.
        pending = target.with_name(target.name + ".new")
        _write_private(pending, text)
        assert parse_key(text) == new
        store = SqlSecretStore(container.directory.engine, old)
        try:
            with Session(container.directory.engine) as session:
                person_keys = container.person_keys.rewrap(session, new)
                client_secrets = store.reseal(session, new)
                session.commit()
        except (PersonKeyUnavailable, SecretUnreadable) as fault:
            pending.unlink()
            raise click.ClickException(f"nothing rotated: {fault}") from None
        os.replace(pending, target)
    finally:
        container.close()
    click.echo(
        f"re-wrapped {person_keys} person keys and {client_secrets} client secrets; "
        f"the new secret key is in {target}"
    )
    if configured:
        click.echo(
            "set CLUSTERWORK_SECRET_KEY to the contents of that file, then start the servers"
        )
    click.echo("back the new key up now: the old one no longer opens anything (docs/operations.md)")


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")
        handle.flush()
        os.fsync(handle.fileno())


@click.group()
def privacy() -> None:
    """Personal data in the clusters' logs (docs/privacy.md)."""


@privacy.command()
def report() -> None:
    """List the clusters whose history still holds personal data in clear."""
    container = existing_container()
    try:
        found = []
        for cluster_id in container.directory.cluster_ids():
            partition = container.partitions.open(cluster_id)
            clear = clear_personal_data(partition.log, partition.app.mapper.transcoder)
            if clear.events:
                found.append((cluster_id, clear))
    finally:
        container.close()
    if not found:
        click.echo("every personal value in every cluster's log is sealed")
        return
    for cluster_id, clear in found:
        click.echo(
            f"cluster {cluster_id}: {clear.events} events with personal data in clear "
            f"(positions {clear.first_position}-{clear.last_position})"
        )
    click.echo(
        f"{len(found)} clusters hold personal data in clear, recorded before encryption. "
        "An erasure cannot remove it from these logs. To end that: export each cluster "
        "for the archive (`clusterwork audit export`), then re-found it with its history "
        "recorded again, sealed. That makes a NEW chain: old checkpoints and exports do not verify "
        "against it. The procedure is in docs/privacy.md."
    )
