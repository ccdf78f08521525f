"""The project aggregate's rules, without I/O: launch values, the milestone
life cycle (PLANNED → REACHED | MISSED, both final), evidence URLs, results."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent

from domain.errors import Conflict, InvalidInput, NotFound
from domain.project import (
    RESULTS_MAX,
    MilestoneMiss,
    MilestonePlan,
    MilestoneReach,
    Project,
    ProjectLaunch,
    ResultMeasurement,
    ResultSpec,
    optional_http_url,
)
from domain.vocabulary import MilestoneStatus

TODAY = date(2025, 3, 10)
LEAD, PARTNER = "lead-subject", "partner-subject"


def launch(title: str = "Practicum", results: list[ResultSpec] | None = None, **kw) -> Project:  # type: ignore[no-untyped-def]
    specs = results if results is not None else [ResultSpec("Teachers trained", 10, "people")]
    args = {"direction": "EDUCATION", "kind": "SCIENTIFIC_RESEARCH", "partner_ids": [PARTNER]}
    args.update(kw)
    value = ProjectLaunch(
        title,
        args["direction"],
        args["kind"],
        lead_id=LEAD,
        partner_ids=args["partner_ids"],
        expected_results=specs,
    )
    result_ids = [f"r{i}" for i in range(len(specs))]
    return Project.launch(uuid.uuid4(), value, lead_id=LEAD, result_ids=result_ids)


def planned(project: Project, milestone_id: str = "m1", due: date = date(2025, 3, 5)) -> str:
    project.plan_milestone(milestone_id, MilestonePlan("Agreements signed", due, None))
    return milestone_id


def events_of(project: Project) -> list[str]:
    return [type(e).__name__ for e in project.collect_events()]


def test_a_launch_records_the_checked_values_in_one_event() -> None:
    project = launch("  Practicum  ", [ResultSpec(" Teachers ", 12.5, " people ")])
    assert (project.title, project.direction.value, project.kind.value) == (
        "Practicum",
        "EDUCATION",
        "SCIENTIFIC_RESEARCH",
    )
    assert [(r.id, r.indicator, r.target, r.unit, r.actual) for r in project.results.values()] == [
        ("r0", "Teachers", 12.5, "people", None)
    ]
    assert events_of(project) == ["ProjectLaunched"]


@pytest.mark.parametrize("title", ["", "   ", "\t\n"])
def test_a_blank_title_is_refused(title: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        launch(title)
    assert caught.value.field == "title"
    assert "title must not be blank" in caught.value.message


@pytest.mark.parametrize("target", [0, -1, -0.001, float("nan"), float("inf")])
def test_a_target_must_be_a_positive_finite_number(target: float) -> None:
    specs = [ResultSpec("Kits", 5), ResultSpec("Teachers", target)]
    with pytest.raises(InvalidInput) as caught:
        launch(results=specs)
    assert caught.value.field == "expectedResults[1].target"
    assert "greater than 0" in caught.value.message


def test_a_tiny_positive_target_is_accepted() -> None:
    assert launch(results=[ResultSpec("Share", 0.001)]).results["r0"].target == 0.001


def test_a_result_needs_an_indicator() -> None:
    with pytest.raises(InvalidInput) as caught:
        launch(results=[ResultSpec("  ", 3)])
    assert caught.value.field == "expectedResults[0].indicator"


@pytest.mark.parametrize(("field", "value"), [("direction", "SPORT"), ("kind", "HOBBY")])
def test_direction_and_kind_come_from_the_vocabulary(field: str, value: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        launch(**{field: value})
    assert caught.value.field == field


def test_the_number_of_expected_results_is_bounded() -> None:
    with pytest.raises(InvalidInput) as caught:
        launch(results=[ResultSpec(f"I{i}", 1) for i in range(RESULTS_MAX + 1)])
    assert caught.value.field == "expectedResults"


def test_the_lead_is_no_partner_and_a_repeated_partner_counts_once() -> None:
    project = launch(partner_ids=[PARTNER, LEAD, PARTNER, "third"])
    assert project.partner_ids == [PARTNER, "third"]
    assert project.participants == {LEAD, PARTNER, "third"}


def test_a_milestone_is_reached_once_on_a_day_that_has_come() -> None:
    project = launch()
    milestone = planned(project)
    project.reach_milestone(
        milestone, MilestoneReach(TODAY, "Signed by all four", "https://kspi.uz/a.pdf"), TODAY
    )
    assert project.milestones[milestone].status is MilestoneStatus.REACHED
    with pytest.raises(Conflict, match="already reached"):
        project.reach_milestone(milestone, MilestoneReach(TODAY, "Again", None), TODAY)


def test_reaching_a_missed_milestone_and_missing_a_reached_one_conflict() -> None:
    project = launch()
    missed, reached = planned(project, "m1"), planned(project, "m2")
    project.miss_milestone(missed, MilestoneMiss("The school closed for repairs"))
    project.reach_milestone(reached, MilestoneReach(date(2025, 3, 1), "Done", None), TODAY)
    with pytest.raises(Conflict, match="already missed; it cannot be reached"):
        project.reach_milestone(missed, MilestoneReach(TODAY, "Done after all", None), TODAY)
    with pytest.raises(Conflict, match="already reached; it cannot be missed"):
        project.miss_milestone(reached, MilestoneMiss("Changed our mind"))
    with pytest.raises(Conflict, match="already missed"):
        project.miss_milestone(missed, MilestoneMiss("Twice"))
    assert events_of(project)[-2:] == ["MilestoneMissed", "MilestoneReached"]


def test_a_milestone_cannot_be_reached_in_the_future() -> None:
    project = launch()
    with pytest.raises(InvalidInput) as caught:
        project.reach_milestone(
            planned(project), MilestoneReach(date(2025, 3, 11), "Done", None), TODAY
        )
    assert caught.value.field == "reachedOn"


@pytest.mark.parametrize(
    ("field", "call"),
    [
        (
            "actualResult",
            lambda p, m: p.reach_milestone(m, MilestoneReach(TODAY, "  ", None), TODAY),
        ),
        ("reason", lambda p, m: p.miss_milestone(m, MilestoneMiss(""))),
        ("title", lambda p, m: p.plan_milestone("m9", MilestonePlan(" ", TODAY, None))),
    ],
)
def test_reports_and_plans_need_their_text(field: str, call) -> None:  # type: ignore[no-untyped-def]
    project = launch()
    milestone = planned(project)
    with pytest.raises(InvalidInput) as caught:
        call(project, milestone)
    assert caught.value.field == field


def test_an_unknown_milestone_or_result_is_not_found() -> None:
    project = launch()
    with pytest.raises(NotFound):
        project.reach_milestone("nope", MilestoneReach(TODAY, "Done", None), TODAY)
    with pytest.raises(NotFound):
        project.miss_milestone("nope", MilestoneMiss("Why"))
    with pytest.raises(NotFound):
        project.record_result("nope", ResultMeasurement(1))


@pytest.mark.parametrize(
    "url",
    [
        "ftp://kspi.uz/a",
        "javascript:alert(1)",
        "mailto:a@b.uz",
        "http://",
        "https:///path",
        "kspi.uz/report",
        "//kspi.uz/report",
        "file:///etc/passwd",
        "https://[::1",
        "http://a b.uz",
    ],
)
def test_evidence_must_be_an_http_or_https_url(url: str) -> None:
    project = launch()
    with pytest.raises(InvalidInput) as caught:
        project.reach_milestone(planned(project), MilestoneReach(TODAY, "Done", url), TODAY)
    assert caught.value.field == "evidenceUrl"
    assert "http:// or https://" in caught.value.message
    assert project.milestones["m1"].status is MilestoneStatus.PLANNED


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("https://kspi.uz/r.pdf", "https://kspi.uz/r.pdf"),
        (" HTTP://Kspi.uz ", "HTTP://Kspi.uz"),
        ("", None),
        (None, None),
    ],
)
def test_evidence_urls_that_are_kept(given: str | None, kept: str | None) -> None:
    assert optional_http_url("evidenceUrl", given) == kept


def test_a_result_records_a_finite_non_negative_actual_and_a_new_one_replaces_it() -> None:
    project = launch()
    project.record_result("r0", ResultMeasurement(4))
    project.record_result("r0", ResultMeasurement(0))
    assert project.results["r0"].actual == 0.0
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(InvalidInput) as caught:
            project.record_result("r0", ResultMeasurement(bad))
        assert caught.value.field == "actual"
    assert events_of(project) == ["ProjectLaunched", "ResultRecorded", "ResultRecorded"]


def test_a_milestone_carries_its_description_trimmed_and_checked() -> None:
    project = launch()
    project.plan_milestone("m1", MilestonePlan("Seminar", TODAY, None, "  Two sessions  "))
    project.plan_milestone("m2", MilestonePlan("Report", TODAY, None, "   "))
    planned = [e for e in project.collect_events() if isinstance(e, Project.MilestonePlanned)]
    assert [e.description for e in planned] == ["Two sessions", None]
    with pytest.raises(InvalidInput) as caught:
        project.plan_milestone("m3", MilestonePlan("Long", TODAY, None, "x" * 4001))
    assert caught.value.field == "description"
    assert list(project.milestones) == ["m1", "m2"]


def test_a_milestone_planned_before_descriptions_decodes_without_one() -> None:
    """A stored event of the first version (no description, no class_version) goes
    through the library's mapper, as loading, projecting and the log do."""
    transcoder = JSONTranscoder()
    Application.register_transcodings(None, transcoder)  # type: ignore[arg-type]
    mapper = Mapper(transcoder=transcoder)
    project = launch()
    project.plan_milestone("m1", MilestonePlan("Seminar", TODAY, "Protocol", "Two sessions"))
    current = mapper.to_stored_event(project.collect_events()[-1])
    state = transcoder.decode(current.state)
    assert (state.pop("class_version"), state.pop("description")) == (2, "Two sessions")
    first_version = StoredEvent(
        current.originator_id, current.originator_version, current.topic, transcoder.encode(state)
    )
    decoded = mapper.to_domain_event(first_version)
    assert isinstance(decoded, Project.MilestonePlanned)
    assert (decoded.title, decoded.expected_result, decoded.description) == (
        "Seminar",
        "Protocol",
        None,
    )
