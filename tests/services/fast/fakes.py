"""In-memory fakes of the ports (services/ports/), for service tests without a database.

The event store is the eventsourcing library's own in-memory recorder, behind the
same ``ClusterApplication`` the server uses; the read model keeps plain rows in
dicts and answers each reader port as the SQL readers do (same DTOs, same order).
Everything above the ports (commands, authorization, projections, read services)
is the real code.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.persistence import Tracking
from eventsourcing.popo import POPOApplicationRecorder

from domain.assessment_round import AssessmentRound, RoundTerms
from domain.base import facts
from domain.cluster import Cluster
from domain.goal import Goal
from domain.identity_provider import IdentityProvider
from domain.norm import Norm, NormTerms
from domain.project import Project
from domain.scorecard import Scorecard
from domain.vocabulary import MilestoneStatus
from infra.readmodel.by_name import dto_fields
from services.application import ClusterApplication
from services.audit.chain_check import ChainRecord
from services.chain import canonical_bytes, event_type, genesis, link
from services.dto import (
    CallerInfo,
    CheckpointInfo,
    ClusterInfo,
    InterestInfo,
    MemberInfo,
    MembershipInfo,
    RoleChangeInfo,
    SubjectInfo,
)
from services.goal_model import GoalInfo, GoalVoteInfo
from services.mutual_control_dto import AssessmentInfo, NormInfo, RoundInfo, WeightedScore
from services.orientation import ExpectedResultInfo, MilestoneInfo, ProjectInfo
from services.ports.goals import GoalView
from services.ports.identity import IdentityProviderView, ProviderRecord
from services.ports.log import LogEntry, TrackingConflict
from services.ports.mutual_control import MutualControlView
from services.ports.projects import ProjectsView
from services.ports.registry import RegistryView
from services.ports.storage import ReadModel

D = TypeVar("D")


class FixedClock:
    """Clock: today is what the test says."""

    def __init__(self, today: date) -> None:
        self.day = today

    def today(self) -> date:
        return self.day

    def now(self) -> datetime:
        return datetime.combine(self.day, time(12), tzinfo=UTC)


class MemoryLog:
    """EventLog over the library's in-memory recorder; hashes follow services/chain.py."""

    def __init__(self, recorder: POPOApplicationRecorder, cluster_id: str) -> None:
        self.recorder = recorder
        self.cluster_id = cluster_id
        self._hashes: list[str] = []

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0

    def read(
        self,
        after: int,
        limit: int,
        *,
        upto: int | None = None,
        aggregate_id: str | None = None,
        types: Sequence[str] | None = None,
    ) -> list[LogEntry]:
        found = []
        for note in self.recorder.select_notifications(after + 1, self.head() + 1, stop=upto):
            if aggregate_id is not None and note.originator_id != UUID(aggregate_id):
                continue
            if types is not None and event_type(note.topic) not in types:
                continue
            found.append(LogEntry(note.id, self._hash(note.id), event_type(note.topic), note))
            if len(found) == limit:
                break
        return found

    def records(self) -> Iterator[ChainRecord]:
        for note in self.recorder.select_notifications(1, self.head() + 1):
            yield ChainRecord(
                note.id,
                self._hash(note.id),
                str(note.originator_id),
                note.originator_version,
                note.topic,
                note.state,
            )

    def _hash(self, position: int) -> str:
        while len(self._hashes) < position:
            previous = self._hashes[-1] if self._hashes else genesis(self.cluster_id)
            (note,) = self.recorder.select_notifications(len(self._hashes) + 1, 1)
            event = canonical_bytes(
                note.id, str(note.originator_id), note.originator_version, note.topic, note.state
            )
            self._hashes.append(link(previous, event))
        return self._hashes[position - 1]


class MemoryCheckpoints:
    """CheckpointStore in a list."""

    def __init__(self) -> None:
        self._all: dict[int, CheckpointInfo] = {}

    def add(self, checkpoint: CheckpointInfo) -> bool:
        if checkpoint.position in self._all:
            return False
        self._all[checkpoint.position] = checkpoint
        return True

    def all(self) -> list[CheckpointInfo]:
        return [self._all[p] for p in sorted(self._all)]

    def last(self) -> CheckpointInfo | None:
        found = self.all()
        return found[-1] if found else None


