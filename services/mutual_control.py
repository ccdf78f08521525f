"""Mutual-control commands: adopt norms, open and close assessment rounds,
record assessments (subjects assessing each other)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields, replace
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from domain.assessment_round import AssessmentRound, RoundOpening
from domain.base import facts
from domain.cluster import Cluster
from domain.errors import Forbidden, InvalidInput, NotFound
from domain.norm import Norm, NormAdoption
from domain.scorecard import Assessment, Scorecard, scorecard_id
from services.access import member_info, subject_info
from services.commands import Body, CommandRunner
from services.dto import MemberInfo, SubjectInfo
from services.ids import normalise_id, target_id
from services.mutual_control_dto import AssessmentInfo, NormInfo, RoundInfo
from services.permissions import Permission
from services.ports.storage import Partition
from services.principal import Actor, Principal
from services.queries import ClusterScope

T = TypeVar("T")

NORM_IDS_MAX = 50  # a round's norms; more than this is not a list anyone agrees on


@dataclass(frozen=True)
class RecordedAssessment:
    """A recordAssessment's answer, from the command itself: the revision it
    recorded, and whom and what it names as the registry and the round stood when
    it ran; ``scope`` is the caller's view right after it, for anything further."""

    assessment: AssessmentInfo
    assessor: SubjectInfo
    assessee: SubjectInfo
    recorded_by: MemberInfo
    norm: NormInfo
    scope: ClusterScope


class MutualControlService:
    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner

    def adopt_norm(
        self, principal: Principal | None, cluster_id: str, adoption: NormAdoption
    ) -> NormInfo:
        """Adopts a norm the subjects will be assessed against."""
        norm_id = uuid.uuid4()

        def body(_: Partition, __: Cluster, ___: Actor) -> tuple[list[Aggregate], str]:
            norm = Norm.adopt(norm_id, adoption)
            return [norm], str(norm_id)

        partition, key = self.runner.run(principal, cluster_id, Permission.ADMINISTER, body)
        return _found(partition.read_model.mutual_control_reader.norm(key), "norm", key)

    def open_assessment_round(
        self, principal: Principal | None, cluster_id: str, opening: RoundOpening
    ) -> RoundInfo:
        """Opens a round in which subjects assess each other against its norms."""
        norm_ids = opening.norm_ids
        if len(norm_ids) > NORM_IDS_MAX:
            raise InvalidInput(f"normIds may name at most {NORM_IDS_MAX} norms", field="normIds")
        keys = [normalise_id(i, "normIds") or "" for i in norm_ids]
        round_id = uuid.uuid4()

        def body(partition: Partition, _: Cluster, __: Actor) -> tuple[list[Aggregate], str]:
            terms = [_norm(partition, key).terms for key in keys]
            return [AssessmentRound.open(round_id, opening, terms)], str(round_id)

        return self._round(principal, cluster_id, Permission.ADMINISTER, body)

    def close_assessment_round(
        self, principal: Principal | None, cluster_id: str, round_id: str
    ) -> RoundInfo:
        """Closes a round; it accepts no more assessments (CONFLICT)."""
        key = UUID(target_id(round_id, "assessment round"))

        def body(partition: Partition, _: Cluster, __: Actor) -> tuple[list[Aggregate], str]:
            round_ = _load_round(partition, key)
            round_.close()
            return [round_], str(key)

        return self._round(principal, cluster_id, Permission.ADMINISTER, body)

    def record_assessment(
        self,
        principal: Principal | None,
        cluster_id: str,
        round_id: str,
        assessment: Assessment,
    ) -> RecordedAssessment:
        """Records the caller's subject's assessment of another subject on one
        norm; recording the same (assessee, norm) again is a revision. Answers
        with the revision recorded and everything that answer names."""
        key = UUID(target_id(round_id, "assessment round"))
        assessee = normalise_id(assessment.assessee_id, "assesseeId") or ""
        norm = normalise_id(assessment.norm_id, "normId") or ""
        checked = replace(assessment, assessee_id=assessee, norm_id=norm)

        def body(
            partition: Partition, cluster: Cluster, actor: Actor
        ) -> tuple[list[Aggregate], tuple[AssessmentInfo, Any]]:
            # The round is only read here; its own events never depend on
            # assessments, which is what keeps recording flat.
            round_ = _load_round(partition, key, for_update=False)
            round_.check_open()
            assessor = _assessor(actor)
            cluster.active_subject(assessee, "assesseeId")
            card = _scorecard(partition, key, assessor)
            card.record(round_, checked)
            return [card], (_recorded(card.pending_events[-1]), round_.norms[norm])

        # The answer is the revision this call recorded, from its own event: the
        # read model may already hold a later revision by another writer.
        done = self.runner.execute(principal, cluster_id, Permission.PARTICIPATE, body)
        recorded, terms = done.value
        subjects, members = done.cluster.subjects, done.cluster.members
        # Name and description from the read model; the scale and weight are the
        # terms the round fixed when it opened.
        adopted = _found(
            done.partition.read_model.mutual_control_reader.norm(recorded.norm_id),
            "norm",
            recorded.norm_id,
        )
        return RecordedAssessment(
            recorded,
            subject_info(subjects[recorded.assessor_id]),
            subject_info(subjects[recorded.assessee_id]),
            member_info(members[recorded.recorded_by or done.actor.member_id]),
            NormInfo(
                terms.norm_id,
                adopted.name,
                adopted.description,
                terms.scale_min,
                terms.scale_max,
                terms.weight,
            ),
            self.runner.scope(done),
        )

    def _round(
        self, principal: Principal | None, cluster_id: str, permission: Permission, body: Body[str]
    ) -> RoundInfo:
        partition, key = self.runner.run(principal, cluster_id, permission, body)
        return _found(
            partition.read_model.mutual_control_reader.round(key), "assessment round", key
        )


