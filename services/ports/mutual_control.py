"""The mutual-control read model (norms, rounds, assessments): what its
projection writes and what queries read."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from eventsourcing.persistence import Tracking, TrackingRecorder

from domain.assessment_round import RoundTerms
from services.mutual_control_dto import AssessmentInfo, NormInfo, RoundInfo, WeightedScore


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