@dataclass
class Rows:
    """Every read-model table of one cluster, as dicts keyed like the SQL tables."""

    tracking: dict[str, int] = field(default_factory=dict)
    cluster: dict[str, Any] | None = None
    subjects: dict[str, dict[str, Any]] = field(default_factory=dict)
    interests: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    role_changes: dict[int, dict[str, Any]] = field(default_factory=dict)  # by position
    goals: dict[str, dict[str, Any]] = field(default_factory=dict)
    votes: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    eligible: dict[str, list[str]] = field(default_factory=dict)
    norms: dict[str, dict[str, Any]] = field(default_factory=dict)
    rounds: dict[str, dict[str, Any]] = field(default_factory=dict)
    assessments: dict[tuple[str, str, str, str], dict[str, Any]] = field(default_factory=dict)
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    milestones: dict[str, dict[str, Any]] = field(default_factory=dict)
    providers: dict[str, dict[str, Any]] = field(default_factory=dict)


class _Tracked:
    """A view's tracking is its read model's: moved only inside ``batch``."""

    def __init__(self, model: MemoryReadModel) -> None:
        self.model = model

    @property
    def rows(self) -> Rows:
        return self.model.batch_rows()

    def insert_tracking(self, tracking: Tracking) -> None:
        self.rows.tracking[tracking.application_name] = tracking.notification_id

    def max_tracking_id(self, application_name: str) -> int | None:
        return self.model.rows.tracking.get(application_name)


def _row(event: object, **columns: Any) -> dict[str, Any]:
    """A row as the SQL views write it (infra/readmodel/by_name.py): the event's
    facts by name, and the ``columns`` the view adds."""
    return facts(event) | columns


def _dto(dto: type[D], row: dict[str, Any], **given: Any) -> D:
    """The DTO's fields from the row by name, as the SQL readers build it; a
    field no event set reads as None."""
    return dto(**{f: row.get(f) for f in dto_fields(dto) if f not in given}, **given)


class MemoryRegistry(_Tracked, RegistryView):
    def cluster_founded(self, tracking: Tracking, founded: Cluster.ClusterFounded) -> None:
        self.rows.cluster = _row(founded, id=str(founded.originator_id))
        self.insert_tracking(tracking)

    def subject_admitted(self, tracking: Tracking, admitted: Cluster.SubjectAdmitted) -> None:
        self.rows.subjects[admitted.subject_id] = _row(
            admitted, id=admitted.subject_id, seq=tracking.notification_id, active=True
        )
        self.insert_tracking(tracking)

    def subject_withdrawn(self, tracking: Tracking, withdrawn: Cluster.SubjectWithdrawn) -> None:
        if withdrawn.subject_id in self.rows.subjects:
            self.rows.subjects[withdrawn.subject_id]["active"] = False
        self.insert_tracking(tracking)

    def interest_declared(self, tracking: Tracking, declared: Cluster.InterestDeclared) -> None:
        self.rows.interests[(declared.subject_id, declared.kind)] = _row(declared)
        self.insert_tracking(tracking)

    def member_added(self, tracking: Tracking, added: Cluster.MemberAdded) -> None:
        self.rows.members[added.member_id] = _row(
            added, id=added.member_id, seq=tracking.notification_id, roles=set(added.roles)
        )
        self.insert_tracking(tracking)

    def member_erased(self, tracking: Tracking, *, member_id: str, name: str) -> None:
        member = self.rows.members.get(member_id)
        if member is not None:
            member["name"], member["email"] = name, None
        self.insert_tracking(tracking)

    def role_granted(self, tracking: Tracking, granted: Cluster.RoleGranted) -> None:
        self._role_changed(tracking, granted, granted=True)

    def role_revoked(self, tracking: Tracking, revoked: Cluster.RoleRevoked) -> None:
        self._role_changed(tracking, revoked, granted=False)

    def _role_changed(
        self, tracking: Tracking, change: Cluster.RoleGranted | Cluster.RoleRevoked, granted: bool
    ) -> None:
        member = self.rows.members.get(change.member_id)
        if member is not None:
            roles = member["roles"]
            member["roles"] = roles | {change.role} if granted else roles - {change.role}
        self.rows.role_changes[tracking.notification_id] = _row(
            change,
            position=tracking.notification_id,
            granted=granted,
            changed_at=change.timestamp,
            changed_by=change.actor_member_id,
        )
        self.insert_tracking(tracking)