def _assessor(actor: Actor) -> str:
    """The caller's own subject: nobody assesses on another subject's behalf."""
    if actor.subject_id is None:
        raise Forbidden("only a member who acts for a subject may assess other subjects")
    return actor.subject_id


def _norm(partition: Partition, key: str) -> Norm:
    norm: object
    try:
        norm = partition.app.repository.get(UUID(key), deepcopy_from_cache=False)
    except AggregateNotFoundError:
        norm = None
    if not isinstance(norm, Norm):
        raise InvalidInput(f"normIds: no norm {key} in this cluster", field="normIds")
    return norm


def _load_round(partition: Partition, key: UUID, for_update: bool = True) -> AssessmentRound:
    found: object
    try:
        # A round that is only read need not be copied out of the aggregate cache.
        found = partition.app.repository.get(key, deepcopy_from_cache=for_update)
    except AggregateNotFoundError:
        found = None
    if not isinstance(found, AssessmentRound):
        raise NotFound(f"no assessment round {key} in this cluster")
    return found


def _scorecard(partition: Partition, round_id: UUID, assessor_id: str) -> Scorecard:
    try:
        return partition.app.repository.get(scorecard_id(round_id, assessor_id))  # type: ignore[no-any-return]
    except AggregateNotFoundError:
        return Scorecard.start(round_id, assessor_id)


def _recorded(event: Any) -> AssessmentInfo:
    # By name, as the read model builds it: the event's facts, and who recorded
    # it and when from its stamp; a fact added to both needs no edit here.
    stamp = {"recorded_by": event.actor_member_id, "recorded_at": event.timestamp}
    given: dict[str, Any] = facts(event) | stamp
    return AssessmentInfo(**{f.name: given[f.name] for f in fields(AssessmentInfo)})


def _found(value: T | None, what: str, key: str) -> T:
    if value is None:
        raise NotFound(f"no {what} {key} in this cluster")
    return value
