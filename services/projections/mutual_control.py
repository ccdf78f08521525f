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
    def _(self, e: Norm.NormAdopted, tracking: Tracking) -> None:
        self.view.norm_adopted(tracking, e)

    @process_event.register
    def _(self, e: AssessmentRound.AssessmentRoundOpened, tracking: Tracking) -> None:
        self.view.round_opened(tracking, e)

    @process_event.register
    def _(self, e: AssessmentRound.AssessmentRoundClosed, tracking: Tracking) -> None:
        self.view.round_closed(tracking, e)

    @process_event.register
    def _(self, e: Scorecard.AssessmentRecorded, tracking: Tracking) -> None:
        round_ = self.view.round_terms(e.round_id)
        terms = round_.counting(e.norm_id) if round_ is not None else None
        if terms is None:
            self.view.insert_tracking(tracking)  # it does not count: only move the position on
            return
        self.view.assessment_recorded(
            tracking, e, weighted=terms.weighted(e.score), weight=terms.weight
        )
