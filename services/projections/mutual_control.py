"""Projects mutual control: norms, rounds, and the latest revision of every
(round, assessor, assessee, norm) assessment that counts.

Which assessments count and with what weight is the domain's rule
(``RoundTerms.counting``, ``NormTerms.weighted``), applied here; the view
only fetches a round's terms and stores rows."""

from __future__ import annotations

from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from domain.assessment_round import AssessmentRound
from domain.norm import Norm
from domain.scorecard import Scorecard
from services.ports.mutual_control import MutualControlView


class MutualControlProjection(Projection[MutualControlView]):
    name = "mutual_control"
    version = 1  # raise when a change needs its tables rebuilt (docs/operations.md)

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)  # not ours: only move the position on

    @process_event.register
    def _(self, e: Norm.NormAdopted, tracking: Tracking) -> None:  # type: ignore[name-defined]
        self.view.norm_adopted(
            tracking,
            norm_id=str(e.originator_id),
            name=e.name,
            description=e.description,
            scale_min=e.scale_min,
            scale_max=e.scale_max,
            weight=e.weight,
        )

    @process_event.register
    def _(self, e: AssessmentRound.AssessmentRoundOpened, tracking: Tracking) -> None:  # type: ignore[name-defined]
        self.view.round_opened(
            tracking, round_id=str(e.originator_id), title=e.title, norms=e.norms
        )

    @process_event.register
    def _(self, e: AssessmentRound.AssessmentRoundClosed, tracking: Tracking) -> None:  # type: ignore[name-defined]
        self.view.round_closed(tracking, round_id=str(e.originator_id))

    @process_event.register
    def _(self, e: Scorecard.AssessmentRecorded, tracking: Tracking) -> None:  # type: ignore[name-defined]
        round_ = self.view.round_terms(e.round_id)
        terms = round_.counting(e.norm_id) if round_ is not None else None
        if terms is None:
            self.view.insert_tracking(tracking)  # it does not count: only move the position on
            return
        self.view.assessment_recorded(
            tracking,
            round_id=e.round_id,
            assessor_id=e.assessor_id,
            assessee_id=e.assessee_id,
            norm_id=e.norm_id,
            score=e.score,
            weighted=terms.weighted(e.score),
            weight=terms.weight,
            rationale=e.rationale,
            revision=e.revision,
            member_id=e.actor_member_id,
            at=e.timestamp,
        )
