"""The mutual-control read model (norms, rounds, assessments): what its
projection writes and what queries read."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Protocol

from eventsourcing.persistence import Tracking, TrackingRecorder

from domain.assessment_round import AssessmentRound, RoundTerms
from domain.norm import Norm
from domain.scorecard import Scorecard
from services.mutual_control_dto import AssessmentInfo, NormInfo, RoundInfo, WeightedScore


class MutualControlView(TrackingRecorder):
    """What the mutual-control projection writes; each method records the
    view change and the tracking in the same unit of work; the views write each
    event's facts by name (infra/readmodel/by_name.py)."""

    @abstractmethod
    def norm_adopted(self, tracking: Tracking, adopted: Norm.NormAdopted) -> None: ...

    @abstractmethod
    def round_opened(
        self, tracking: Tracking, opened: AssessmentRound.AssessmentRoundOpened
    ) -> None: ...

    @abstractmethod
    def round_closed(
        self, tracking: Tracking, closed: AssessmentRound.AssessmentRoundClosed
    ) -> None: ...

    @abstractmethod
    def round_terms(self, round_id: str) -> RoundTerms | None:
        """The round as projected so far, including this unit of work's own
        changes; None for a round the view does not know."""

    @abstractmethod
    def assessment_recorded(
        self,
        tracking: Tracking,
        recorded: Scorecard.AssessmentRecorded,
        *,
        weighted: float,
        weight: float,
    ) -> None:
        """Stores the latest revision, with its weight and weighted normalised score."""


class MutualControlReader(Protocol):
    """Queries over the mutual-control read model (norms, rounds, latest assessments)."""

    def norms(self) -> list[NormInfo]: ...

    def norm(self, norm_id: str) -> NormInfo | None: ...

    def rounds(self) -> list[RoundInfo]: ...

    def round(self, round_id: str) -> RoundInfo | None: ...

    def assessments(
        self, round_id: str, assessor_id: str | None = None, assessee_id: str | None = None
    ) -> list[AssessmentInfo]: ...

    def weighted_totals(self, round_id: str) -> Sequence[WeightedScore]:
        """The stored ``weighted`` and ``weight`` of the round's latest
        assessments, added up per (assessor, assessee), in no particular order."""
        ...
