"""The mutual-control view of a round, from the weight-averaged normalised
score of each assessed (assessor, assessee) pair.

Pure functions: the definitions of docs/architecture.md ("Mutual control") and the
contract, in one place. The read model stores, per counted assessment, its
weight and weighted normalised score (domain.norm.NormTerms.weighted; which
assessments count is domain.assessment_round.RoundTerms.counting) and hands
them over added up per pair; the pair scores are averaged here (score_matrix),
and from there everything is O(n²) for n subjects.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from services.dto import SubjectInfo
from services.mutual_control_dto import (
    AssessorDeviationInfo,
    MutualControlInfo,
    SubjectScoreInfo,
    WeightedScore,
)

Matrix = list[list[float | None]]


def mutual_control(
    subjects: Sequence[SubjectInfo], totals: Iterable[WeightedScore], outlier_threshold: float
) -> MutualControlInfo:
    """Matrix, received scores, coverage, reciprocity, unassessed and outliers."""
    subject_ids = [s.id for s in subjects]
    matrix = score_matrix(subject_ids, totals)
    received = received_scores(subject_ids, matrix)
    return MutualControlInfo(
        subjects=tuple(subjects),
        matrix=tuple(tuple(row) for row in matrix),
        received=received,
        coverage=coverage(matrix),
        reciprocity=reciprocity(matrix),
        unassessed=tuple(r.subject_id for r in received if r.assessors == 0),
        outliers=outliers(subject_ids, matrix, outlier_threshold),
    )


def score_matrix(subject_ids: Sequence[str], totals: Iterable[WeightedScore]) -> Matrix:
    """matrix[i][j]: the score i gave j, None if none. That score is Σ weighted ÷
    Σ weight over the norms on which i assessed j: the weight-averaged
    normalised score. ``totals`` may hold one entry per assessment or partial
    sums (the read model hands over one per pair): they add up the same.

    Pairs with a subject that is not active (withdrawn since) and pairs of a
    subject with itself are left out; the diagonal stays None.
    """
    index = {subject: i for i, subject in enumerate(subject_ids)}
    weighted_sums = [[0.0] * len(subject_ids) for _ in subject_ids]
    weight_sums = [[0.0] * len(subject_ids) for _ in subject_ids]
    for assessor, assessee, weighted, weight in totals:
        i, j = index.get(assessor), index.get(assessee)
        if i is not None and j is not None and i != j:
            weighted_sums[i][j] += weighted
            weight_sums[i][j] += weight
    # A norm's weight is above 0, so a pair with no weight is a pair not assessed.
    return [
        [total / weight if weight else None for total, weight in zip(sums, weights, strict=True)]
        for sums, weights in zip(weighted_sums, weight_sums, strict=True)
    ]


def received_scores(subject_ids: Sequence[str], matrix: Matrix) -> tuple[SubjectScoreInfo, ...]:
    """Per subject: the mean of its column over the assessors that assessed it."""
    found = []
    for j, subject in enumerate(subject_ids):
        column = [row[j] for row in matrix if row[j] is not None]
        score = sum(column) / len(column) if column else None  # type: ignore[arg-type]
        found.append(SubjectScoreInfo(subject, score, len(column)))
    return tuple(found)


def coverage(matrix: Matrix) -> float:
    """Assessed ordered pairs (i ≠ j) / n(n - 1); 0 with fewer than two subjects."""
    n = len(matrix)
    if n < 2:
        return 0.0
    return _assessed(matrix) / (n * (n - 1))


def reciprocity(matrix: Matrix) -> float:
    """Assessed pairs whose reverse pair is assessed too / assessed pairs (0 when none)."""
    assessed = _assessed(matrix)
    if not assessed:
        return 0.0
    n = len(matrix)
    mutual = sum(
        1
        for i in range(n)
        for j in range(n)
        if matrix[i][j] is not None and matrix[j][i] is not None
    )
    return mutual / assessed


def outliers(
    subject_ids: Sequence[str], matrix: Matrix, threshold: float
) -> tuple[AssessorDeviationInfo, ...]:
    """Assessors whose mean deviation from the others exceeds ``threshold``,
    largest first (ties in subject order)."""
    deviations = [
        (deviation, i)
        for i, deviation in enumerate(mean_deviations(matrix))
        if deviation is not None and deviation > threshold
    ]
    deviations.sort(key=lambda found: (-found[0], found[1]))
    return tuple(AssessorDeviationInfo(subject_ids[i], d) for d, i in deviations)


def mean_deviations(matrix: Matrix) -> list[float | None]:
    """Per assessor i: the mean over j of |m[i][j] - mean of the other assessors'
    m[k][j]|, over the j that i and at least one other assessor assessed."""
    n = len(matrix)
    sums, counts = [0.0] * n, [0] * n
    for row in matrix:
        for j, value in enumerate(row):
            if value is not None:
                sums[j] += value
                counts[j] += 1
    found: list[float | None] = []
    for row in matrix:
        # The others' mean comes from the column totals less i's own score,
        # which keeps the whole view O(n²) instead of O(n³).
        gaps = [
            abs(value - (sums[j] - value) / (counts[j] - 1))
            for j, value in enumerate(row)
            if value is not None and counts[j] > 1
        ]
        found.append(sum(gaps) / len(gaps) if gaps else None)
    return found


def _assessed(matrix: Matrix) -> int:
    return sum(1 for row in matrix for value in row if value is not None)
