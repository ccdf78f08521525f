"""The mutual-control view of the hand-worked round (tests/mutual_control_scenario.py),
through the services on SQLite and PostgreSQL, and a rebuilt read model."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import mutual_control_world as world
import pytest
from mutual_control_scenario import (
    A_LATEST,
    ACTIVE,
    COVERAGE,
    MATRIX,
    NORMS,
    OUTLIERS,
    RECEIVED,
    RECIPROCITY,
    ROUND_NORMS,
    STEPS,
    SUBJECTS,
    UNASSESSED,
    WITHDRAWN,
)

from domain.assessment_round import RoundOpening
from domain.cluster import ClusterFounding, MemberAddition, SubjectAdmission
from domain.norm import NormAdoption
from domain.scorecard import Assessment
from infra.bootstrap import Container
from services import mutual_control_queries as queries
from services.mutual_control_dto import MutualControlInfo
from services.principal import Principal
from services.queries import ClusterScope


@dataclass
class Round:
    container: Container
    operator: Principal
    cluster_id: str
    subjects: dict[str, str]  # letter → subject id
    members: dict[str, Principal]
    norms: dict[str, str]  # key → norm id
    round_id: str

    def scope(self) -> ClusterScope:
        return self.container.queries.scope(self.operator, self.cluster_id)

    def view(self, threshold: float = 0.25) -> MutualControlInfo:
        scope = self.scope()
        found = queries.round_(scope, self.round_id)
        assert found is not None
        return queries.mutual_control_view(scope, found, threshold)

    def letter(self, subject_id: str) -> str:
        return {v: k for k, v in self.subjects.items()}[subject_id]


def build_round(container: Container) -> Round:
    """The hand-worked round, recorded through the services."""
    registry, control, op = container.registry, container.mutual_control, world.operator()
    cluster_id = registry.found_cluster(
        op, ClusterFounding("Tomsk cluster", "Tomsk", "GEOGRAPHIC")
    ).id
    subjects, members = {}, {}
    for letter in SUBJECTS:
        subjects[letter] = registry.admit_subject(
            op, cluster_id, SubjectAdmission(f"School {letter}", "SCHOOL", None)
        ).subject.id
        member = registry.add_member(
            op, cluster_id, MemberAddition(f"Member {letter}", None, subjects[letter], ["MEMBER"])
        ).member
        members[letter] = world.person_for(container, cluster_id, member.id, member.name)
    norms = {
        key: control.adopt_norm(
            op, cluster_id, NormAdoption(f"Norm {key}", None, low, high, weight)
        ).id
        for key, (low, high, weight) in NORMS.items()
    }
    opened = control.open_assessment_round(
        op, cluster_id, RoundOpening("2024/25", [norms[k] for k in ROUND_NORMS])
    )
    for assessor, assessee, norm, score in STEPS:
        control.record_assessment(
            members[assessor],
            cluster_id,
            opened.id,
            Assessment(subjects[assessee], norms[norm], score, None),
        )
    registry.withdraw_subject(op, cluster_id, subjects[WITHDRAWN])
    return Round(container, op, cluster_id, subjects, members, norms, opened.id)


@pytest.fixture(scope="module", params=world.BACKENDS)
def round_(request: pytest.FixtureRequest) -> Iterator[Round]:
    """Built once per backend: every test here only reads it (or adds a round of its own)."""
    with world.module_container(request) as container:
        yield build_round(container)


def test_the_view_lists_the_active_subjects_in_admission_order(round_: Round) -> None:
    assert [round_.letter(s.id) for s in round_.view().subjects] == ACTIVE


def test_the_matrix_holds_weighted_normalised_latest_scores_with_null_gaps(round_: Round) -> None:
    matrix = round_.view().matrix
    assert [[v is None for v in row] for row in matrix] == [
        [v is None for v in row] for row in MATRIX
    ]
    assert [list(row) for row in matrix] == [
        [pytest.approx(v) if v is not None else None for v in row] for row in MATRIX
    ]


def test_received_is_the_column_mean_over_the_assessors_that_assessed(round_: Round) -> None:
    received = {round_.letter(r.subject_id): (r.score, r.assessors) for r in round_.view().received}
    assert received == {
        k: (pytest.approx(s) if s is not None else None, n) for k, (s, n) in RECEIVED.items()
    }


def test_coverage_and_reciprocity_count_ordered_pairs(round_: Round) -> None:
    view = round_.view()
    assert view.coverage == pytest.approx(COVERAGE)
    assert view.reciprocity == pytest.approx(RECIPROCITY)


def test_unassessed_lists_the_subjects_no_peer_assessed(round_: Round) -> None:
    assert [round_.letter(s) for s in round_.view().unassessed] == UNASSESSED


@pytest.mark.parametrize("threshold", sorted(OUTLIERS))
def test_outliers_exceed_the_threshold_largest_deviation_first(
    round_: Round, threshold: float
) -> None:
    found = [
        (round_.letter(o.assessor_id), o.mean_deviation) for o in round_.view(threshold).outliers
    ]
    assert found == [(k, pytest.approx(d)) for k, d in OUTLIERS[threshold]]


def test_assessments_show_the_latest_revision_and_filter_by_assessor_and_assessee(
    round_: Round,
) -> None:
    scope = round_.scope()
    mine = queries.assessments(scope, round_.round_id, assessor_id=round_.subjects["A"])
    norm_key = {v: k for k, v in round_.norms.items()}
    latest = {
        (round_.letter(a.assessee_id), norm_key[a.norm_id]): (a.score, a.revision) for a in mine
    }
    assert latest == A_LATEST
    about_b = queries.assessments(scope, round_.round_id, assessee_id=round_.subjects["B"])
    assert sorted(round_.letter(a.assessor_id) for a in about_b) == ["A", "A", "C", "C", "D"]
    both = queries.assessments(
        scope, round_.round_id, assessor_id=round_.subjects["C"], assessee_id=round_.subjects["B"]
    )
    assert {a.score for a in both} == {3.0, 2.0}


def test_every_revision_stays_in_the_log(round_: Round) -> None:
    partition = round_.container.partitions.open(round_.cluster_id)
    recorded = [e for e in partition.log.read(0, 10_000) if e.type == "AssessmentRecorded"]
    assert len(recorded) == len(STEPS)


def test_a_rebuilt_read_model_gives_the_same_view(round_: Round) -> None:
    partition = round_.container.partitions.open(round_.cluster_id)
    scratch = round_.container.partitions.scratch(round_.cluster_id)
    # One batch replays both revisions of A→B N1: the latest must still win.
    round_.container.projector.catch_up(
        round_.cluster_id, partition.log, scratch, partition.app.mapper
    )
    live = round_.scope()
    rebuilt = ClusterScope(live.actor, live.info, scratch, live.log, live.mapper, live.clock)
    found = queries.round_(rebuilt, round_.round_id)
    assert found is not None
    assert queries.mutual_control_view(rebuilt, found) == round_.view()


def test_an_empty_round_has_null_scores_and_zero_rates(round_: Round) -> None:
    control = round_.container.mutual_control
    empty = control.open_assessment_round(
        round_.operator, round_.cluster_id, RoundOpening("Empty", [round_.norms["N1"]])
    )
    view = queries.mutual_control_view(round_.scope(), empty)
    assert all(v is None for row in view.matrix for v in row)
    assert (view.coverage, view.reciprocity, view.outliers) == (0.0, 0.0, ())
    assert [round_.letter(s) for s in view.unassessed] == ACTIVE


def test_the_heavier_norm_pulls_the_pair_score_towards_it(round_: Round) -> None:
    control, op, s = round_.container.mutual_control, round_.operator, round_.subjects
    norms = [round_.norms["N1"], round_.norms["N2"]]  # weights 2 and 1
    weighted = control.open_assessment_round(op, round_.cluster_id, RoundOpening("Weights", norms))
    for norm_id, score in zip(norms, (5, 0), strict=True):  # normalised 1.0 and 0.0
        control.record_assessment(
            round_.members["A"],
            round_.cluster_id,
            weighted.id,
            Assessment(s["B"], norm_id, score, None),
        )
    view = queries.mutual_control_view(round_.scope(), weighted)
    assert view.matrix[0][1] == pytest.approx(2 / 3)  # not the plain mean, 1/2
