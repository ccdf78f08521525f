"""Projects mutual control: norms, rounds, and the latest revision of every
(round, assessor, assessee, norm) assessment that counts.

Which assessments count and with what weight is the domain's rule
(``RoundTerms.counting``, ``NormTerms.weighted``), applied here; the view
only fetches a round's terms and stores rows."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking, TrackingRecorder
from eventsourcing.projection import Projection

from domain.assessment_round import AssessmentRound, RoundTerms
from domain.norm import Norm
from domain.scorecard import Scorecard


class MutualControlView(TrackingRecorder):
    """What the mutual-control projection writes; each method records the
    view change and the tracking in the same unit of work."""

    @abstractmethod
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
    ) -> None: ...

    @abstractmethod
    def round_opened(
        self, tracking: Tracking, *, round_id: str, title: str, norms: list[dict[str, Any]]
    ) -> None: ...

    @abstractmethod
    def round_closed(self, tracking: Tracking, *, round_id: str) -> None: ...

    @abstractmethod
    def round_terms(self, round_id: str) -> RoundTerms | None:
        """The round as projected so far, including this unit of work's own
        changes; None for a round the view does not know."""

    @abstractmethod
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
        """Stores the latest revision, with its weight and weighted normalised score."""


class MutualControlProjection(Projection[MutualControlView]):
    name = "mutual_control"

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
