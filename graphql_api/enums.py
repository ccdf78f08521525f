"""The contract's enums, wrapping the domain's vocabulary (one source of names)."""

from __future__ import annotations

import strawberry

from domain import vocabulary as v

ClusterForm = strawberry.enum(v.ClusterForm, name="ClusterForm", description="The seven cluster forms.")
SubjectKind = strawberry.enum(
    v.SubjectKind,
    name="SubjectKind",
    description=(
        "Kinds of cluster subjects (member institutions). "
        "The first six form the continuity chain, in this order."
    ),
)
InterestKind = strawberry.enum(v.InterestKind, name="InterestKind")
Role = strawberry.enum(v.Role, name="Role")
Direction = strawberry.enum(
    v.Direction, name="Direction", description="The five directions of a pedagogical educational cluster."
)
ProjectKind = strawberry.enum(
    v.ProjectKind, name="ProjectKind",
    description="Project kinds (project directions of the orientation principle).",
)
MilestoneStatus = strawberry.enum(v.MilestoneStatus, name="MilestoneStatus")
