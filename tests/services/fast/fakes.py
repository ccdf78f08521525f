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
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking
from eventsourcing.popo import POPOApplicationRecorder

from domain.assessment_round import RoundTerms
from domain.norm import NormTerms
from domain.project import Project
from domain.vocabulary import MilestoneStatus
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
    cluster: ClusterInfo | None = None
    subjects: dict[str, dict[str, Any]] = field(default_factory=dict)
    interests: dict[tuple[str, str], str] = field(default_factory=dict)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    goals: dict[str, dict[str, Any]] = field(default_factory=dict)
    votes: dict[tuple[str, str], GoalVoteInfo] = field(default_factory=dict)
    vote_seq: dict[tuple[str, str], int] = field(default_factory=dict)
    eligible: dict[str, list[str]] = field(default_factory=dict)
    norms: dict[str, tuple[int, NormInfo]] = field(default_factory=dict)
    rounds: dict[str, dict[str, Any]] = field(default_factory=dict)
    assessments: dict[tuple[str, str, str, str], dict[str, Any]] = field(default_factory=dict)
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    milestones: dict[str, dict[str, Any]] = field(default_factory=dict)
    providers: dict[str, tuple[int, ProviderRecord]] = field(default_factory=dict)


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


class MemoryRegistry(_Tracked, RegistryView):
    def cluster_founded(
        self, tracking: Tracking, *, cluster_id: str, name: str, region: str, form: str
    ) -> None:
        self.rows.cluster = ClusterInfo(cluster_id, name, region, form, 0)
        self.insert_tracking(tracking)

    def subject_admitted(
        self,
        tracking: Tracking,
        *,
        subject_id: str,
        name: str,
        kind: str,
        region: str | None,
        at: datetime,
    ) -> None:
        self.rows.subjects[subject_id] = {
            "seq": tracking.notification_id,
            "name": name,
            "kind": kind,
            "region": region,
            "active": True,
        }
        self.insert_tracking(tracking)

    def subject_withdrawn(self, tracking: Tracking, *, subject_id: str) -> None:
        if subject_id in self.rows.subjects:
            self.rows.subjects[subject_id]["active"] = False
        self.insert_tracking(tracking)

    def interest_declared(
        self, tracking: Tracking, *, subject_id: str, kind: str, statement: str
    ) -> None:
        self.rows.interests[(subject_id, kind)] = statement
        self.insert_tracking(tracking)

    def member_added(
        self,
        tracking: Tracking,
        *,
        member_id: str,
        name: str,
        email: str | None,
        subject_id: str | None,
        roles: list[str],
        at: datetime,
    ) -> None:
        self.rows.members[member_id] = {
            "seq": tracking.notification_id,
            "name": name,
            "email": email,
            "subject_id": subject_id,
            "roles": set(roles),
        }
        self.insert_tracking(tracking)

    def member_erased(self, tracking: Tracking, *, member_id: str, name: str) -> None:
        member = self.rows.members.get(member_id)
        if member is not None:
            member["name"], member["email"] = name, None
        self.insert_tracking(tracking)

    def roles_changed(
        self, tracking: Tracking, *, member_id: str, add: str | None, remove: str | None
    ) -> None:
        member = self.rows.members.get(member_id)
        if member is not None:
            member["roles"] = (member["roles"] | ({add} if add else set())) - {remove}
        self.insert_tracking(tracking)


class MemoryRegistryReader:
    def __init__(self, model: MemoryReadModel) -> None:
        self.model = model

    def cluster(self) -> ClusterInfo | None:
        rows = self.model.rows
        if rows.cluster is None:
            return None
        position = min(rows.tracking.values(), default=0)
        c = rows.cluster
        return ClusterInfo(c.id, c.name, c.region, c.form, position)

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

    def _subject(self, subject_id: str) -> SubjectInfo:
        row = self.model.rows.subjects[subject_id]
        interests = tuple(
            InterestInfo(kind, statement)
            for (owner, kind), statement in sorted(self.model.rows.interests.items())
            if owner == subject_id
        )
        return SubjectInfo(
            subject_id, row["name"], row["kind"], row["region"], row["active"], interests
        )

    def _member(self, member_id: str) -> MemberInfo:
        row = self.model.rows.members[member_id]
        return MemberInfo(
            member_id, row["name"], row["email"], row["subject_id"], tuple(sorted(row["roles"]))
        )


