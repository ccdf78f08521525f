"""The mutual-control read model (norms, rounds, assessments): what its
projection writes and what queries read."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from eventsourcing.persistence import Tracking, TrackingRecorder

from services.assessment_dto import AssessmentInfo, NormInfo, PairScore, RoundInfo


class AssessmentView(TrackingRecorder):
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
    def assessment_recorded(
        self,
        tracking: Tracking,
        *,
        round_id: str,
        assessor_id: str,
        assessee_id: str,
        norm_id: str,
        score: float,
        rationale: str | None,
        revision: int,
        member_id: str | None,
        at: datetime,
    ) -> None:
        """Keeps the latest revision. An assessment that reaches the log after
        its round's close (a close racing a recording) must not count: the
        close is the cut-off in log order, the same on every replay."""


class AssessmentReader(Protocol):
    """Queries over the mutual-control read model (norms, rounds, latest assessments)."""

    def norms(self) -> list[NormInfo]: ...

    def norm(self, norm_id: str) -> NormInfo | None: ...

    def rounds(self) -> list[RoundInfo]: ...

    def round(self, round_id: str) -> RoundInfo | None: ...

    def assessments(
        self, round_id: str, assessor_id: str | None = None, assessee_id: str | None = None
    ) -> list[AssessmentInfo]: ...

    def pair_scores(self, round_id: str) -> Sequence[PairScore]:
        """Per assessed (assessor, assessee): the weight-averaged normalised score
        ((score - min) / (max - min)) of the latest assessments, on the round's norms."""
        ...
