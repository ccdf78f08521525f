"""Mutual control through the GraphQL API (graphql/operations), on SQLite and
PostgreSQL: the hand-worked round of tests/mutual_control_scenario.py recorded
with the mutations, every metric read back with the query, and each refusal
with its code, its field and an unchanged log position."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import mutual_control_world as world
import pytest
from gql_harness import Api, Outcome, operation
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

from domain.cluster import ClusterFounding, MemberAddition, SubjectAdmission
from services.principal import Principal


@dataclass
class Round:
    api: Api
    operator: Principal
    cluster_id: str
    subjects: dict[str, str]
    people: dict[str, Principal]  # per subject letter, and "auditor"
    norms: dict[str, str]
    round_id: str

    def run(self, name: str, who: Principal | None = None, **variables: Any) -> Outcome:
        return self.api.run(
            operation(name),
            {"clusterId": self.cluster_id, **variables},
            principal=who or self.operator,
        )

    def view(self, threshold: float | None = None) -> dict[str, Any]:
        found = self.run("mutual_control", roundId=self.round_id, outlierThreshold=threshold)
        return found.ok()["cluster"]["assessmentRound"]["mutualControl"]

    def letter(self, subject_id: str) -> str:
        return {v: k for k, v in self.subjects.items()}[subject_id]

    def record(self, who: str, assessee: str, norm: str, score: float, **kw: Any) -> Outcome:
        variables = {
            "roundId": self.round_id,
            "assesseeId": self.subjects.get(assessee, assessee),
            "normId": self.norms.get(norm, norm),
            "score": score,
            **kw,
        }
        return self.run("record_assessment", self.people[who], **variables)

    def position(self) -> int:
        return self.api.position(self.cluster_id, self.operator)


def build(api: Api) -> Round:
    container, op = api.container, world.operator()
    registry = container.registry
    cluster_id = registry.found_cluster(
        op, ClusterFounding("Tomsk cluster", "Tomsk", "GEOGRAPHIC")
    ).id
    subjects, people = {}, {}
    for letter in SUBJECTS:
        subjects[letter] = registry.admit_subject(
            op, cluster_id, SubjectAdmission(f"School {letter}", "SCHOOL", None)
        ).subject.id
        member = registry.add_member(
            op, cluster_id, MemberAddition(f"Member {letter}", None, subjects[letter], ["MEMBER"])
        ).member
        people[letter] = world.person_for(container, cluster_id, member.id, member.name)
    auditor = registry.add_member(
        op, cluster_id, MemberAddition("Anna", None, None, ["AUDITOR"])
    ).member
    people["auditor"] = world.person_for(container, cluster_id, auditor.id, "Anna")
    round_ = Round(api, op, cluster_id, subjects, people, {}, "")
    for key, (low, high, weight) in NORMS.items():
        norm_input = {"name": f"Norm {key}", "scaleMin": low, "scaleMax": high, "weight": weight}
        round_.norms[key] = round_.run("adopt_norm", input=norm_input).ok()["adoptNorm"]["id"]
    opened = round_.run(
        "open_assessment_round", title="2024/25", normIds=[round_.norms[k] for k in ROUND_NORMS]
    )
    round_.round_id = opened.ok()["openAssessmentRound"]["id"]
    for assessor, assessee, norm, score in STEPS:
        round_.record(assessor, assessee, norm, score).ok()
    registry.withdraw_subject(op, cluster_id, subjects[WITHDRAWN])
    return round_


@pytest.fixture(scope="module", params=world.BACKENDS)
def round_(request: pytest.FixtureRequest) -> Iterator[Round]:
    with world.module_container(request) as container:
        yield build(Api(container))


def approx_or_none(value: float | None) -> object:
    return None if value is None else pytest.approx(value)


def test_the_view_orders_the_active_subjects_as_admitted(round_: Round) -> None:
    assert [round_.letter(s["id"]) for s in round_.view()["subjects"]] == ACTIVE


def test_the_matrix_has_weighted_normalised_latest_scores_and_nulls(round_: Round) -> None:
    assert round_.view()["matrix"] == [[approx_or_none(v) for v in row] for row in MATRIX]


def test_received_scores_are_column_means_with_assessor_counts(round_: Round) -> None:
    found = {
        round_.letter(r["subject"]["id"]): (r["score"], r["assessors"])
        for r in round_.view()["received"]
    }
    assert found == {k: (approx_or_none(s), n) for k, (s, n) in RECEIVED.items()}


def test_coverage_reciprocity_and_unassessed(round_: Round) -> None:
    view = round_.view()
    assert (view["coverage"], view["reciprocity"]) == (
        pytest.approx(COVERAGE),
        pytest.approx(RECIPROCITY),
    )
    assert [round_.letter(s["id"]) for s in view["unassessed"]] == UNASSESSED


@pytest.mark.parametrize("threshold", [None, *sorted(OUTLIERS)])
def test_outliers_come_largest_deviation_first(round_: Round, threshold: float | None) -> None:
    found = [
        (round_.letter(o["assessor"]["id"]), o["meanDeviation"])
        for o in round_.view(threshold)["outliers"]
    ]
    assert found == [(k, pytest.approx(d)) for k, d in OUTLIERS[threshold or 0.25]]


def test_assessments_show_latest_revisions_by_assessor(round_: Round) -> None:
    found = round_.run("assessment_rounds", assessorId=round_.subjects["A"]).ok()["cluster"]
    (listed,) = [r for r in found["assessmentRounds"] if r["id"] == round_.round_id]
    norm_key = {v: k for k, v in round_.norms.items()}
    latest = {
        (round_.letter(a["assessee"]["id"]), norm_key[a["norm"]["id"]]): (a["score"], a["revision"])
        for a in listed["assessments"]
    }
    assert latest == A_LATEST
    assert {a["recordedBy"]["name"] for a in listed["assessments"]} == {"Member A"}
    assert [n["name"] for n in found["norms"]][:3] == ["Norm N1", "Norm N2", "Norm N3"]


def test_a_recording_answers_with_the_assessment_and_its_revision(round_: Round) -> None:
    # A round of its own, so that the hand-worked round stays as worked out.
    opened = round_.run("open_assessment_round", title="Autumn", normIds=[round_.norms["N1"]])
    autumn = opened.ok()["openAssessmentRound"]["id"]
    first = round_.record("C", "A", "N1", 2, roundId=autumn, rationale="Few open lessons").ok()
    second = round_.record("C", "A", "N1", 3, roundId=autumn).ok()
    first, second = first["recordAssessment"], second["recordAssessment"]
    assert (first["assessor"]["name"], first["assessee"]["name"], first["norm"]["name"]) == (
        "School C",
        "School A",
        "Norm N1",
    )
    assert (first["revision"], first["rationale"], second["revision"], second["score"]) == (
        1,
        "Few open lessons",
        2,
        3.0,
    )
    assert second["recordedBy"]["name"] == "Member C"


REFUSALS = {
    "self-assessment": (("A", "A", "N1", 3), "BAD_USER_INPUT", "assesseeId"),
    "score below the scale": (("A", "B", "N1", 0.5), "BAD_USER_INPUT", "score"),
    "score above the scale": (("A", "B", "N2", 10.5), "BAD_USER_INPUT", "score"),
    "norm not in the round": (("A", "B", "N3", 3), "BAD_USER_INPUT", "normId"),
    "malformed norm": (("A", "B", "nope", 3), "BAD_USER_INPUT", "normId"),
    "withdrawn assessee": (("A", WITHDRAWN, "N1", 3), "BAD_USER_INPUT", "assesseeId"),
    "unknown assessee": (("A", str(uuid.uuid4()), "N1", 3), "BAD_USER_INPUT", "assesseeId"),
    "auditor": (("auditor", "A", "N1", 3), "FORBIDDEN", None),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_a_refused_assessment_has_its_code_and_field_and_records_nothing(
    round_: Round, case: str
) -> None:
    (who, assessee, norm, score), code, field = REFUSALS[case]
    before = round_.position()
    refused = round_.record(who, assessee, norm, score)
    assert refused.codes == [code]
    assert refused.errors[0]["extensions"].get("field") == field
    assert round_.position() == before


def test_a_closed_round_answers_conflict_and_stays_as_it_was(round_: Round) -> None:
    norm = round_.norms["N1"]
    opened = round_.run("open_assessment_round", title="Spring", normIds=[norm]).ok()
    spring = opened["openAssessmentRound"]["id"]
    closed = round_.run("close_assessment_round", roundId=spring).ok()["closeAssessmentRound"]
    assert closed["open"] is False
    before = round_.position()
    late = round_.record("A", "B", "N1", 3, roundId=spring)
    again = round_.run("close_assessment_round", roundId=spring)
    assert (late.codes, again.codes, round_.position()) == (["CONFLICT"], ["CONFLICT"], before)


@pytest.mark.parametrize(
    ("name", "variables", "code", "field"),
    [
        ("open_assessment_round", {"title": "Empty", "normIds": []}, "BAD_USER_INPUT", "normIds"),
        (
            "adopt_norm",
            {"input": {"name": "Flat", "scaleMin": 3, "scaleMax": 3}},
            "BAD_USER_INPUT",
            "scaleMax",
        ),
        ("adopt_norm", {"input": {"name": "Weightless", "weight": 0}}, "BAD_USER_INPUT", "weight"),
        ("close_assessment_round", {"roundId": str(uuid.uuid4())}, "NOT_FOUND", None),
    ],
)
def test_bad_norms_and_rounds_are_refused(
    round_: Round, name: str, variables: dict[str, Any], code: str, field: str | None
) -> None:
    before = round_.position()
    refused = round_.run(name, **variables)
    assert (refused.codes, refused.errors[0]["extensions"].get("field")) == ([code], field)
    assert round_.position() == before


def test_a_member_may_not_adopt_norms(round_: Round) -> None:
    refused = round_.run("adopt_norm", round_.people["A"], input={"name": "Mine"})
    assert refused.codes == ["FORBIDDEN"]


def test_a_negative_outlier_threshold_is_bad_input(round_: Round) -> None:
    refused = round_.run("mutual_control", roundId=round_.round_id, outlierThreshold=-0.1)
    assert refused.codes == ["BAD_USER_INPUT"]
    assert refused.errors[0]["extensions"]["field"] == "outlierThreshold"


AS_OF = """
query($id: ID!, $asOf: Int, $round: ID!) { cluster(id: $id, asOf: $asOf) {
  assessmentRound(id: $round) { open mutualControl { coverage } } } }
"""


def test_as_of_shows_a_round_as_it_was_before_its_close(round_: Round) -> None:
    opened = round_.run("open_assessment_round", title="Summer", normIds=[round_.norms["N2"]])
    summer = opened.ok()["openAssessmentRound"]["id"]
    round_.record("A", "B", "N2", 7, roundId=summer).ok()
    before_close = round_.position()
    round_.run("close_assessment_round", roundId=summer).ok()

    def seen(as_of: int | None) -> dict[str, Any]:
        variables = {"id": round_.cluster_id, "asOf": as_of, "round": summer}
        found = round_.api.run(AS_OF, variables, principal=round_.operator).ok()
        return found["cluster"]["assessmentRound"]

    assert seen(before_close) == {
        "open": True,
        "mutualControl": {"coverage": pytest.approx(1 / 12)},
    }
    assert seen(None)["open"] is False
