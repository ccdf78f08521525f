"""The demo cluster's mutual control: three norms, a closed round in which
every subject assessed its neighbours (the next two and the previous one in
the list), and an open round that half of the subjects have filled in so far.

Scores follow each subject's (made-up) standing with a little spread; the
Fergana Textile Combine marks everyone down, so it shows up as an outlier.
"""

from __future__ import annotations

from domain.assessment_round import RoundOpening
from domain.norm import NormAdoption
from domain.scorecard import Assessment
from infra.bootstrap import Container
from infra.cli_context import member_principal
from services.principal import Principal

NORMS = [
    (
        "Quality of pedagogical practice",
        "How well student teachers are mentored during practice in the institution.",
        1,
        5,
        2.0,
    ),
    (
        "Openness of educational resources",
        "Curricula, lesson plans and materials shared with the other subjects.",
        1,
        5,
        1.0,
    ),
    (
        "Contribution to continuity",
        "How much the institution eases its pupils' passage to the next stage.",
        0,
        10,
        1.5,
    ),
]
STANDING = [4, 4, 3, 5, 4, 3, 2, 4]  # per demo.SUBJECTS index, on 1..5
HARSH = 6  # Fergana Textile Combine
NEIGHBOURS = (1, 2, -1)  # offsets in demo.SUBJECTS; ±1 makes pairs assess each other


def seed_mutual_control(
    container: Container, operator: Principal, cluster_id: str, subjects: list[str]
) -> None:
    """Adopts the norms, runs last year's round to its close and half of this year's."""
    control = container.mutual_control
    norms = [control.adopt_norm(operator, cluster_id, NormAdoption(*n)).id for n in NORMS]
    assessors = _assessors(container, operator, cluster_id, subjects)
    closed = control.open_assessment_round(
        operator, cluster_id, RoundOpening("Academic year 2023/24", norms)
    )
    for index in assessors:
        _fill(container, cluster_id, closed.id, norms, subjects, assessors, index)
    control.close_assessment_round(operator, cluster_id, closed.id)
    current = control.open_assessment_round(
        operator, cluster_id, RoundOpening("Academic year 2024/25", norms)
    )
    for index in list(assessors)[::2]:  # every other subject has filled in its card so far
        _fill(container, cluster_id, current.id, norms, subjects, assessors, index)
    revised = next(iter(assessors))  # …and one of them thought better of a score
    control.record_assessment(
        assessors[revised],
        cluster_id,
        current.id,
        Assessment(
            subjects[(revised + 1) % len(subjects)],
            norms[0],
            5,
            "Revised after the joint open-lesson week.",
        ),
    )


def _fill(
    container: Container,
    cluster_id: str,
    round_id: str,
    norms: list[str],
    subjects: list[str],
    assessors: dict[int, Principal],
    index: int,
) -> None:
    """The subject at ``index`` assesses its NEIGHBOURS on every norm."""
    for step in NEIGHBOURS:
        assessee = (index + step) % len(subjects)
        for norm_id, (_, _, low, high, _) in zip(norms, NORMS, strict=True):
            container.mutual_control.record_assessment(
                assessors[index],
                cluster_id,
                round_id,
                Assessment(
                    subjects[assessee], norm_id, _score(index, assessee, step, low, high), None
                ),
            )


def _score(assessor: int, assessee: int, step: int, low: int, high: int) -> float:
    standing = STANDING[assessee] - (2 if assessor == HARSH else 0) + (step % 2) * 0.5
    scaled = low + (standing - 1) / 4 * (high - low)
    return float(min(high, max(low, round(scaled))))


def _assessors(
    container: Container, operator: Principal, cluster_id: str, subjects: list[str]
) -> dict[int, Principal]:
    """A member of each subject that has one, signed in (subject index → principal)."""
    scope = container.queries.scope(operator, cluster_id)
    first = {}
    for member in reversed(scope.members()):  # reversed: a subject's first member wins
        if member.subject_id and "AUDITOR" not in member.roles:
            first[member.subject_id] = member.id
    return {
        i: member_principal(container, cluster_id, first[s])
        for i, s in enumerate(subjects)
        if s in first
    }