class MemoryRegistryReader:
    def __init__(self, model: MemoryReadModel) -> None:
        self.model = model

    def cluster(self) -> ClusterInfo | None:
        rows = self.model.rows
        if rows.cluster is None:
            return None
        position = min(rows.tracking.values(), default=0)
        return _dto(ClusterInfo, rows.cluster, position=position)

    def caller(self, member_id: str) -> CallerInfo:
        cluster = self.cluster()
        if cluster is None:
            return CallerInfo(None, None, False)
        member = self.member(member_id)
        subject = self.model.rows.subjects.get(member.subject_id or "") if member else None
        return CallerInfo(cluster, member, bool(subject and subject["active"]))

    def subjects(self, include_inactive: bool = False) -> list[SubjectInfo]:
        subjects = self.model.rows.subjects
        ids = sorted(subjects, key=lambda s: subjects[s]["seq"])
        return [self._subject(s) for s in ids if include_inactive or subjects[s]["active"]]

    def subject(self, subject_id: str) -> SubjectInfo | None:
        return self._subject(subject_id) if subject_id in self.model.rows.subjects else None

    def members(self, subject_id: str | None = None) -> list[MemberInfo]:
        members = self.model.rows.members
        ids = sorted(members, key=lambda m: members[m]["seq"])
        found = [self._member(m) for m in ids]
        return [m for m in found if subject_id is None or m.subject_id == subject_id]

    def member(self, member_id: str) -> MemberInfo | None:
        return self._member(member_id) if member_id in self.model.rows.members else None

    def role_changes(self, member_ids: set[str]) -> dict[str, tuple[RoleChangeInfo, ...]]:
        found: dict[str, tuple[RoleChangeInfo, ...]] = {}
        for _, row in sorted(self.model.rows.role_changes.items()):
            if row["member_id"] in member_ids:
                found[row["member_id"]] = (
                    *found.get(row["member_id"], ()),
                    _dto(RoleChangeInfo, row),
                )
        return found

    def _subject(self, subject_id: str) -> SubjectInfo:
        interests = tuple(
            _dto(InterestInfo, row)
            for (owner, _), row in sorted(self.model.rows.interests.items())
            if owner == subject_id
        )
        return _dto(SubjectInfo, self.model.rows.subjects[subject_id], interests=interests)

    def _member(self, member_id: str) -> MemberInfo:
        row = self.model.rows.members[member_id]
        return _dto(MemberInfo, row, roles=tuple(sorted(row["roles"])))


class MemoryGoals(_Tracked, GoalView):
    def goal_proposed(self, tracking: Tracking, proposed: Goal.GoalProposed) -> None:
        goal_id = str(proposed.originator_id)
        closes_on = proposed.closes_on
        self.rows.goals[goal_id] = _row(
            proposed,
            id=goal_id,
            seq=tracking.notification_id,
            closes_on=date.fromisoformat(closes_on) if closes_on else None,
            proposed_at=proposed.timestamp,
            status="OPEN",
        )
        self.insert_tracking(tracking)

    def goal_vote_cast(self, tracking: Tracking, cast: Goal.GoalVoteCast) -> None:
        goal_id = str(cast.originator_id)
        self.rows.votes[(goal_id, cast.subject_id)] = _row(
            cast,
            goal_id=goal_id,
            seq=tracking.notification_id,
            cast_by=cast.actor_member_id or "",
            cast_at=cast.timestamp,
        )
        self.insert_tracking(tracking)

    def goal_closed(self, tracking: Tracking, closed: Goal.GoalClosed) -> None:
        goal_id = str(closed.originator_id)
        row = self.rows.goals.get(goal_id)
        if row is not None:
            row.update(_row(closed, closed_at=closed.timestamp))
        self.rows.eligible[goal_id] = list(closed.eligible)
        self.insert_tracking(tracking)


class MemoryGoalReader:
    def __init__(self, model: MemoryReadModel) -> None:
        self.model = model

    def goals(self) -> list[GoalInfo]:
        goals = self.model.rows.goals
        return [self._goal(g) for g in sorted(goals, key=lambda g: goals[g]["seq"])]

    def goal(self, goal_id: str) -> GoalInfo | None:
        return self._goal(goal_id) if goal_id in self.model.rows.goals else None

    def votes(self, goal_ids: Sequence[str]) -> list[GoalVoteInfo]:
        votes = self.model.rows.votes
        keys = sorted((k for k in votes if k[0] in goal_ids), key=lambda k: votes[k]["seq"])
        return [_dto(GoalVoteInfo, votes[k]) for k in keys]

    def _goal(self, goal_id: str) -> GoalInfo:
        row = self.model.rows.goals[goal_id]
        eligible = tuple(sorted(self.model.rows.eligible.get(goal_id, ())))
        return _dto(GoalInfo, row, recorded_status=row["status"], decided_eligible=eligible)


