"""A scorecard: everything one subject (the assessor) records in one round.

One scorecard per (round, assessor) keeps recording flat as a round fills:
an assessor's command touches only their own card, never a round-wide
aggregate, so assessors do not contend and a card holds at most
(subjects - 1) x norms keys. Its id is derived from the round and the
assessor, so the card is found without a lookup.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.domain import event

from domain.assessment_round import AssessmentRound
from domain.base import StampedAggregate
from domain.errors import InvalidInput
from domain.text import STATEMENT_MAX, optional_text


def scorecard_id(round_id: UUID, assessor_id: str) -> UUID:
    """The card's id: the same (round, assessor) always gives the same id."""
    return uuid.uuid5(round_id, f"scorecard:{assessor_id}")


@dataclass(frozen=True)
class Assessment:
    """One assessment as recordAssessment submits it, carried whole from the
    client to the aggregate (the service checks the ids first)."""

    assessee_id: str
    norm_id: str
    score: float
    rationale: str | None = None


class Scorecard(StampedAggregate):
    @event("ScorecardStarted")
    def __init__(self, id: UUID, round_id: str, assessor_id: str) -> None:
        self.round_id = round_id
        self.assessor_id = assessor_id
        # Latest revision per (assessee, norm); the log keeps every revision.
        self.revisions: dict[tuple[str, str], int] = {}

    @classmethod
    def start(cls, round_id: UUID, assessor_id: str) -> Scorecard:
        return cls(
            id=scorecard_id(round_id, assessor_id), round_id=str(round_id), assessor_id=assessor_id
        )

    def record(self, round_: AssessmentRound, assessment: Assessment) -> int:
        """Records an assessment of its assessee; returns its revision (1, 2, …).

        The caller has checked that the assessee is an active subject.
        """
        assessee_id, norm_id = assessment.assessee_id, assessment.norm_id
        round_.check_open()
        if assessee_id == self.assessor_id:
            raise InvalidInput("assesseeId: a subject does not assess itself", field="assesseeId")
        terms = round_.norm(norm_id)
        revision = self.revisions.get((assessee_id, norm_id), 0) + 1
        self._record(
            # Round and assessor repeat the card's identity so that each event
            # reads as a whole fact in the log and in exports.
            round_id=self.round_id,
            assessor_id=self.assessor_id,
            assessee_id=assessee_id,
            norm_id=norm_id,
            score=terms.check_score(assessment.score),
            rationale=optional_text("rationale", assessment.rationale, STATEMENT_MAX),
            revision=revision,
        )
        return revision

    class AssessmentRecorded(StampedAggregate.Event):
        round_id: str
        assessor_id: str
        assessee_id: str
        norm_id: str
        score: float
        rationale: str | None
        revision: int

    @event(AssessmentRecorded)
    def _record(
        self,
        round_id: str,
        assessor_id: str,
        assessee_id: str,
        norm_id: str,
        score: float,
        rationale: str | None,
        revision: int,
    ) -> None:
        self.revisions[(assessee_id, norm_id)] = revision
