"""The deepcopy the aggregate cache hands each command (the cluster's own, with
the registry records copying themselves) must be a full copy: equal to the
original and sharing nothing mutable."""

from __future__ import annotations

import copy
import uuid
from dataclasses import FrozenInstanceError, fields, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any
from uuid import UUID

import pytest

from domain.cluster import (
    Cluster,
    ClusterFounding,
    InterestDeclaration,
    MemberAddition,
    RoleChange,
    SubjectAdmission,
)
from domain.vocabulary import InterestKind, Role

ATOMS = (str, bytes, int, float, bool, type(None), Enum, UUID, datetime, frozenset)


def populated() -> Cluster:
    cluster = Cluster.found(uuid.uuid4(), ClusterFounding("Tomsk cluster", "Tomsk", "GEOGRAPHIC"))
    for i in range(3):
        subject, member = str(uuid.uuid4()), str(uuid.uuid4())
        cluster.admit(subject, SubjectAdmission(f"School {i}", "SCHOOL", "Tomsk"))
        cluster.declare_interest(subject, InterestDeclaration("LEGAL", f"Need {i}"))
        cluster.add_member(member, MemberAddition(f"Member {i}", None, subject, ["MEMBER"]))
    cluster.erase_member(member, str(uuid.uuid4()))  # a copy keeps the erasure too
    cluster.withdraw(subject)
    return cluster  # with its events still pending


def shared_mutables(a: Any, b: Any, path: str = "state") -> list[str]:
    """Paths at which ``a`` and ``b`` hold the very same mutable object."""
    if isinstance(a, ATOMS):
        return []
    frozen = is_dataclass(a) and a.__dataclass_params__.frozen  # type: ignore[union-attr]
    found = [path] if a is b and not frozen and not isinstance(a, tuple) else []
    if isinstance(a, dict) and isinstance(b, dict):
        for key in a.keys() & b.keys():
            found += shared_mutables(a[key], b[key], f"{path}[{key!r}]")
    elif isinstance(a, list | tuple) and isinstance(b, list | tuple):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            found += shared_mutables(x, y, f"{path}[{i}]")
    elif is_dataclass(a) and not frozen:
        for f in fields(a):
            found += shared_mutables(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
    return found


def test_the_copy_equals_the_original() -> None:
    cluster = populated()
    twin = copy.deepcopy(cluster)
    assert type(twin) is Cluster
    assert vars(twin).keys() == vars(cluster).keys()
    for name, value in vars(cluster).items():
        assert getattr(twin, name) == value, name
    assert twin.subjects and twin.members  # the comparison covered real records


def test_the_records_cannot_change_in_place() -> None:
    # A copy of the registry shares its records: each must be immutable, its
    # interests and roles included, or a change in one command's copy would
    # reach the aggregate cache and every other copy.
    cluster = populated()
    subject = next(iter(cluster.subjects.values()))
    member = next(iter(cluster.members.values()))
    assert subject.interests
    with pytest.raises(FrozenInstanceError):
        subject.active = False  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        member.name = "Someone else"  # type: ignore[misc]
    with pytest.raises(TypeError):
        subject.interests[InterestKind.SOCIAL] = "Practice places"  # type: ignore[index]
    with pytest.raises(AttributeError):
        member.roles.add(Role.AUDITOR)  # type: ignore[attr-defined]
    assert copy.deepcopy(subject) is subject and copy.deepcopy(member) is member


def test_the_copy_shares_nothing_mutable() -> None:
    cluster = populated()
    twin = copy.deepcopy(cluster)
    assert twin is not cluster
    assert shared_mutables(vars(cluster), vars(twin)) == []


def test_changing_the_copy_leaves_the_original_alone() -> None:
    cluster = populated()
    cluster.collect_events()
    before = copy.deepcopy(vars(cluster))  # generic deepcopy of the state, for comparison
    twin = copy.deepcopy(cluster)
    subject = next(iter(twin.subjects))
    member = next(iter(twin.members))
    twin.declare_interest(subject, InterestDeclaration("SOCIAL", "Practice places"))
    twin.grant(member, RoleChange("COORDINATOR"))
    twin.admit(str(uuid.uuid4()), SubjectAdmission("Kindergarten 1", "PRESCHOOL", None))
    twin.withdraw(next(s for s in twin.subjects if s != subject))
    other = next(m for m in twin.members if m != member and not twin.members[m].erased)
    twin.grant(other, RoleChange("AUDITOR"))
    twin.revoke(other, RoleChange("MEMBER"))
    twin.erase_member(other, str(uuid.uuid4()))
    assert vars(cluster) == before
    assert cluster.collect_events() == []
    assert len(twin.collect_events()) == 7
    assert twin.members[other].roles == {Role.AUDITOR} and twin.members[other].erased
    assert cluster.members[other].roles == {Role.MEMBER} and not cluster.members[other].erased
