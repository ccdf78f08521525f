"""Plain, frozen results of the mutual-control read services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.dto import SubjectInfo


@dataclass(frozen=True)
class NormInfo:
    id: str
    name: str
    description: str | None
    scale_min: int
    scale_max: int
    weight: float


@dataclass(frozen=True)
class RoundInfo:
    id: str
    title: str
    open: bool
    norms: tuple[NormInfo, ...]


@dataclass(frozen=True)
class AssessmentInfo:
    """The latest revision of one (assessor, assessee, norm) in a round."""

    round_id: str
    assessor_id: str
    assessee_id: str
    norm_id: str
    score: float
    rationale: str | None
    recorded_by: str | None
    recorded_at: datetime
    revision: int


# (assessor, assessee, Σ weight x normalised score, Σ weight) over one or more
# counted assessments of the pair: the totals a weighted mean is made of, which
# add up the same however they are split. A plain tuple, not a dataclass: the
# read model's rows serve as they come.
WeightedScore = tuple[str, str, float, float]


@dataclass(frozen=True)
class SubjectScoreInfo:
    subject_id: str
    score: float | None
    assessors: int


@dataclass(frozen=True)
class AssessorDeviationInfo:
    assessor_id: str
    mean_deviation: float


@dataclass(frozen=True)
class MutualControlInfo:
    subjects: tuple[SubjectInfo, ...]  # active subjects: the order of matrix rows and columns
    matrix: tuple[tuple[float | None, ...], ...]
    received: tuple[SubjectScoreInfo, ...]
    coverage: float
    reciprocity: float
    unassessed: tuple[str, ...]
    outliers: tuple[AssessorDeviationInfo, ...]
