"""The contract's enums are the domain's vocabulary, registered with strawberry
(one source of names). ``strawberry.enum`` marks the class in place, so the
names below are the domain classes themselves and type-check as such."""

from __future__ import annotations

import strawberry

from domain.vocabulary import (
    ClusterForm,
    Direction,
    InterestKind,
    MilestoneStatus,
    ProjectKind,
    Role,
    SubjectKind,
)

strawberry.enum(ClusterForm, name="ClusterForm", description="The seven cluster forms.")
strawberry.enum(
    SubjectKind,
    name="SubjectKind",
    description=(
        "Kinds of cluster subjects (member institutions). "
        "The first six form the continuity chain, in this order."
    ),
)
strawberry.enum(InterestKind, name="InterestKind")
strawberry.enum(Role, name="Role")
strawberry.enum(
    Direction,
    name="Direction",
    description="The five directions of a pedagogical educational cluster.",
)
strawberry.enum(
    ProjectKind,
    name="ProjectKind",
    description="Project kinds (project directions of the orientation principle).",
)
strawberry.enum(MilestoneStatus, name="MilestoneStatus")

__all__ = [
    "ClusterForm",
    "Direction",
    "InterestKind",
    "MilestoneStatus",
    "ProjectKind",
    "Role",
    "SubjectKind",
]
