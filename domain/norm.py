"""Norms: the objective yardsticks a cluster agrees on before its subjects
assess each other (the paper's principle of mutual control).

One small aggregate per norm rather than one catalogue of all norms: adopting
a norm never contends with adopting another, loading one never grows with the
catalogue, and a norm is never amended (nothing in the contract changes one),
so there is no cross-norm rule a catalogue would have to guard. Rounds copy
the terms they use (``NormTerms``) when they open, so a round's scale is fixed
for its lifetime.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.domain import event

from domain.base import StampedAggregate
from domain.errors import InvalidInput
from domain.text import STATEMENT_MAX, optional_text, required_text

WEIGHT_MAX = 1000.0  # a bound that keeps weighted sums well inside float precision


@dataclass(frozen=True)
class NormTerms:
    """What assessing against a norm needs: its scale and its weight."""

    norm_id: str
    scale_min: int
    scale_max: int
    weight: float

    def check_score(self, score: float) -> float:
        """The score, which must lie on the norm's scale (BAD_USER_INPUT ``score``)."""
        if not isinstance(score, int | float) or not math.isfinite(score):
            raise InvalidInput("score must be a finite number", field="score")
        if not self.scale_min <= score <= self.scale_max:
            raise InvalidInput(
                f"score must lie between {self.scale_min} and {self.scale_max}", field="score"
            )
        return float(score)

    def normalised(self, score: float) -> float:
        """(score - min) / (max - min): every norm on the same 0..1 scale."""
        return (score - self.scale_min) / (self.scale_max - self.scale_min)

    def weighted(self, score: float) -> float:
        """weight x normalised score: what the score adds to a weighted mean over norms."""
        return self.weight * self.normalised(score)

    def as_data(self) -> dict[str, object]:
        return {
            "norm_id": self.norm_id,
            "scale_min": self.scale_min,
            "scale_max": self.scale_max,
            "weight": self.weight,
        }


@dataclass(frozen=True)
class NormAdoption:
    """A norm as the coordinator submits it, before it is checked: carried whole
    from the client to the aggregate, so a field added here needs no edit in between."""

    name: str
    description: str | None = None
    scale_min: int = 1
    scale_max: int = 5
    weight: float = 1.0


class Norm(StampedAggregate):
    """A norm adopted by the cluster, e.g. "Share of graduates placed in partner schools"."""

    class NormAdopted(StampedAggregate.Created):
        name: str
        description: str | None
        scale_min: int
        scale_max: int
        weight: float

    @event(NormAdopted)
    def __init__(
        self,
        id: UUID,
        name: str,
        description: str | None,
        scale_min: int,
        scale_max: int,
        weight: float,
    ) -> None:
        self.name = name
        self.description = description
        self.scale_min = scale_min
        self.scale_max = scale_max
        self.weight = weight

    @classmethod
    def adopt(cls, norm_id: UUID, adoption: NormAdoption) -> Norm:
        """Checks the norm's values, then adopts it."""
        check_scale(adoption.scale_min, adoption.scale_max)
        return cls(
            id=norm_id,
            name=required_text("name", adoption.name),
            description=optional_text("description", adoption.description, STATEMENT_MAX),
            scale_min=adoption.scale_min,
            scale_max=adoption.scale_max,
            weight=check_weight(adoption.weight),
        )

    @property
    def terms(self) -> NormTerms:
        return NormTerms(str(self.id), self.scale_min, self.scale_max, self.weight)


def check_scale(scale_min: int, scale_max: int) -> None:
    for field, value in (("scaleMin", scale_min), ("scaleMax", scale_max)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(f"{field} must be a whole number", field=field)
    if scale_min >= scale_max:
        raise InvalidInput("scaleMin must be less than scaleMax", field="scaleMax")


def check_weight(weight: float) -> float:
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not math.isfinite(weight):
        raise InvalidInput("weight must be a finite number", field="weight")
    if not 0 < weight <= WEIGHT_MAX:
        raise InvalidInput(
            f"weight must be greater than 0 and at most {WEIGHT_MAX:g}", field="weight"
        )
    return float(weight)
