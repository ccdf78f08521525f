"""The cluster's fixed vocabulary: forms, roles, directions, kinds of subject and project."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType
from typing import TypeVar

from domain.errors import InvalidInput

E = TypeVar("E", bound=Enum)


class ClusterForm(str, Enum):
    GEOGRAPHIC = "GEOGRAPHIC"
    HORIZONTAL = "HORIZONTAL"
    VERTICAL = "VERTICAL"
    LATERAL = "LATERAL"
    TECHNOLOGICAL = "TECHNOLOGICAL"
    FOCUSED = "FOCUSED"
    QUALITY = "QUALITY"


class SubjectKind(str, Enum):
    PRESCHOOL = "PRESCHOOL"
    SCHOOL = "SCHOOL"
    COLLEGE = "COLLEGE"
    UNIVERSITY = "UNIVERSITY"
    RESEARCH_INSTITUTE = "RESEARCH_INSTITUTE"
    ENTERPRISE = "ENTERPRISE"
    MANAGEMENT_BODY = "MANAGEMENT_BODY"


# The principle of continuity: education runs without gaps from kindergarten
# to production. MANAGEMENT_BODY governs the chain but is not a stage of it.
CONTINUITY_CHAIN: tuple[SubjectKind, ...] = (
    SubjectKind.PRESCHOOL,
    SubjectKind.SCHOOL,
    SubjectKind.COLLEGE,
    SubjectKind.UNIVERSITY,
    SubjectKind.RESEARCH_INSTITUTE,
    SubjectKind.ENTERPRISE,
)


class InterestKind(str, Enum):
    LEGAL = "LEGAL"
    SOCIAL = "SOCIAL"
    ECONOMIC = "ECONOMIC"


class Role(str, Enum):
    COORDINATOR = "COORDINATOR"
    MEMBER = "MEMBER"
    AUDITOR = "AUDITOR"


# A role by its stored value. A dict look-up costs a fraction of calling the Enum,
# and every read converts the roles of every member it shows.
ROLE_BY_VALUE: Mapping[str, Role] = MappingProxyType({role.value: role for role in Role})


class Direction(str, Enum):
    """The five directions of a pedagogical educational cluster."""

    EDUCATION = "EDUCATION"
    EDUCATIONAL_TOOLS = "EDUCATIONAL_TOOLS"
    EDUCATION_SCIENCE = "EDUCATION_SCIENCE"
    EDUCATION_PRODUCTION = "EDUCATION_PRODUCTION"
    EDUCATIONAL_MANAGEMENT = "EDUCATIONAL_MANAGEMENT"


class ProjectKind(str, Enum):
    """Project kinds (project directions of the orientation principle)."""

    SCIENTIFIC_RESEARCH = "SCIENTIFIC_RESEARCH"
    INFORMATION_ANALYTICAL = "INFORMATION_ANALYTICAL"
    SCIENTIFIC_METHODOLOGICAL = "SCIENTIFIC_METHODOLOGICAL"
    EXPERIMENTAL_INNOVATION = "EXPERIMENTAL_INNOVATION"


class MilestoneStatus(str, Enum):
    PLANNED = "PLANNED"
    REACHED = "REACHED"
    MISSED = "MISSED"


def parse_enum(enum: type[E], value: str | E, field: str) -> E:
    """Turns a stored or submitted value into the enum, or says which field is wrong."""
    if isinstance(value, enum):
        return value
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)  # type: ignore[attr-defined]
        raise InvalidInput(f"{field} must be one of {allowed}", field=field) from None