class MemoryMutualControlView(_Tracked, MutualControlView):
    def norm_adopted(self, tracking: Tracking, adopted: Norm.NormAdopted) -> None:
        norm_id = str(adopted.originator_id)
        self.rows.norms[norm_id] = _row(adopted, id=norm_id, seq=tracking.notification_id)
        self.insert_tracking(tracking)

    def round_opened(
        self, tracking: Tracking, opened: AssessmentRound.AssessmentRoundOpened
    ) -> None:
        round_id = str(opened.originator_id)
        self.rows.rounds[round_id] = _row(
            opened,
            id=round_id,
            seq=tracking.notification_id,
            open=True,
            terms=[NormTerms(**t) for t in opened.norms],
        )
        self.insert_tracking(tracking)

    def round_closed(
        self, tracking: Tracking, closed: AssessmentRound.AssessmentRoundClosed
    ) -> None:
        round_ = self.rows.rounds.get(str(closed.originator_id))
        if round_ is not None:
            round_.update(_row(closed, open=False))
        self.insert_tracking(tracking)

    def round_terms(self, round_id: str) -> RoundTerms | None:
        round_ = self.rows.rounds.get(round_id)
        if round_ is None:
            return None
        return RoundTerms(round_["open"], {t.norm_id: t for t in round_["terms"]})

    def assessment_recorded(
        self,
        tracking: Tracking,
        recorded: Scorecard.AssessmentRecorded,
        *,
        weighted: float,
        weight: float,
    ) -> None:
        key = (recorded.round_id, recorded.assessor_id, recorded.assessee_id, recorded.norm_id)
        self.rows.assessments[key] = _row(
            recorded,
            seq=tracking.notification_id,
            weighted=weighted,
            weight=weight,
            recorded_by=recorded.actor_member_id,
            recorded_at=recorded.timestamp,
        )
        self.insert_tracking(tracking)


class MemoryMutualControlReader:
    def __init__(self, model: MemoryReadModel) -> None:
        self.model = model

    def norms(self) -> list[NormInfo]:
        norms = self.model.rows.norms
        return [_dto(NormInfo, norms[n]) for n in sorted(norms, key=lambda n: norms[n]["seq"])]

    def norm(self, norm_id: str) -> NormInfo | None:
        found = self.model.rows.norms.get(norm_id)
        return _dto(NormInfo, found) if found else None

    def rounds(self) -> list[RoundInfo]:
        rounds = self.model.rows.rounds
        return [self._round(r) for r in sorted(rounds, key=lambda r: rounds[r]["seq"])]

    def round(self, round_id: str) -> RoundInfo | None:
        return self._round(round_id) if round_id in self.model.rows.rounds else None

    def assessments(
        self, round_id: str, assessor_id: str | None = None, assessee_id: str | None = None
    ) -> list[AssessmentInfo]:
        rows = sorted(self._latest(round_id), key=lambda row: row["seq"])
        return [
            _dto(AssessmentInfo, row)
            for row in rows
            if assessor_id in (None, row["assessor_id"])
            and assessee_id in (None, row["assessee_id"])
        ]

    def weighted_totals(self, round_id: str) -> Sequence[WeightedScore]:
        sums: dict[tuple[str, str], list[float]] = {}
        for row in self._latest(round_id):
            pair = sums.setdefault((row["assessor_id"], row["assessee_id"]), [0.0, 0.0])
            pair[0] += row["weighted"]
            pair[1] += row["weight"]
        return [(a, b, weighted, weight) for (a, b), (weighted, weight) in sums.items()]

    def _latest(self, round_id: str) -> list[dict[str, Any]]:
        return [row for key, row in self.model.rows.assessments.items() if key[0] == round_id]

    def _round(self, round_id: str) -> RoundInfo:
        row = self.model.rows.rounds[round_id]
        norms = self.model.rows.norms
        # The norm as the round uses it: the terms the round copied at opening.
        terms = tuple(
            _dto(
                NormInfo,
                norms[t.norm_id],
                scale_min=t.scale_min,
                scale_max=t.scale_max,
                weight=t.weight,
            )
            for t in row["terms"]
            if t.norm_id in norms
        )
        return _dto(RoundInfo, row, norms=terms)


