"""Every event a read model stores travels to its DTO by field name
(infra/readmodel/by_name.py): the view writes each fact of the event into the
column of that name and the reader fills each DTO field from the column of
that name. A fact or a DTO field without its column would be dropped or fail
the read; this is where it fails first, naming the event or DTO and the field.

Each case names what does not travel by name, and why; nothing else may."""

from __future__ import annotations

from dataclasses import dataclass, fields

import pytest
from sqlmodel import SQLModel

from domain.assessment_round import AssessmentRound
from domain.base import fact_names
from domain.cluster import Cluster
from domain.goal import Goal
from domain.identity_provider import IdentityProvider
from domain.norm import Norm
from domain.project import Project
from domain.scorecard import Scorecard
from infra.readmodel.goal_tables import GoalRow, GoalVoteRow
from infra.readmodel.goals import GOAL_CLOSED_UNSTORED
from infra.readmodel.identity import IdentityProviderRow
from infra.readmodel.mutual_control_tables import AssessmentRow, NormRow, RoundRow
from infra.readmodel.project_tables import ExpectedResultRow, MilestoneRow, ProjectRow
from infra.readmodel.projects import MISSED_RENAMED
from infra.readmodel.tables import ClusterRow, InterestRow, MemberRow, RoleChangeRow, SubjectRow
from services.dto import ClusterInfo, InterestInfo, MemberInfo, RoleChangeInfo, SubjectInfo
from services.goal_model import GoalInfo, GoalVoteInfo
from services.mutual_control_dto import AssessmentInfo, NormInfo, RoundInfo
from services.orientation import ExpectedResultInfo, MilestoneInfo, ProjectInfo
from services.ports.identity import ProviderRecord
from services.projections.goals import GoalProjection
from services.projections.identity import IdentityProviderProjection
from services.projections.mutual_control import MutualControlProjection
from services.projections.projects import ProjectsProjection
from services.projections.registry import RegistryProjection


@dataclass(frozen=True)
class Case:
    event: type
    row: type[SQLModel]
    dto: type | None
    key: str | None = None  # the fact that is the row's ``id``
    elsewhere: tuple[str, ...] = ()  # facts the view keeps in other rows or columns
    given: tuple[str, ...] = ()  # DTO fields the reader computes, not a column's value


CASES = [
    Case(Cluster.ClusterFounded, ClusterRow, ClusterInfo, given=("position",)),
    Case(Cluster.SubjectAdmitted, SubjectRow, SubjectInfo, key="subject_id", given=("interests",)),
    Case(Cluster.SubjectWithdrawn, SubjectRow, None, key="subject_id"),
    Case(Cluster.InterestDeclared, InterestRow, InterestInfo),
    # The roles are one column of names, which the reader splits.
    Case(Cluster.MemberAdded, MemberRow, MemberInfo, key="member_id", given=("roles",)),
    # A role change is a row of its own; the member's roles column follows it.
    Case(Cluster.RoleGranted, RoleChangeRow, RoleChangeInfo),
    Case(Cluster.RoleRevoked, RoleChangeRow, RoleChangeInfo),
    # The erasure replaces the member's name with its placeholder; the erasure id names
    # the directory's record of who erased and why, which the read model does not copy.
    Case(Cluster.PersonErased, MemberRow, None, key="member_id", elsewhere=("erasure_id",)),  # type: ignore[attr-defined]
    # The status column is the DTO's recorded_status: the read decides the status.
    Case(Goal.GoalProposed, GoalRow, GoalInfo, given=("recorded_status", "decided_eligible")),
    Case(Goal.GoalVoteCast, GoalVoteRow, GoalVoteInfo),
    Case(Goal.GoalClosed, GoalRow, None, elsewhere=GOAL_CLOSED_UNSTORED),
    Case(Norm.NormAdopted, NormRow, NormInfo),
    # A round's norms are rows of their own (rm_round_norm), joined to the norms.
    Case(
        AssessmentRound.AssessmentRoundOpened,
        RoundRow,
        RoundInfo,
        elsewhere=("norms",),
        given=("open", "norms"),
    ),
    Case(AssessmentRound.AssessmentRoundClosed, RoundRow, None),
    Case(Scorecard.AssessmentRecorded, AssessmentRow, AssessmentInfo),
    # Partners and expected results are rows of their own.
    Case(
        Project.ProjectLaunched,
        ProjectRow,
        ProjectInfo,
        elsewhere=("partner_ids", "expected_results"),
        given=("partner_ids", "expected_results", "milestones"),
    ),
    Case(Project.MilestonePlanned, MilestoneRow, MilestoneInfo, key="milestone_id"),
    Case(Project.MilestoneReached, MilestoneRow, MilestoneInfo, key="milestone_id"),
    Case(Project.MilestoneMissed, MilestoneRow, None, key="milestone_id", elsewhere=MISSED_RENAMED),
    Case(Project.ResultRecorded, ExpectedResultRow, ExpectedResultInfo, key="result_id"),
    Case(IdentityProvider.IdentityProviderRegistered, IdentityProviderRow, ProviderRecord),
]
PROJECTIONS = [
    RegistryProjection,
    GoalProjection,
    MutualControlProjection,
    ProjectsProjection,
    IdentityProviderProjection,
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.event.__qualname__)
def test_every_fact_and_dto_field_has_its_column(case: Case) -> None:
    columns = set(case.row.model_fields)
    facts = set(fact_names(case.event))
    assert set(case.elsewhere) <= facts and (case.key is None or case.key in facts)
    missing = facts - set(case.elsewhere) - {case.key} - columns
    assert not missing, f"{case.event.__qualname__}: no {case.row.__name__} column for {missing}"
    if case.dto is not None:
        missing = {f.name for f in fields(case.dto)} - set(case.given) - columns
        assert not missing, f"{case.dto.__name__}: no {case.row.__name__} column for {missing}"


def test_every_projected_event_has_its_case() -> None:
    projected = {
        event
        for projection in PROJECTIONS
        for event in projection.__dict__["process_event"].dispatcher.registry
        if event is not object
    }
    assert projected - {c.event for c in CASES} == set()
