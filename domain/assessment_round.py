"""An assessment round: a titled period in which subjects assess each other
against a fixed set of norms, open until a coordinator closes it.

The round holds only its title, its norms' terms and whether it is open, so
loading it costs the same however many assessments it collects; those live in
one scorecard per assessor (domain/scorecard.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.base import StampedAggregate
from domain.errors import Conflict, InvalidInput
from domain.norm import NormTerms
from domain.text import required_text

NORMS_PER_ROUND_MAX = 50


@dataclass(frozen=True)
class RoundTerms:
    """A round as the log stands at some position: open or closed, and the terms
    of its norms. What deciding whether an assessment counts needs."""

    is_open: bool
    norms: Mapping[str, NormTerms]

    def counting(self, norm_id: str) -> NormTerms | None:
        """The terms an assessment on ``norm_id`` counts with; None when it does
        not count. Only the round's own norms count, and only while the round is
        open: an assessment that reaches the log after the close (a close racing
        a recording) is left out, the same on every replay."""
        return self.norms.get(norm_id) if self.is_open else None


@dataclass(frozen=True)
class RoundOpening:
    """A round as openAssessmentRound submits it, carried whole from the client to
    the aggregate; the service turns ``norm_ids`` into the norms' terms."""

    title: str
    norm_ids: list[str] = field(default_factory=list)


class AssessmentRound(StampedAggregate):
    class AssessmentRoundOpened(StampedAggregate.Created):
        title: str
        norms: list[dict[str, Any]]

    @event(AssessmentRoundOpened)
    def __init__(self, id: UUID, title: str, norms: list[dict[str, Any]]) -> None:
        self.title = title
        # The terms are copied from the norms at opening (plain JSON in the event).
        self.norms: dict[str, NormTerms] = {n["norm_id"]: NormTerms(**n) for n in norms}
        self.is_open = True

    @classmethod
    def open(cls, round_id: UUID, opening: RoundOpening, norms: list[NormTerms]) -> AssessmentRound:
        """Opens a round over ``norms``, the terms of ``opening.norm_ids`` (at least
        one; repeats count once)."""
        unique = list({n.norm_id: n for n in norms}.values())
        if not unique:
            raise InvalidInput("normIds must name at least one norm", field="normIds")
        if len(unique) > NORMS_PER_ROUND_MAX:
            raise InvalidInput(
                f"normIds may name at most {NORMS_PER_ROUND_MAX} norms", field="normIds"
            )
        return cls(
            id=round_id,
            title=required_text("title", opening.title),
            norms=[n.as_data() for n in unique],
        )

    def close(self) -> None:
        self.check_open()
        self._close()

    class AssessmentRoundClosed(StampedAggregate.Event):
        pass

    @event(AssessmentRoundClosed)
    def _close(self) -> None:
        self.is_open = False

    def check_open(self) -> None:
        if not self.is_open:
            raise Conflict(f"assessment round {self.title!r} is closed")

    def norm(self, norm_id: str) -> NormTerms:
        """The terms of one of the round's norms (BAD_USER_INPUT ``normId`` otherwise)."""
        try:
            return self.norms[norm_id]
        except KeyError:
            raise InvalidInput(
                f"normId: norm {norm_id} is not assessed in this round", field="normId"
            ) from None