class MemoryProjects(_Tracked, ProjectsView):
    def project_launched(self, tracking: Tracking, launched: Project.ProjectLaunched) -> None:
        project_id = str(launched.originator_id)
        self.rows.projects[project_id] = _row(
            launched,
            id=project_id,
            seq=tracking.notification_id,
            partner_ids=tuple(launched.partner_ids),
            result_ids=[r["id"] for r in launched.expected_results],
        )
        for result in launched.expected_results:  # id, indicator, target, unit: as stored
            self.rows.results[result["id"]] = {**result, "actual": None}
        self.insert_tracking(tracking)

    def milestone_planned(self, tracking: Tracking, planned: Project.MilestonePlanned) -> None:
        self.rows.milestones[planned.milestone_id] = _row(
            planned,
            id=planned.milestone_id,
            project_id=str(planned.originator_id),
            seq=tracking.notification_id,
            due=date.fromisoformat(planned.due),
            status=MilestoneStatus.PLANNED.value,
        )
        self.insert_tracking(tracking)

    def milestone_reached(self, tracking: Tracking, reached: Project.MilestoneReached) -> None:
        self._update(
            self.rows.milestones,
            reached.milestone_id,
            _row(
                reached,
                status=MilestoneStatus.REACHED.value,
                reached_on=date.fromisoformat(reached.reached_on),
            ),
        )
        self.insert_tracking(tracking)

    def milestone_missed(self, tracking: Tracking, missed: Project.MilestoneMissed) -> None:
        self._update(
            self.rows.milestones,
            missed.milestone_id,
            _row(missed, status=MilestoneStatus.MISSED.value, missed_reason=missed.reason),
        )
        self.insert_tracking(tracking)

    def result_recorded(self, tracking: Tracking, recorded: Project.ResultRecorded) -> None:
        self._update(self.rows.results, recorded.result_id, _row(recorded))
        self.insert_tracking(tracking)

    @staticmethod
    def _update(table: dict[str, dict[str, Any]], key: str, values: dict[str, Any]) -> None:
        if key in table:
            table[key].update(values)


class MemoryProjectReader:
    def __init__(self, model: MemoryReadModel) -> None:
        self.model = model

    def projects(self, direction: str | None = None) -> list[ProjectInfo]:
        projects = self.model.rows.projects
        ids = sorted(projects, key=lambda p: projects[p]["seq"])
        return [self._project(p) for p in ids if direction in (None, projects[p]["direction"])]

    def project(self, project_id: str) -> ProjectInfo | None:
        return self._project(project_id) if project_id in self.model.rows.projects else None

    def milestone(self, milestone_id: str) -> MilestoneInfo | None:
        row = self.model.rows.milestones.get(milestone_id)
        return _milestone(row) if row else None

    def result(self, result_id: str) -> ExpectedResultInfo | None:
        row = self.model.rows.results.get(result_id)
        return _result(row) if row else None

    def _project(self, project_id: str) -> ProjectInfo:
        rows = self.model.rows
        row = rows.projects[project_id]
        milestones = sorted(
            (m for m in rows.milestones.values() if m["project_id"] == project_id),
            key=lambda m: m["seq"],
        )
        return _dto(
            ProjectInfo,
            row,
            expected_results=tuple(_result(rows.results[r]) for r in row["result_ids"]),
            milestones=tuple(_milestone(m) for m in milestones),
        )


def _result(row: dict[str, Any]) -> ExpectedResultInfo:
    return _dto(ExpectedResultInfo, row)


def _milestone(row: dict[str, Any]) -> MilestoneInfo:
    return _dto(MilestoneInfo, row)


class MemoryIdentityProviders(_Tracked, IdentityProviderView):
    def provider_registered(
        self, tracking: Tracking, registered: IdentityProvider.IdentityProviderRegistered
    ) -> None:
        provider_id = str(registered.originator_id)
        self.rows.providers[provider_id] = _row(
            registered, id=provider_id, seq=tracking.notification_id
        )
        self.insert_tracking(tracking)


class MemoryIdentityProviderReader:
    def __init__(self, model: MemoryReadModel) -> None:
        self.model = model

    def providers(self) -> list[ProviderRecord]:
        found = self.model.rows.providers
        return [
            _dto(ProviderRecord, found[p]) for p in sorted(found, key=lambda p: found[p]["seq"])
        ]

    def provider(self, provider_id: str) -> ProviderRecord | None:
        found = self.model.rows.providers.get(provider_id)
        return _dto(ProviderRecord, found) if found else None


