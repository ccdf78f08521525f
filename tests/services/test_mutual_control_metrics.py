"""The mutual-control metrics as pure functions over hand-worked pair scores
(no storage; the read model's part is tested in test_mutual_control_view)."""

from __future__ import annotations

import pytest
from mutual_control_scenario import (
    ACTIVE,
    COVERAGE,
    MATRIX,
    OUTLIERS,
    RECEIVED,
    RECIPROCITY,
    UNASSESSED,
)

from services.dto import SubjectInfo
from services.mutual_control_metrics import mutual_control, score_matrix

SUBJECTS = [SubjectInfo(k, f"School {k}", "SCHOOL", None, True) for k in ACTIVE]


def scored(*pairs: tuple[str, str, float]) -> list[tuple[str, str, float, float]]:
    """Pair scores as the totals of one norm of weight 1: the mean is the score."""
    return [(i, j, score, 1.0) for i, j, score in pairs]


def scenario_pairs() -> list[tuple[str, str, float, float]]:
    """The pair scores of the hand-worked round, as totals the read model gives."""
    return scored(
        *(
            (ACTIVE[i], ACTIVE[j], value)
            for i, row in enumerate(MATRIX)
            for j, value in enumerate(row)
            if value is not None
        )
    )


def approx_or_none(value: float | None) -> object:
    return None if value is None else pytest.approx(value)


def test_the_hand_worked_round_gives_every_metric() -> None:
    view = mutual_control(SUBJECTS, scenario_pairs(), 0.25)
    assert [list(r) for r in view.matrix] == [[approx_or_none(v) for v in r] for r in MATRIX]
    assert {r.subject_id: (r.score, r.assessors) for r in view.received} == {
        k: (approx_or_none(s), n) for k, (s, n) in RECEIVED.items()
    }
    assert (view.coverage, view.reciprocity) == (
        pytest.approx(COVERAGE),
        pytest.approx(RECIPROCITY),
    )
    assert list(view.unassessed) == UNASSESSED
    assert [(o.assessor_id, o.mean_deviation) for o in view.outliers] == [
        (k, pytest.approx(d)) for k, d in OUTLIERS[0.25]
    ]


def test_a_zero_score_counts_as_assessed() -> None:
    view = mutual_control(SUBJECTS, scored(("A", "B", 0.0)), 0.25)
    assert view.matrix[0][1] == 0.0
    assert (view.coverage, [r.assessors for r in view.received]) == (1 / 12, [0, 1, 0, 0])


def test_pairs_outside_the_view_are_left_out() -> None:
    pairs = scored(
        ("A", "A", 1.0),  # about itself
        ("E", "B", 1.0),  # a subject that is no longer active
        ("B", "E", 1.0),
    )
    view = mutual_control(SUBJECTS, pairs, 0.25)
    assert all(v is None for row in view.matrix for v in row)
    assert (view.coverage, view.reciprocity, view.outliers) == (0.0, 0.0, ())


def test_an_assessor_without_a_peer_on_any_assessee_has_no_deviation() -> None:
    view = mutual_control(SUBJECTS, scored(("A", "B", 1.0), ("C", "D", 0.0)), 0.0)
    assert view.outliers == ()
    assert view.reciprocity == 0.0


def test_fewer_than_two_subjects_cover_nothing() -> None:
    view = mutual_control(SUBJECTS[:1], [], 0.25)
    assert (view.matrix, view.coverage, view.reciprocity) == (((None,),), 0.0, 0.0)
    assert [r.score for r in view.received] == [None]


def test_equal_deviations_keep_the_subject_order() -> None:
    # A and B score C 0 and 1: each deviates by 1 from the other.
    view = mutual_control(SUBJECTS, scored(("A", "C", 0.0), ("B", "C", 1.0)), 0.5)
    assert [(o.assessor_id, o.mean_deviation) for o in view.outliers] == [("A", 1.0), ("B", 1.0)]


def test_a_pair_score_is_the_weight_averaged_normalised_score() -> None:
    # A assessed B on norms of weight 2, 1 and 0.5 with normalised scores 1.0,
    # 0.0 and 0.5 (weighted 2.0, 0.0, 0.25): (2 + 0 + 0.25) / 3.5 = 9/14.
    # A assessed C once (weight 1.5, normalised 0.2): 0.3 / 1.5 = 0.2.
    # B assessed A once (weight 1, normalised 0.75).
    rows = [
        ("A", "B", 2.0, 2.0),
        ("A", "C", 0.3, 1.5),
        ("A", "B", 0.0, 1.0),
        ("B", "A", 0.75, 1.0),
        ("A", "B", 0.25, 0.5),
    ]
    assert score_matrix(["A", "B", "C"], rows) == [
        [None, pytest.approx(9 / 14), pytest.approx(0.2)],
        [0.75, None, None],
        [None, None, None],
    ]


def test_partial_sums_give_the_same_pair_scores_as_single_assessments() -> None:
    # The read model hands over a pair's totals already added up.
    single = [("A", "B", 2.0, 2.0), ("A", "B", 0.0, 1.0), ("A", "B", 0.25, 0.5)]
    summed = [("A", "B", 2.0, 3.0), ("A", "B", 0.25, 0.5)]
    assert score_matrix(["A", "B"], summed) == score_matrix(["A", "B"], single)
    assert score_matrix(["A", "B"], [("A", "B", 2.25, 3.5)]) == [
        [None, pytest.approx(9 / 14)],
        [None, None],
    ]
