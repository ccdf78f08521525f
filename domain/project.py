"""A project of the cluster: the principle of orientation.

Every activity aims at a goal and its results are stated in advance: a project
runs in one direction, declares its expected results (indicator, target) when
it is launched, and is checked through milestones that are reached or missed.

One aggregate per project keeps loading it independent of the cluster's size.
Who may act on it (its lead and partner subjects) is decided by the services,
which also check that those subjects and the goal belong to the cluster.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit
from uuid import UUID

from eventsourcing.domain import event

from domain.base import StampedAggregate
from domain.errors import Conflict, InvalidInput, NotFound
from domain.text import STATEMENT_MAX, optional_text, required_text
from domain.vocabulary import Direction, MilestoneStatus, ProjectKind, parse_enum

URL_MAX = 2000
RESULTS_MAX = 50  # expected results per project; keeps the aggregate small
PARTNERS_MAX = 50  # partner subjects per project (input limit)
MILESTONES_MAX = 200


@dataclass(frozen=True)
class ResultSpec:
    """An expected result as submitted, before it is checked."""

    indicator: str
    target: float
    unit: str | None = None


@dataclass(frozen=True)
class MilestonePlan:
    """A milestone as the planner submits it, before it is checked. The command
    carries it whole from the client to the aggregate, so a field added here
    needs no edit in between."""

    title: str
    due: date
    expected_result: str | None = None
    description: str | None = None  # what the milestone delivers


@dataclass
class ExpectedResultRecord:
    id: str
    indicator: str
    target: float
    unit: str | None
    actual: float | None = None


@dataclass
class MilestoneRecord:
    id: str
    title: str
    due: date
    expected_result: str | None
    status: MilestoneStatus = MilestoneStatus.PLANNED


@dataclass(frozen=True)
class ProjectLaunch:
    """A project as launchProject submits it, carried whole from the client to the
    aggregate. The service checks the ids (and names the lead) before the launch."""

    title: str
    direction: str  # a Direction value
    kind: str  # a ProjectKind value
    goal_id: str | None = None
    lead_id: str | None = None
    partner_ids: list[str] = field(default_factory=list)
    expected_results: list[ResultSpec] = field(default_factory=list)


@dataclass(frozen=True)
class MilestoneReach:
    """A milestone reported as reached (reachMilestone's input)."""

    reached_on: date
    actual_result: str
    evidence_url: str | None = None


@dataclass(frozen=True)
class MilestoneMiss:
    """A milestone reported as missed (missMilestone's arguments)."""

    reason: str


@dataclass(frozen=True)
class ResultMeasurement:
    """The actual value of an expected result (recordResult's arguments)."""

    actual: float


class Project(StampedAggregate):
    """A project in one of the five directions, with results evaluated in advance."""

    class ProjectLaunched(StampedAggregate.Created):
        title: str
        direction: str
        kind: str
        goal_id: str | None
        lead_id: str
        partner_ids: list[str]
        expected_results: list[dict[str, object]]

    @event(ProjectLaunched)
    def __init__(
        self,
        id: UUID,
        title: str,
        direction: str,
        kind: str,
        goal_id: str | None,
        lead_id: str,
        partner_ids: list[str],
        expected_results: list[dict[str, object]],
    ) -> None:
        self.title = title
        self.direction = Direction(direction)
        self.kind = ProjectKind(kind)
        self.goal_id = goal_id
        self.lead_id = lead_id
        self.partner_ids = list(partner_ids)
        self.results = {
            str(r["id"]): ExpectedResultRecord(
                str(r["id"]),
                str(r["indicator"]),
                float(r["target"]),  # type: ignore[arg-type]
                r["unit"],  # type: ignore[arg-type]
            )
            for r in expected_results
        }
        self.milestones: dict[str, MilestoneRecord] = {}

    @classmethod
    def launch(
        cls, project_id: UUID, launch: ProjectLaunch, *, lead_id: str, result_ids: list[str]
    ) -> Project:
        """Checks the launch values, then launches. ``lead_id`` is the lead the
        service settled on; ``result_ids`` are new ids for ``launch.expected_results``."""
        results = list(zip(result_ids, launch.expected_results, strict=True))
        if len(results) > RESULTS_MAX:
            raise InvalidInput(
                f"expectedResults may list at most {RESULTS_MAX} results", field="expectedResults"
            )
        if len(launch.partner_ids) > PARTNERS_MAX:
            raise InvalidInput(
                f"partnerIds may list at most {PARTNERS_MAX} subjects", field="partnerIds"
            )
        return cls(
            id=project_id,
            title=required_text("title", launch.title),
            direction=parse_enum(Direction, launch.direction, "direction").value,
            kind=parse_enum(ProjectKind, launch.kind, "kind").value,
            goal_id=launch.goal_id,
            lead_id=lead_id,
            # The lead is no partner of its own project; a repeated partner counts once.
            partner_ids=[p for p in dict.fromkeys(launch.partner_ids) if p != lead_id],
            expected_results=[_checked_result(i, rid, s) for i, (rid, s) in enumerate(results)],
        )

    @property
    def participants(self) -> frozenset[str]:
        """The subjects whose members may plan and report on this project."""
        return frozenset([self.lead_id, *self.partner_ids])

    # --- milestones -----------------------------------------------------------

    def plan_milestone(self, milestone_id: str, plan: MilestonePlan) -> None:
        if len(self.milestones) >= MILESTONES_MAX:
            raise Conflict(f"a project has at most {MILESTONES_MAX} milestones")
        self._plan_milestone(
            milestone_id=milestone_id,
            title=required_text("title", plan.title),
            due=plan.due.isoformat(),
            expected_result=optional_text("expectedResult", plan.expected_result, STATEMENT_MAX),
            description=optional_text("description", plan.description, STATEMENT_MAX),
        )

    class MilestonePlanned(StampedAggregate.Event):
        # Declared (not generated from a name) so that the projection and the
        # read model can take it as a typed value; same name, same topic.
        milestone_id: str
        title: str
        due: str
        expected_result: str | None
        description: str | None
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            state["description"] = None  # planned before milestones had one

    @event(MilestonePlanned)
    def _plan_milestone(
        self,
        milestone_id: str,
        title: str,
        due: str,
        expected_result: str | None,
        description: str | None,
    ) -> None:
        self.milestones[milestone_id] = MilestoneRecord(
            milestone_id, title, date.fromisoformat(due), expected_result
        )

    def reach_milestone(self, milestone_id: str, reach: MilestoneReach, today: date) -> None:
        """Reports a planned milestone as reached, on a day that has already come."""
        self._still_planned(milestone_id, "reached")
        reached_on = reach.reached_on
        if reached_on > today:
            raise InvalidInput(
                f"reachedOn ({reached_on}) must not be after today ({today})", field="reachedOn"
            )
        self._reach_milestone(
            milestone_id=milestone_id,
            reached_on=reached_on.isoformat(),
            actual_result=required_text("actualResult", reach.actual_result, STATEMENT_MAX),
            evidence_url=optional_http_url("evidenceUrl", reach.evidence_url),
        )

    class MilestoneReached(StampedAggregate.Event):
        milestone_id: str
        reached_on: str
        actual_result: str
        evidence_url: str | None

    @event(MilestoneReached)
    def _reach_milestone(
        self, milestone_id: str, reached_on: str, actual_result: str, evidence_url: str | None
    ) -> None:
        self.milestones[milestone_id].status = MilestoneStatus.REACHED

    def miss_milestone(self, milestone_id: str, miss: MilestoneMiss) -> None:
        """Reports a planned milestone as missed, saying why."""
        self._still_planned(milestone_id, "missed")
        self._miss_milestone(
            milestone_id=milestone_id, reason=required_text("reason", miss.reason, STATEMENT_MAX)
        )

    class MilestoneMissed(StampedAggregate.Event):
        milestone_id: str
        reason: str

    @event(MilestoneMissed)
    def _miss_milestone(self, milestone_id: str, reason: str) -> None:
        self.milestones[milestone_id].status = MilestoneStatus.MISSED

    def milestone(self, milestone_id: str) -> MilestoneRecord:
        try:
            return self.milestones[milestone_id]
        except KeyError:
            raise NotFound(f"no milestone {milestone_id} in project {self.title!r}") from None

    def _still_planned(self, milestone_id: str, outcome: str) -> None:
        # Reached and missed are final: history is corrected by a new milestone,
        # never by rewriting what was reported.
        milestone = self.milestone(milestone_id)
        if milestone.status is not MilestoneStatus.PLANNED:
            raise Conflict(
                f"milestone {milestone.title!r} was already {milestone.status.value.lower()}; "
                f"it cannot be {outcome}"
            )

    # --- results --------------------------------------------------------------

    def record_result(self, result_id: str, measurement: ResultMeasurement) -> None:
        """Records the actual value of an expected result; a new value replaces the old."""
        actual = measurement.actual
        if result_id not in self.results:
            raise NotFound(f"no expected result {result_id} in project {self.title!r}")
        if not math.isfinite(actual) or actual < 0:
            raise InvalidInput("actual must be a finite number of at least 0", field="actual")
        self._record_result(result_id=result_id, actual=float(actual))

    class ResultRecorded(StampedAggregate.Event):
        result_id: str
        actual: float

    @event(ResultRecorded)
    def _record_result(self, result_id: str, actual: float) -> None:
        self.results[result_id].actual = actual


def _checked_result(index: int, result_id: str, spec: ResultSpec) -> dict[str, object]:
    prefix = f"expectedResults[{index}]"
    target = float(spec.target)
    if not math.isfinite(target) or target <= 0:
        raise InvalidInput(f"{prefix}.target must be greater than 0", field=f"{prefix}.target")
    return {
        "id": result_id,
        "indicator": required_text(f"{prefix}.indicator", spec.indicator),
        "target": target,
        "unit": optional_text(f"{prefix}.unit", spec.unit),
    }


def optional_http_url(field: str, value: str | None) -> str | None:
    """An absolute http(s) URL with a host, or None when absent or blank."""
    url = optional_text(field, value, URL_MAX)
    if url is None:
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket
        host = None
    if host is None or parts.scheme.lower() not in {"http", "https"} or " " in url:
        raise InvalidInput(f"{field} must be an http:// or https:// URL", field=field)
    return url