class MemoryReadModel(ReadModel):
    """ReadModel in dicts. A batch works on a copy of the rows and swaps it in
    only if the trackings still are what the projector read (TrackingConflict
    otherwise), as the SQL read model's transaction does."""

    def __init__(self) -> None:
        self.rows = Rows()
        self._batch: Rows | None = None
        self._lock = threading.Lock()
        self.registry = MemoryRegistry(self)
        self.registry_reader = MemoryRegistryReader(self)
        self.goals = MemoryGoals(self)
        self.goal_reader = MemoryGoalReader(self)
        self.mutual_control = MemoryMutualControlView(self)
        self.mutual_control_reader = MemoryMutualControlReader(self)
        self.projects = MemoryProjects(self)
        self.projects_reader = MemoryProjectReader(self)
        self.identity_providers = MemoryIdentityProviders(self)
        self.identity_provider_reader = MemoryIdentityProviderReader(self)

    def reset(self) -> None:
        self.rows = Rows()

    def positions(self) -> dict[str, int]:
        return dict(self.rows.tracking)

    def batch_rows(self) -> Rows:
        if self._batch is None:
            raise RuntimeError("read-model writes happen only inside ReadModel.batch()")
        return self._batch

    @contextmanager
    def batch(self, expected: dict[str, int]) -> Iterator[None]:
        with self._lock:
            self._batch = copy.deepcopy(self.rows)
            try:
                yield
                if any(self.rows.tracking.get(n, 0) != p for n, p in expected.items()):
                    raise TrackingConflict(", ".join(sorted(expected)))
                self.rows = self._batch
            finally:
                self._batch = None


@dataclass
class MemoryPartition:
    cluster_id: str
    recorder: POPOApplicationRecorder
    app: ClusterApplication
    log: MemoryLog
    read_model: MemoryReadModel
    checkpoints: MemoryCheckpoints


class MemoryPartitions:
    def __init__(self) -> None:
        self._partitions: dict[str, MemoryPartition] = {}

    def provision(self, cluster_id: str) -> MemoryPartition:
        recorder = POPOApplicationRecorder()
        self._partitions[cluster_id] = MemoryPartition(
            cluster_id,
            recorder,
            ClusterApplication(recorder),
            MemoryLog(recorder, cluster_id),
            MemoryReadModel(),
            MemoryCheckpoints(),
        )
        return self._partitions[cluster_id]

    def open(self, cluster_id: str) -> MemoryPartition:
        return self._partitions[cluster_id]

    def scratch(self, cluster_id: str) -> MemoryReadModel:
        return MemoryReadModel()


class MemoryDirectory:
    def __init__(self) -> None:
        self.clusters: dict[str, str] = {}
        self.persons: dict[str, tuple[str | None, str | None]] = {}
        self.links: dict[tuple[str, str], str] = {}

    def register_cluster(self, cluster_id: str, name: str) -> None:
        self.clusters[cluster_id] = name

    def cluster_ids(self) -> list[str]:
        return list(self.clusters)

    def has_cluster(self, cluster_id: str) -> bool:
        return cluster_id in self.clusters

    def ensure_person(self, person_id: str, name: str | None, email: str | None) -> None:
        self.persons.setdefault(person_id, (name, email))

    def person(self, person_id: str) -> tuple[str | None, str | None] | None:
        return self.persons.get(person_id)

    def link(self, person_id: str, cluster_id: str, member_id: str) -> None:
        if (person_id, cluster_id) in self.links:
            raise ValueError("already linked")  # the SQL directory's primary key refuses it
        self.links[(person_id, cluster_id)] = member_id

    def member_of(self, person_id: str, cluster_id: str) -> str | None:
        return self.links.get((person_id, cluster_id))

    def person_of(self, cluster_id: str, member_id: str) -> str | None:
        return next(
            (p for (p, c), m in self.links.items() if (c, m) == (cluster_id, member_id)), None
        )

    def memberships(self, person_id: str) -> list[MembershipInfo]:
        order = list(self.clusters)
        return [
            MembershipInfo(c, m)
            for (p, c), m in sorted(self.links.items(), key=lambda i: order.index(i[0][1]))
            if p == person_id
        ]


class AlwaysHeld:
    """ProjectionLease of a single process: the lease is always free."""

    @contextmanager
    def hold(self, cluster_id: str) -> Iterator[bool]:
        yield True