class MemoryGoals(_Tracked, GoalView):
    def goal_proposed(
        self,
        tracking: Tracking,
        *,
        goal_id: str,
        title: str,
        statement: str,
        horizon_years: int | None,
        rule: str,
        threshold: float | None,
        closes_on: str | None,
        proposed_by: str,
        at: datetime,
    ) -> None:
        self.rows.goals[goal_id] = {
            "seq": tracking.notification_id,
            "info": GoalInfo(
                goal_id,
                title,
                statement,
                horizon_years,
                rule,
                threshold,
                date.fromisoformat(closes_on) if closes_on else None,
                proposed_by,
                at,
                "OPEN",
                None,
            ),
        }
        self.insert_tracking(tracking)

    def goal_vote_cast(
        self,
        tracking: Tracking,
        *,
        goal_id: str,
        subject_id: str,
        choice: str,
        interest_link: str | None,
        revision: int,
        cast_by: str,
        at: datetime,
    ) -> None:
        key = (goal_id, subject_id)
        self.rows.votes[key] = GoalVoteInfo(
            goal_id, subject_id, choice, interest_link, cast_by, at, revision
        )
        self.rows.vote_seq[key] = tracking.notification_id
        self.insert_tracking(tracking)

    def goal_closed(
        self, tracking: Tracking, *, goal_id: str, status: str, eligible: list[str], at: datetime
    ) -> None:
        row = self.rows.goals.get(goal_id)
        if row is not None:
            row["status"], row["closed_at"] = status, at
        self.rows.eligible[goal_id] = list(eligible)
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
        rows = self.model.rows
        keys = sorted((k for k in rows.votes if k[0] in goal_ids), key=rows.vote_seq.__getitem__)
        return [rows.votes[k] for k in keys]

    def _goal(self, goal_id: str) -> GoalInfo:
        row = self.model.rows.goals[goal_id]
        info: GoalInfo = row["info"]
        status = row.get("status", "OPEN")
        if status == "OPEN":
            return info
        eligible = tuple(sorted(self.model.rows.eligible.get(goal_id, ())))
        return replace(
            info, recorded_status=status, closed_at=row["closed_at"], decided_eligible=eligible
        )


class MemoryMutualControlView(_Tracked, MutualControlView):
    def norm_adopted(
        self,
        tracking: Tracking,
        *,
        norm_id: str,
        name: str,
        description: str | None,
        scale_min: int,
        scale_max: int,
        weight: float,
    ) -> None:
        info = NormInfo(norm_id, name, description, scale_min, scale_max, weight)
        self.rows.norms[norm_id] = (tracking.notification_id, info)
        self.insert_tracking(tracking)

    def round_opened(
        self, tracking: Tracking, *, round_id: str, title: str, norms: list[dict[str, Any]]
    ) -> None:
        terms = [NormTerms(**t) for t in norms]
        self.rows.rounds[round_id] = {
            "seq": tracking.notification_id,
            "title": title,
            "open": True,
            "terms": terms,
        }
        self.insert_tracking(tracking)

    def round_closed(self, tracking: Tracking, *, round_id: str) -> None:
        if round_id in self.rows.rounds:
            self.rows.rounds[round_id]["open"] = False
        self.insert_tracking(tracking)

    def round_terms(self, round_id: str) -> RoundTerms | None:
        round_ = self.rows.rounds.get(round_id)
        if round_ is None:
            return None
        return RoundTerms(round_["open"], {t.norm_id: t for t in round_["terms"]})

    def assessment_recorded(
        self,
        tracking: Tracking,
        *,
        round_id: str,
        assessor_id: str,
        assessee_id: str,
        norm_id: str,
        score: float,
        weighted: float,
        weight: float,
        rationale: str | None,
        revision: int,
        member_id: str | None,
        at: datetime,
    ) -> None:
        self.rows.assessments[(round_id, assessor_id, assessee_id, norm_id)] = {
            "seq": tracking.notification_id,
            "weighted": weighted,
            "weight": weight,
            "info": AssessmentInfo(
                round_id,
                assessor_id,
                assessee_id,
                norm_id,
                score,
                rationale,
                member_id,
                at,
                revision,
            ),
        }
        self.insert_tracking(tracking)


class MemoryMutualControlReader:
    def __init__(self, model: MemoryReadModel) -> None:
        self.model = model

    def norms(self) -> list[NormInfo]:
        return [info for _, info in sorted(self.model.rows.norms.values(), key=lambda n: n[0])]

    def norm(self, norm_id: str) -> NormInfo | None:
        found = self.model.rows.norms.get(norm_id)
        return found[1] if found else None

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
            row["info"]
            for row in rows
            if assessor_id in (None, row["info"].assessor_id)
            and assessee_id in (None, row["info"].assessee_id)
        ]

    def weighted_totals(self, round_id: str) -> Sequence[WeightedScore]:
        sums: dict[tuple[str, str], list[float]] = {}
        for row in self._latest(round_id):
            pair = sums.setdefault((row["info"].assessor_id, row["info"].assessee_id), [0.0, 0.0])
            pair[0] += row["weighted"]
            pair[1] += row["weight"]
        return [(a, b, weighted, weight) for (a, b), (weighted, weight) in sums.items()]

    def _latest(self, round_id: str) -> list[dict[str, Any]]:
        return [row for key, row in self.model.rows.assessments.items() if key[0] == round_id]

    def _round(self, round_id: str) -> RoundInfo:
        row = self.model.rows.rounds[round_id]
        norms = self.model.rows.norms
        terms = tuple(
            NormInfo(
                t.norm_id,
                norms[t.norm_id][1].name,
                norms[t.norm_id][1].description,
                t.scale_min,
                t.scale_max,
                t.weight,
            )
            for t in row["terms"]
            if t.norm_id in norms
        )
        return RoundInfo(round_id, row["title"], row["open"], terms)


