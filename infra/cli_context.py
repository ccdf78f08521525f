"""What the command line and the demo seed share: the container over state that
``serve`` or ``init`` made, and the principals the commands act as. Kept apart
from infra/cli.py so the demo and ``audit`` commands, which cli.py loads, need
not import it back."""

from __future__ import annotations

import uuid

import click

from infra.bootstrap import Container, StateMissing, bootstrap
from infra.settings import Settings
from services.ids import new_id
from services.principal import Principal

OPERATOR_NAMESPACE = uuid.UUID("6f1c3c52-3a53-4a8e-9d55-2f3f0b8f7c10")


def operator_principal(name: str) -> Principal:
    """The same operator name always maps to the same person (and memberships)."""
    person_id = str(uuid.uuid5(OPERATOR_NAMESPACE, name))
    return Principal(person_id=person_id, name=name, operator=True)


def member_principal(container: Container, cluster_id: str, member_id: str) -> Principal:
    """The person acting as ``member_id``; linked on first use."""
    scope_partition = container.partitions.open(cluster_id)
    container.projector.catch_up(
        cluster_id, scope_partition.log, scope_partition.read_model, scope_partition.app.mapper
    )
    member = scope_partition.read_model.registry_reader.member(member_id)
    if member is None:
        raise click.ClickException(f"no member {member_id} in cluster {cluster_id}")
    person_id = container.directory.person_of(cluster_id, member_id)
    if person_id is None:
        person_id = new_id()
        container.directory.ensure_person(person_id, member.name, member.email)
        container.directory.link(person_id, cluster_id, member_id)
    return Principal(person_id=person_id, name=member.name, email=member.email)


class NoState(click.ClickException):
    """The settings point at no data directory or database schema (exit 2, like a usage error)."""

    exit_code = 2


def existing_container(settings: Settings | None = None) -> Container:
    """The container over state that `serve` or `init` made; creates nothing."""
    try:
        return bootstrap(settings, create=False)
    except StateMissing as missing:
        raise NoState(str(missing)) from None
