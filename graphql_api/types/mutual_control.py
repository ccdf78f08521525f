"""Mutual control: norms, assessment rounds, assessments and the mutual-control view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import strawberry

from graphql_api.types.registry import MemberType, SubjectType
from services import mutual_control_queries as queries
from services.ids import normalise_id
from services.mutual_control import RecordedAssessment
from services.mutual_control_dto import AssessmentInfo, MutualControlInfo, NormInfo, RoundInfo
from services.queries import ClusterScope


@strawberry.type(name="Norm")
class NormType:
    id: strawberry.ID
    name: str
    description: str | None
    scale_min: int
    scale_max: int
    weight: float

    @classmethod
    def from_dto(cls, dto: NormInfo) -> NormType:
        return cls(
            id=strawberry.ID(dto.id),
            name=dto.name,
            description=dto.description,
            scale_min=dto.scale_min,
            scale_max=dto.scale_max,
            weight=dto.weight,
        )


@dataclass(frozen=True)
class AssessmentRefs:
    """Subjects, members and norms fetched once per list, so that a round of
    thousands of assessments costs three queries, not two per assessment."""

    subjects: dict[str, SubjectType]
    members: dict[str, MemberType]
    norms: dict[str, NormType]

    @classmethod
    def of(cls, scope: ClusterScope, round_info: RoundInfo) -> AssessmentRefs:
        return cls(
            subjects={s.id: SubjectType.from_dto(s, scope) for s in scope.subjects(True)},
            members={m.id: MemberType.from_dto(m, scope) for m in scope.members()},
            norms={n.id: NormType.from_dto(n) for n in round_info.norms},
        )

    @classmethod
    def recorded(cls, done: RecordedAssessment) -> AssessmentRefs:
        """What a recordAssessment's answer names, as the command saw it."""
        scope = done.scope
        subjects = [done.assessor, done.assessee]
        return cls(
            subjects={s.id: SubjectType.from_dto(s, scope) for s in subjects},
            members={done.recorded_by.id: MemberType.from_dto(done.recorded_by, scope)},
            norms={done.norm.id: NormType.from_dto(done.norm)},
        )


@strawberry.type(name="Assessment")
class AssessmentType:
    assessor: SubjectType
    assessee: SubjectType
    norm: NormType
    score: float
    rationale: str | None
    recorded_by: MemberType
    recorded_at: datetime
    revision: int

    @classmethod
    def from_dto(cls, dto: AssessmentInfo, names: AssessmentRefs) -> AssessmentType:
        return cls(
            assessor=names.subjects[dto.assessor_id],
            assessee=names.subjects[dto.assessee_id],
            norm=names.norms[dto.norm_id],
            score=dto.score,
            rationale=dto.rationale,
            # The runner stamps every assessment with the member who recorded it.
            recorded_by=names.members[dto.recorded_by or ""],
            recorded_at=dto.recorded_at,
            revision=dto.revision,
        )


@strawberry.type(name="SubjectScore")
class SubjectScoreType:
    subject: SubjectType
    score: float | None = strawberry.field(
        description="Mean of matrix column over assessors that assessed it; null if none."
    )
    assessors: int


@strawberry.type(name="AssessorDeviation")
class AssessorDeviationType:
    assessor: SubjectType
    mean_deviation: float


@strawberry.type(name="MutualControl")
class MutualControlType:
    subjects: list[SubjectType] = strawberry.field(
        description="Active subjects, in the order used by matrix rows and columns."
    )
    matrix: list[list[float | None]] = strawberry.field(
        description=(
            "matrix[i][j]: assessor i's normalised (0..1), weighted mean score of assessee j; "
            "null if none; diagonal null."
        )
    )
    received: list[SubjectScoreType]
    coverage: float = strawberry.field(description="Assessed ordered pairs (i != j) / n(n-1).")
    reciprocity: float = strawberry.field(
        description=(
            "Assessed pairs whose reverse pair is assessed too / assessed pairs (0 when none)."
        )
    )
    unassessed: list[SubjectType] = strawberry.field(description="Subjects assessed by no peer.")
    outliers: list[AssessorDeviationType] = strawberry.field(
        description=(
            "Assessors whose mean absolute deviation from the other assessors exceeds the "
            "threshold, largest first."
        )
    )

    @classmethod
    def from_dto(cls, dto: MutualControlInfo, scope: ClusterScope) -> MutualControlType:
        subjects = {s.id: SubjectType.from_dto(s, scope) for s in dto.subjects}
        return cls(
            subjects=list(subjects.values()),
            matrix=[list(row) for row in dto.matrix],
            received=[
                SubjectScoreType(
                    subject=subjects[r.subject_id], score=r.score, assessors=r.assessors
                )
                for r in dto.received
            ],
            coverage=dto.coverage,
            reciprocity=dto.reciprocity,
            unassessed=[subjects[s] for s in dto.unassessed],
            outliers=[
                AssessorDeviationType(
                    assessor=subjects[o.assessor_id], mean_deviation=o.mean_deviation
                )
                for o in dto.outliers
            ],
        )


@strawberry.type(name="AssessmentRound")
class AssessmentRoundType:
    id: strawberry.ID
    title: str
    open: bool
    norms: list[NormType]
    _info: strawberry.Private[RoundInfo]
    _scope: strawberry.Private[ClusterScope]

    @strawberry.field
    def assessments(
        self, assessor_id: strawberry.ID | None = None, assessee_id: strawberry.ID | None = None
    ) -> list[AssessmentType]:
        found = queries.assessments(
            self._scope,
            self._info.id,
            normalise_id(assessor_id, "assessorId"),
            normalise_id(assessee_id, "assesseeId"),
        )
        names = AssessmentRefs.of(self._scope, self._info)
        return [AssessmentType.from_dto(a, names) for a in found]

    @strawberry.field
    def mutual_control(self, outlier_threshold: float | None = 0.25) -> MutualControlType:
        threshold = (
            queries.DEFAULT_OUTLIER_THRESHOLD if outlier_threshold is None else outlier_threshold
        )
        view = queries.mutual_control_view(self._scope, self._info, threshold)
        return MutualControlType.from_dto(view, self._scope)

    @classmethod
    def from_dto(cls, dto: RoundInfo, scope: ClusterScope) -> AssessmentRoundType:
        return cls(
            id=strawberry.ID(dto.id),
            title=dto.title,
            open=dto.open,
            norms=[NormType.from_dto(n) for n in dto.norms],
            _info=dto,
            _scope=scope,
        )
