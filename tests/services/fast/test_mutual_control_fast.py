"""Mutual-control commands on the fakes: adopt norms, open a round, record and
revise assessments, close the round, the matrix they make, and every refusal
coded, with nothing recorded."""

from __future__ import annotations

import math
import uuid
from typing import Any

import pytest
from fast_world import FastWorld, refused

from domain.assessment_round import RoundOpening
from domain.norm import NormAdoption
from domain.scorecard import Assessment
from services.mutual_control_queries import mutual_control_view


@pytest.fixture
def round_world(world: FastWorld) -> tuple[FastWorld, str, str, str]:
    """The world with two norms adopted and a round open on the first only."""
    control, w = world.mutual_control, world
    teaching = control.adopt_norm(
        w.operator, w.cluster_id, NormAdoption("Teaching", None, 1, 5, 1.0)
    ).id
    research = control.adopt_norm(
        w.operator, w.cluster_id, NormAdoption("Research", "Papers", 0, 10, 2.0)
    ).id
    round_id = control.open_assessment_round(
        w.operator, w.cluster_id, RoundOpening("2024/25", [teaching])
    ).id
    return w, round_id, teaching, research


def record(w: FastWorld, who: Any, round_id: str, assessee: str, norm: str, score: float) -> Any:
    return w.mutual_control.record_assessment(
        who, w.cluster_id, round_id, Assessment(assessee, norm, score, None)
    ).assessment


def test_a_round_copies_the_terms_of_its_norms(round_world: Any) -> None:
    w, round_id, teaching, _ = round_world
    [round_] = w.partition.read_model.mutual_control_reader.rounds()
    assert (round_.id, round_.title, round_.open) == (round_id, "2024/25", True)
    assert [(n.id, n.name, n.scale_min, n.scale_max, n.weight) for n in round_.norms] == [
        (teaching, "Teaching", 1, 5, 1.0)
    ]


def test_recording_again_is_a_revision_by_the_member(round_world: Any) -> None:
    w, round_id, teaching, _ = round_world
    first = record(w, w.ivan, round_id, w.college_id, teaching, 2)
    second = record(w, w.ivan, round_id, w.college_id, teaching, 4.5)
    assert (first.revision, second.revision, second.score) == (1, 2, 4.5)
    assert (second.assessor_id, second.assessee_id, second.recorded_by) == (
        w.school_id,
        w.college_id,
        w.ivan_id,
    )


def test_the_matrix_holds_each_pairs_normalised_latest_score(round_world: Any) -> None:
    w, round_id, teaching, _ = round_world
    record(w, w.ivan, round_id, w.college_id, teaching, 2)
    record(w, w.ivan, round_id, w.college_id, teaching, 4)  # (4 - 1) / (5 - 1)
    scope = w.queries.scope(w.ivan, w.cluster_id)
    round_ = w.partition.read_model.mutual_control_reader.round(round_id)
    view = mutual_control_view(scope, round_)
    assert [s.id for s in view.subjects] == [w.school_id, w.college_id]
    assert view.matrix == ((None, 0.75), (None, None))
    assert (view.coverage, view.reciprocity, view.unassessed) == (0.5, 0.0, (w.school_id,))


def test_closing_the_round_stops_recording(round_world: Any) -> None:
    w, round_id, teaching, _ = round_world
    record(w, w.ivan, round_id, w.college_id, teaching, 4)
    closed = w.mutual_control.close_assessment_round(w.operator, w.cluster_id, round_id)
    assert closed.open is False
    refused(w, lambda: record(w, w.petr, round_id, w.school_id, teaching, 3), "CONFLICT")
    refused(
        w,
        lambda: w.mutual_control.close_assessment_round(w.operator, w.cluster_id, round_id),
        "CONFLICT",
    )


@pytest.mark.parametrize("score", [0.99, 5.01, math.nan])
def test_a_score_off_the_scale_is_refused(round_world: Any, score: float) -> None:
    w, round_id, teaching, _ = round_world
    call = lambda: record(w, w.ivan, round_id, w.college_id, teaching, score)  # noqa: E731
    refused(w, call, "BAD_USER_INPUT", "score")


def test_what_an_assessment_names_must_exist_and_fit(round_world: Any) -> None:
    w, round_id, teaching, research = round_world
    for assessee in (w.school_id, str(uuid.uuid4())):  # itself, unknown
        refused(
            w,
            lambda a=assessee: record(w, w.ivan, round_id, a, teaching, 3),
            "BAD_USER_INPUT",
            "assesseeId",
        )
    for norm in (research, str(uuid.uuid4()), "malformed"):  # outside the round, unknown
        refused(
            w,
            lambda n=norm: record(w, w.ivan, round_id, w.college_id, n, 3),
            "BAD_USER_INPUT",
            "normId",
        )
    refused(w, lambda: record(w, w.ivan, str(uuid.uuid4()), w.college_id, teaching, 3), "NOT_FOUND")


def test_only_a_subjects_participant_assesses(round_world: Any) -> None:
    w, round_id, teaching, _ = round_world
    for who in (w.anna, w.operator):  # an auditor; a coordinator for no subject
        refused(w, lambda p=who: record(w, p, round_id, w.college_id, teaching, 3), "FORBIDDEN")
    w.registry.withdraw_subject(w.operator, w.cluster_id, w.college_id)
    refused(w, lambda: record(w, w.petr, round_id, w.school_id, teaching, 3), "FORBIDDEN")


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("", None, 1, 5, 1.0), "name"),
        (("Teaching", None, 5, 5, 1.0), "scaleMax"),
        (("Teaching", None, 1, 5, 0.0), "weight"),
    ],
)
def test_a_bad_norm_is_bad_user_input(world: FastWorld, args: tuple[Any, ...], field: str) -> None:
    w = world
    refused(
        w,
        lambda: w.mutual_control.adopt_norm(w.operator, w.cluster_id, NormAdoption(*args)),
        "BAD_USER_INPUT",
        field,
    )


def test_a_round_needs_adopted_norms_and_a_coordinator(round_world: Any) -> None:
    w, round_id, teaching, _ = round_world
    open_round = w.mutual_control.open_assessment_round
    for norm_ids in ([], [str(uuid.uuid4())], [round_id]):
        refused(
            w,
            lambda n=norm_ids: open_round(w.operator, w.cluster_id, RoundOpening("Next", n)),
            "BAD_USER_INPUT",
            "normIds",
        )
    for who in (w.ivan, w.anna):
        refused(
            w,
            lambda p=who: open_round(p, w.cluster_id, RoundOpening("Next", [teaching])),
            "FORBIDDEN",
        )
        refused(
            w,
            lambda p=who: w.mutual_control.adopt_norm(
                p, w.cluster_id, NormAdoption("N", None, 1, 5, 1.0)
            ),
            "FORBIDDEN",
        )