class MemoryProjects(_Tracked, ProjectsView):
    def project_launched(
        self,
        tracking: Tracking,
        *,
        project_id: str,
        title: str,
        direction: str,
        kind: str,
        goal_id: str | None,
        lead_id: str,
        partner_ids: list[str],
        expected_results: list[dict[str, Any]],
        at: datetime,
    ) -> None:
        self.rows.projects[project_id] = {
            "seq": tracking.notification_id,
            "title": title,
            "direction": direction,
            "kind": kind,
            "goal_id": goal_id,
            "lead_id": lead_id,
            "partner_ids": tuple(partner_ids),
            "result_ids": [r["id"] for r in expected_results],
        }
        for result in expected_results:  # id, indicator, target, unit: as the event stores it
            self.rows.results[result["id"]] = {**result, "actual": None}
        self.insert_tracking(tracking)

    def milestone_planned(self, tracking: Tracking, planned: Project.MilestonePlanned) -> None:
        # The event's fields by name, as the SQL view writes them: a field added to
        # the event and the DTO reaches the reader without an edit here.
        self.rows.milestones[planned.milestone_id] = {
            **{f.name: getattr(planned, f.name) for f in fields(planned)},
            "id": planned.milestone_id,
            "project_id": str(planned.originator_id),
            "seq": tracking.notification_id,
            "due": date.fromisoformat(planned.due),
            "status": MilestoneStatus.PLANNED.value,
        }
        self.insert_tracking(tracking)

    def milestone_reached(
        self,
        tracking: Tracking,
        *,
        milestone_id: str,
        reached_on: str,
        actual_result: str,
        evidence_url: str | None,
    ) -> None:
        self._update(
            self.rows.milestones,
            milestone_id,
            status=MilestoneStatus.REACHED.value,
            reached_on=date.fromisoformat(reached_on),
            actual_result=actual_result,
            evidence_url=evidence_url,
        )
        self.insert_tracking(tracking)

    def milestone_missed(self, tracking: Tracking, *, milestone_id: str, reason: str) -> None:
        self._update(
            self.rows.milestones,
            milestone_id,
            status=MilestoneStatus.MISSED.value,
            missed_reason=reason,
        )
        self.insert_tracking(tracking)

    def result_recorded(self, tracking: Tracking, *, result_id: str, actual: float) -> None:
        self._update(self.rows.results, result_id, actual=actual)
        self.insert_tracking(tracking)

    @staticmethod
    def _update(table: dict[str, dict[str, Any]], key: str, **values: Any) -> None:
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
        return ProjectInfo(
            id=project_id,
            title=row["title"],
            direction=row["direction"],
            kind=row["kind"],
            goal_id=row["goal_id"],
            lead_id=row["lead_id"],
            partner_ids=row["partner_ids"],
            expected_results=tuple(_result(rows.results[r]) for r in row["result_ids"]),
            milestones=tuple(_milestone(m) for m in milestones),
        )


def _result(row: dict[str, Any]) -> ExpectedResultInfo:
    return ExpectedResultInfo(
        row["id"], row["indicator"], row["target"], row["unit"], row["actual"]
    )


def _milestone(row: dict[str, Any]) -> MilestoneInfo:
    """The DTO's fields from the row, by name; a field never set reads as None."""
    return MilestoneInfo(**{f.name: row.get(f.name) for f in fields(MilestoneInfo)})


class MemoryIdentityProviders(_Tracked, IdentityProviderView):
    def provider_registered(
        self,
        tracking: Tracking,
        *,
        provider_id: str,
        name: str,
        subject_id: str,
        issuer: str,
        client_id: str,
        secret_ref: str,
        enrol_new_members: bool,
    ) -> None:
        record = ProviderRecord(
            provider_id, name, subject_id, issuer, client_id, secret_ref, enrol_new_members
        )
        self.rows.providers[provider_id] = (tracking.notification_id, record)
        self.insert_tracking(tracking)


class MemoryIdentityProviderReader:
    def __init__(self, model: MemoryReadModel) -> None:
        self.model = model

    def providers(self) -> list[ProviderRecord]:
        found = sorted(self.model.rows.providers.values(), key=lambda p: p[0])
        return [record for _, record in found]

    def provider(self, provider_id: str) -> ProviderRecord | None:
        found = self.model.rows.providers.get(provider_id)
        return found[1] if found else None


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
