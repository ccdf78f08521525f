"""``clusterwork person export``: a person's own data, for the platform operator
answering a data-portability request (the person themself has
``viewer { personalData }`` and ``GET /me/personal-data``)."""

from __future__ import annotations

import os
from pathlib import Path

import click
import orjson

from domain.errors import DomainError
from infra.cli_context import existing_container
from services.personal_data import EVENTS_MAX, EVENTS_MAX_OPERATOR


class Refused(click.ClickException):
    """An unknown or malformed person, or a cap out of range: exit 2, like a usage error."""

    exit_code = 2


@click.group()
def person() -> None:
    """A person's data across clusters."""


@person.command("export")
@click.option("--person", "person_id", required=True, help="Person id (the viewer's id).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write the JSON to this file (created readable by its owner only); default: stdout.",
)
@click.option(
    "--max-events",
    type=click.IntRange(1, EVENTS_MAX_OPERATOR),
    default=EVENTS_MAX,
    show_default=True,
    help="At most this many events; past it the export says complete: false.",
)
def export(person_id: str, out: Path | None, max_events: int) -> None:
    """Everything Clusterwork holds about one person, as JSON: directory entry,
    identities, memberships with roles, and the events they acted in or that are
    about them, decrypted. Exit 2 for an unknown person."""
    container = existing_container()
    try:
        document = container.personal_data.of_person(person_id, max_events)
    except DomainError as refused:
        raise Refused(refused.message) from None
    finally:
        container.close()
    data = orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"
    if out is None:
        click.echo(data, nl=False)
    else:
        _write_private(out, data)
        # Counts only: the file holds the data, the terminal none of it.
        events = sum(len(m["events"]) for m in document["memberships"])
        note = (
            "" if document["complete"] else f" (incomplete: raise --max-events past {max_events})"
        )
        click.echo(
            f"wrote {out}: {len(document['memberships'])} memberships, {events} events{note}",
            err=True,
        )


def _write_private(path: Path, data: bytes) -> None:
    """Personal data: a new file is its owner's alone; an existing one is replaced
    in place."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
