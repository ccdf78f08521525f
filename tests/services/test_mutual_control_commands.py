"""Mutual-control commands on SQLite and PostgreSQL: what they record, and
every refusal with its code and field. A refused command records nothing."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import mutual_control_world as world
import pytest

from domain.assessment_round import RoundOpening
from domain.cluster import ClusterFounding, MemberAddition, SubjectAdmission
from domain.errors import DomainError
from domain.norm import NormAdoption
from domain.scorecard import Assessment, Scorecard, scorecard_id
from domain.stamp import Stamp, stamped
from infra.bootstrap import Container, bootstrap
from services.principal import Principal


@dataclass
class Cluster:
    container: Container
    id: str
    coordinator: Principal  # the operator who founded it; acts for no subject
    subjects: dict[str, str]  # A, B active; W withdrawn
    people: dict[str, Principal]  # A, B, W members; "auditor"
    norm_in: str  # in the round, scale 1..5
    norm_out: str  # adopted, not in the round
    round_id: str

    def head(self) -> int:
        return self.container.partitions.open(self.id).log.head()

    def record(self, who: str, assessee: str, score: float = 3, **kw: Any) -> Any:
        args = {"round_id": self.round_id, "norm_id": self.norm_in, "rationale": None, **kw}
        return self.container.mutual_control.record_assessment(
            self.people[who],
            self.id,
            args["round_id"],
            Assessment(assessee, args["norm_id"], score, args["rationale"]),
        ).assessment

    def refused(self, call: Callable[[], Any]) -> DomainError:
        """The error ``call`` raises; the log has not moved."""
        before = self.head()
        with pytest.raises(DomainError) as raised:
            call()
        assert self.head() == before
        return raised.value


@pytest.fixture(scope="module", params=world.BACKENDS)
def cluster(request: pytest.FixtureRequest) -> Iterator[Cluster]:
    with world.module_container(request) as container:
        yield build(container)


def build(container: Container) -> Cluster:
    registry, control, op = container.registry, container.mutual_control, world.operator()
    cluster_id = registry.found_cluster(
        op, ClusterFounding("Tomsk cluster", "Tomsk", "GEOGRAPHIC")
    ).id
    subjects, people = {}, {}
    for letter in ("A", "B", "W"):
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
    registry.withdraw_subject(op, cluster_id, subjects["W"])
    norm_in = control.adopt_norm(op, cluster_id, NormAdoption("Teaching", None, 1, 5, 1.0)).id
    norm_out = control.adopt_norm(op, cluster_id, NormAdoption("Research", "Papers", 0, 10, 2.0)).id
    opened = control.open_assessment_round(op, cluster_id, RoundOpening("2024/25", [norm_in]))
    return Cluster(container, cluster_id, op, subjects, people, norm_in, norm_out, opened.id)


def code_and_field(error: DomainError) -> tuple[str, str | None]:
    return error.code, error.field


# --- what succeeds -----------------------------------------------------------------


def test_recording_again_is_a_revision_stamped_with_the_member(cluster: Cluster) -> None:
    a, c = cluster.subjects, cluster
    first = c.record("B", a["A"], 2, rationale="Open lessons every month")
    second = c.record("B", a["A"], 4.5)
    assert (first.revision, first.score, first.rationale) == (1, 2.0, "Open lessons every month")
    assert (second.revision, second.score, second.rationale) == (2, 4.5, None)
    member = c.container.directory.member_of(c.people["B"].person_id, c.id)
    assert (second.assessor_id, second.assessee_id, second.recorded_by) == (a["B"], a["A"], member)


def test_norms_and_rounds_are_listed_in_the_order_they_were_made(cluster: Cluster) -> None:
    scope = cluster.container.queries.scope(cluster.coordinator, cluster.id)
    reader = scope.read_model.mutual_control_reader
    norms = reader.norms()
    assert [(n.name, n.scale_min, n.scale_max, n.weight) for n in norms][:2] == [
        ("Teaching", 1, 5, 1.0),
        ("Research", 0, 10, 2.0),
    ]
    assert norms[1].description == "Papers"
    first = reader.rounds()[0]
    assert (first.id, first.title, first.open) == (cluster.round_id, "2024/25", True)
    assert [n.id for n in first.norms] == [cluster.norm_in]


def test_a_scorecard_is_found_from_its_round_and_assessor(cluster: Cluster) -> None:
    cluster.record("A", cluster.subjects["B"])
    key = scorecard_id(uuid.UUID(cluster.round_id), cluster.subjects["A"])
    card = cluster.container.partitions.open(cluster.id).app.repository.get(key)
    assert isinstance(card, Scorecard) and card.assessor_id == cluster.subjects["A"]


# --- bad input ----------------------------------------------------------------------


def test_a_subject_does_not_assess_itself(cluster: Cluster) -> None:
    error = cluster.refused(lambda: cluster.record("A", cluster.subjects["A"]))
    assert code_and_field(error) == ("BAD_USER_INPUT", "assesseeId")


@pytest.mark.parametrize("score", [0.99, 5.01, -3, math.nan, math.inf])
def test_a_score_off_the_norms_scale_is_refused(cluster: Cluster, score: float) -> None:
    error = cluster.refused(lambda: cluster.record("A", cluster.subjects["B"], score))
    assert code_and_field(error) == ("BAD_USER_INPUT", "score")


@pytest.mark.parametrize("norm", ["outside the round", "unknown", "malformed"])
def test_a_norm_that_is_not_in_the_round_is_refused(cluster: Cluster, norm: str) -> None:
    norm_id = {
        "outside the round": cluster.norm_out,
        "unknown": str(uuid.uuid4()),
        "malformed": "n-1",
    }
    call = lambda: cluster.record("A", cluster.subjects["B"], norm_id=norm_id[norm])  # noqa: E731
    assert code_and_field(cluster.refused(call)) == ("BAD_USER_INPUT", "normId")


@pytest.mark.parametrize("assessee", ["withdrawn", "unknown", "malformed"])
def test_the_assessee_must_be_an_active_subject(cluster: Cluster, assessee: str) -> None:
    assessee_id = {
        "withdrawn": cluster.subjects["W"],
        "unknown": str(uuid.uuid4()),
        "malformed": "s",
    }
    error = cluster.refused(lambda: cluster.record("A", assessee_id[assessee]))
    assert code_and_field(error) == ("BAD_USER_INPUT", "assesseeId")
    assert "assesseeId" in error.message


@pytest.mark.parametrize("who", ["auditor", "W"])
def test_auditors_and_withdrawn_subjects_may_not_assess(cluster: Cluster, who: str) -> None:
    error = cluster.refused(lambda: cluster.record(who, cluster.subjects["A"]))
    assert error.code == "FORBIDDEN"


def test_a_coordinator_who_acts_for_no_subject_may_not_assess(cluster: Cluster) -> None:
    control = cluster.container.mutual_control
    error = cluster.refused(
        lambda: control.record_assessment(
            cluster.coordinator,
            cluster.id,
            cluster.round_id,
            Assessment(cluster.subjects["A"], cluster.norm_in, 3, None),
        )
    )
    assert error.code == "FORBIDDEN"


@pytest.mark.parametrize("round_id", ["unknown", "malformed", "a norm's id"])
def test_an_unknown_round_is_not_found(cluster: Cluster, round_id: str) -> None:
    key = {"unknown": str(uuid.uuid4()), "malformed": "r-1", "a norm's id": cluster.norm_in}[
        round_id
    ]
    error = cluster.refused(lambda: cluster.record("A", cluster.subjects["B"], round_id=key))
    assert error.code == "NOT_FOUND"


def test_a_closed_round_accepts_nothing(cluster: Cluster) -> None:
    control, c = cluster.container.mutual_control, cluster
    opened = control.open_assessment_round(c.coordinator, c.id, RoundOpening("Spring", [c.norm_in]))
    c.record("A", c.subjects["B"], 4, round_id=opened.id)
    assert control.close_assessment_round(c.coordinator, c.id, opened.id).open is False
    late = c.refused(lambda: c.record("A", c.subjects["B"], 5, round_id=opened.id))
    again = c.refused(lambda: control.close_assessment_round(c.coordinator, c.id, opened.id))
    assert (late.code, again.code) == ("CONFLICT", "CONFLICT")
    scope = c.container.queries.scope(c.coordinator, c.id)
    (kept,) = scope.read_model.mutual_control_reader.assessments(opened.id)
    assert (kept.score, kept.revision) == (4.0, 1)


@pytest.mark.parametrize("norm_ids", [[], ["unknown"], ["malformed"], ["a round's id"]])
def test_a_round_needs_at_least_one_adopted_norm(cluster: Cluster, norm_ids: list[str]) -> None:
    given = {"unknown": str(uuid.uuid4()), "malformed": "n", "a round's id": cluster.round_id}
    control, c = cluster.container.mutual_control, cluster
    ids = [given[n] for n in norm_ids]
    call = lambda: control.open_assessment_round(c.coordinator, c.id, RoundOpening("R", ids))  # noqa: E731
    assert code_and_field(c.refused(call)) == ("BAD_USER_INPUT", "normIds")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        (("Teaching", 5, 5, 1.0), "scaleMax"),
        (("Teaching", 5, 1, 1.0), "scaleMax"),
        (("Teaching", 1, 5, 0.0), "weight"),
        (("Teaching", 1, 5, -1.0), "weight"),
        (("Teaching", 1, 5, math.nan), "weight"),
        (("  ", 1, 5, 1.0), "name"),
    ],
)
def test_a_norm_needs_a_name_a_rising_scale_and_a_positive_weight(
    cluster: Cluster, values: tuple[str, int, int, float], field: str
) -> None:
    name, low, high, weight = values
    control, c = cluster.container.mutual_control, cluster
    adoption = NormAdoption(name, None, low, high, weight)
    call = lambda: control.adopt_norm(c.coordinator, c.id, adoption)  # noqa: E731
    assert code_and_field(c.refused(call)) == ("BAD_USER_INPUT", field)


@pytest.mark.parametrize("who", ["A", "auditor"])
def test_only_coordinators_adopt_norms_and_open_or_close_rounds(cluster: Cluster, who: str) -> None:
    control, c, person = cluster.container.mutual_control, cluster, cluster.people[who]
    calls = [
        lambda: control.adopt_norm(person, c.id, NormAdoption("Norm", None, 1, 5, 1.0)),
        lambda: control.open_assessment_round(person, c.id, RoundOpening("Round", [c.norm_in])),
        lambda: control.close_assessment_round(person, c.id, c.round_id),
    ]
    assert [c.refused(call).code for call in calls] == ["FORBIDDEN"] * 3


# --- a close racing a recording -------------------------------------------------------


def test_an_assessment_logged_after_its_rounds_close_does_not_count(cluster: Cluster) -> None:
    control, c = cluster.container.mutual_control, cluster
    opened = control.open_assessment_round(c.coordinator, c.id, RoundOpening("Race", [c.norm_in]))
    partition = c.container.partitions.open(c.id)
    round_ = partition.app.repository.get(uuid.UUID(opened.id))
    card = Scorecard.start(uuid.UUID(opened.id), c.subjects["A"])
    with stamped(Stamp(c.id, None, c.subjects["A"], "race")):
        card.record(
            round_, Assessment(c.subjects["B"], c.norm_in, 5, None)
        )  # checked while still open
    control.close_assessment_round(c.coordinator, c.id, opened.id)
    partition.app.save(card)  # …but it reaches the log after the close
    scope = c.container.queries.scope(c.coordinator, c.id)
    assert scope.read_model.mutual_control_reader.assessments(opened.id) == []


# --- writers in two processes -------------------------------------------------------


def test_two_processes_revising_one_scorecard_lose_no_revision(cluster: Cluster) -> None:
    other = bootstrap(cluster.container.settings)  # a second process on the same storage
    control, c = cluster.container.mutual_control, cluster
    spring = control.open_assessment_round(
        c.coordinator, c.id, RoundOpening("Concurrent", [c.norm_in])
    ).id
    calls = [
        (service, score) for score in (1, 2, 3, 4, 5) for service in (control, other.mutual_control)
    ]

    def record(service_and_score: tuple[Any, int]) -> int:
        service, score = service_and_score
        found = service.record_assessment(
            c.people["A"], c.id, spring, Assessment(c.subjects["B"], c.norm_in, score, None)
        )
        return int(found.assessment.revision)

    with ThreadPoolExecutor(max_workers=4) as pool:
        revisions = sorted(pool.map(record, calls))
    world.close(other)
    assert revisions == list(range(1, 11))
    reader = cluster.container.queries.scope(c.coordinator, c.id).read_model.mutual_control_reader
    assert [a.revision for a in reader.assessments(spring)] == [10]
