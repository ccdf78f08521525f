"""The reads every view starts with, on both backends: the log head
with the projections' positions, and the cluster with the caller's member and
their subject's standing, each in one statement, answer exactly what the
separate reads answer; and what they answer is read on every request."""

from __future__ import annotations

import pytest

from domain.cluster import RoleChange, SubjectAdmission
from domain.errors import Forbidden, NotFound
from infra.partitions import scratch_read_model
from services.dto import CallerInfo
from services.permissions import Permission, require


def separately(reader, member_id: str) -> CallerInfo:  # type: ignore[no-untyped-def]
    member = reader.member(member_id)
    subject = reader.subject(member.subject_id) if member and member.subject_id else None
    return CallerInfo(reader.cluster(), member, bool(subject and subject.active))


def test_head_and_positions_are_those_read_apart(world) -> None:
    partition = world.partition
    read_model = partition.read_model
    assert read_model.positions_and_head(partition.log) == (
        read_model.positions(),
        partition.log.head(),
    )
    world.container.registry.admit_subject(
        world.coordinator, world.cluster_id, SubjectAdmission("Lyceum 1", "SCHOOL", None)
    )
    positions, head = read_model.positions_and_head(partition.log)
    assert head == partition.log.head() > 0
    assert positions == read_model.positions()
    assert world.container.projector.reached(read_model, positions) == head


def test_a_read_model_apart_from_the_log_reads_them_apart(world) -> None:
    partition = world.partition
    elsewhere = scratch_read_model()  # another database: the log is not beside it
    assert elsewhere.positions_and_head(partition.log) == ({}, partition.log.head())


def test_the_caller_is_what_the_separate_reads_say(world) -> None:
    reader = world.partition.read_model.registry_reader
    for member_id in (world.coordinator_id, world.ivan_id, world.anna_id, "no-such-member"):
        assert reader.caller(member_id) == separately(reader, member_id), member_id
    assert reader.caller(world.ivan_id).subject_active
    assert not reader.caller(world.anna_id).subject_active  # an auditor acts for no subject
    assert reader.caller("no-such-member").member is None


def test_a_withdrawn_subject_leaves_its_members_read_access_only(world) -> None:
    queries, registry = world.container.queries, world.container.registry
    assert queries.scope(world.ivan, world.cluster_id).actor.subject_active
    registry.withdraw_subject(world.coordinator, world.cluster_id, world.school_id)
    reader = world.partition.read_model.registry_reader
    assert reader.caller(world.ivan_id) == separately(reader, world.ivan_id)
    actor = queries.scope(world.ivan, world.cluster_id).actor  # the next request sees it
    assert not actor.subject_active
    with pytest.raises(Forbidden):
        require(actor, Permission.PARTICIPATE)


def test_a_member_stripped_of_roles_is_refused_on_the_next_read(world) -> None:
    queries, registry = world.container.queries, world.container.registry
    assert queries.scope(world.petr, world.cluster_id).actor.member_id == world.petr_id
    registry.revoke_role(world.coordinator, world.cluster_id, world.petr_id, RoleChange("MEMBER"))
    with pytest.raises(NotFound):
        queries.scope(world.petr, world.cluster_id)
    registry.grant_role(world.coordinator, world.cluster_id, world.petr_id, RoleChange("MEMBER"))
    assert queries.scope(world.petr, world.cluster_id).actor.roles  # and back again


def test_the_readers_outside_transactions_read_what_was_written(world) -> None:
    # infra/reads.py: on PostgreSQL the readers and the log reader run in autocommit.
    partition = world.partition
    subject = world.container.registry.admit_subject(
        world.coordinator, world.cluster_id, SubjectAdmission("Gymnasium 3", "SCHOOL", None)
    ).subject
    assert partition.read_model.registry_reader.subject(subject.id) == subject
    head = partition.log.head()
    assert partition.read_model.positions_and_head(partition.log)[1] == head
    assert partition.log.read(head - 1, 10)[-1].position == head
