"""The totality of the goal: a goal proposed to the cluster, one voice per
subject, and the decision by CONSENSUS or QUALIFIED_MAJORITY.

One aggregate per goal, so loading it grows with the votes on this goal only,
never with the cluster's history. The adoption rule lives here once, as pure
functions: the aggregate decides with them when a goal is closed, and the read
side uses the same ones to show a goal past its closing date as decided.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction
from uuid import UUID

from eventsourcing.domain import event

from domain.base import StampedAggregate
from domain.errors import Conflict, InvalidInput
from domain.text import STATEMENT_MAX, optional_text, required_text
from domain.vocabulary import parse_enum


class VoteChoice(StrEnum):
    SUPPORT = "SUPPORT"
    OBJECT = "OBJECT"
    ABSTAIN = "ABSTAIN"


class GoalStatus(StrEnum):
    OPEN = "OPEN"
    ADOPTED = "ADOPTED"
    REJECTED = "REJECTED"


class AdoptionRule(StrEnum):
    CONSENSUS = "CONSENSUS"
    QUALIFIED_MAJORITY = "QUALIFIED_MAJORITY"


DEFAULT_THRESHOLD = 2 / 3


@dataclass(frozen=True)
class Tally:
    """The voices of the eligible subjects; votes of anyone else do not count."""

    eligible: tuple[str, ...]
    supporting: int
    objecting: int
    abstaining: int
    linked_support: int = 0  # supporting voices that name the interest they serve

    @property
    def voted(self) -> int:
        return self.supporting + self.objecting + self.abstaining

    @property
    def complete(self) -> bool:
        return self.voted == len(self.eligible)

    @property
    def index(self) -> float:
        """The totality index: linked support / eligible (0 when nobody is eligible)."""
        return self.linked_support / len(self.eligible) if self.eligible else 0.0


def tally(
    eligible: Iterable[str],
    choices: Mapping[str, VoteChoice],
    linked: Container[str] = frozenset(),
) -> Tally:
    """Counts the latest choice of each eligible subject; ``linked`` names the
    subjects whose latest vote links the interest it serves."""
    subjects = tuple(sorted(set(eligible)))
    counted = [(choices[s], s in linked) for s in subjects if s in choices]
    support = [is_linked for choice, is_linked in counted if choice is VoteChoice.SUPPORT]
    return Tally(
        subjects,
        len(support),
        sum(choice is VoteChoice.OBJECT for choice, _ in counted),
        sum(choice is VoteChoice.ABSTAIN for choice, _ in counted),
        sum(support),
    )


def decide(rule: AdoptionRule, threshold: float | None, counts: Tally) -> GoalStatus:
    """ADOPTED or REJECTED by the rule of docs/architecture.md ("Totality").

    Both rules need every eligible subject's voice, and at least one eligible
    subject: a goal nobody may vote on is nobody's goal.
    """
    if not counts.eligible or not counts.complete:
        return GoalStatus.REJECTED
    if rule is AdoptionRule.CONSENSUS:
        adopted = counts.objecting == 0
    else:
        decisive = counts.supporting + counts.objecting
        # Rational arithmetic against the decimal the client wrote: whether exactly
        # 2 of 3 meets 2/3 never depends on how a float happens to round.
        adopted = decisive > 0 and Fraction(counts.supporting, decisive) >= _exact(threshold)
    return GoalStatus.ADOPTED if adopted else GoalStatus.REJECTED


def _exact(threshold: float | None) -> Fraction:
    # repr() is the shortest decimal that round-trips: the number the client wrote.
    return Fraction(repr(DEFAULT_THRESHOLD if threshold is None else threshold))


def check_threshold(rule: AdoptionRule, threshold: float | None) -> float | None:
    """The threshold of a QUALIFIED_MAJORITY goal, in (0.5, 1]; CONSENSUS has none."""
    if rule is AdoptionRule.CONSENSUS:
        if threshold is not None:
            raise InvalidInput("threshold applies only to QUALIFIED_MAJORITY", field="threshold")
        return None
    if threshold is None:
        return DEFAULT_THRESHOLD
    if not 0.5 < threshold <= 1:
        raise InvalidInput("threshold must be above 0.5 and at most 1", field="threshold")
    return float(threshold)


def check_horizon(horizon_years: int | None) -> int | None:
    if horizon_years is not None and horizon_years <= 0:
        raise InvalidInput("horizonYears must be a positive number of years", field="horizonYears")
    return horizon_years


def check_closes_on(closes_on: date | None, today: date) -> str | None:
    """Today is allowed: the goal then takes votes until the end of today."""
    if closes_on is not None and closes_on < today:
        raise InvalidInput(f"closesOn must be today ({today}) or later", field="closesOn")
    return closes_on.isoformat() if closes_on else None


def past_closing(closes_on: date | None, today: date) -> bool:
    """After ``closes_on`` a goal takes no votes and counts as decided, even
    before closeGoal records the decision (README, "Goals and closesOn")."""
    return closes_on is not None and today > closes_on


@dataclass
class VoteRecord:
    choice: VoteChoice
    interest_link: str | None
    revision: int


@dataclass(frozen=True)
class GoalProposal:
    """A goal as its proposer submits it, before it is checked: carried whole from
    the client to the aggregate, so a field added here needs no edit in between."""

    title: str
    statement: str
    horizon_years: int | None = None
    rule: str = "CONSENSUS"  # an AdoptionRule value
    threshold: float | None = None
    closes_on: date | None = None


@dataclass(frozen=True)
class GoalVote:
    """A subject's voice on a goal as castGoalVote submits it, carried whole from
    the client to the aggregate."""

    choice: str  # a VoteChoice value
    interest_link: str | None = None


class Goal(StampedAggregate):
    """A common goal of the cluster and the latest voice of each subject on it."""

    class GoalProposed(StampedAggregate.Created):
        title: str
        statement: str
        horizon_years: int | None
        rule: str
        threshold: float | None
        closes_on: str | None
        proposed_by: str

    @event(GoalProposed)
    def __init__(
        self,
        id: UUID,
        title: str,
        statement: str,
        horizon_years: int | None,
        rule: str,
        threshold: float | None,
        closes_on: str | None,
        proposed_by: str,
    ) -> None:
        self.title = title
        self.statement = statement
        self.horizon_years = horizon_years
        self.rule = AdoptionRule(rule)
        self.threshold = threshold
        self.closes_on = date.fromisoformat(closes_on) if closes_on else None
        self.proposed_by = proposed_by
        self.votes: dict[str, VoteRecord] = {}
        self.status = GoalStatus.OPEN

    @classmethod
    def propose(
        cls, goal_id: UUID, proposal: GoalProposal, *, proposed_by: str, today: date
    ) -> Goal:
        """Checks every value, then proposes the goal on behalf of ``proposed_by``."""
        parsed = parse_enum(AdoptionRule, proposal.rule, "rule")
        return cls(
            id=goal_id,
            title=required_text("title", proposal.title),
            statement=required_text("statement", proposal.statement, STATEMENT_MAX),
            horizon_years=check_horizon(proposal.horizon_years),
            rule=parsed.value,
            threshold=check_threshold(parsed, proposal.threshold),
            closes_on=check_closes_on(proposal.closes_on, today),
            proposed_by=proposed_by,
        )

    def cast_vote(self, subject_id: str, vote: GoalVote, today: date) -> bool:
        """The subject's voice; False (nothing recorded) when it repeats the latest vote."""
        self.check_open(today)
        parsed = parse_enum(VoteChoice, vote.choice, "choice")
        link = optional_text("interestLink", vote.interest_link, STATEMENT_MAX)
        latest = self.votes.get(subject_id)
        if latest and (latest.choice, latest.interest_link) == (parsed, link):
            return False  # a retried request must not look like a change of mind
        revision = latest.revision + 1 if latest else 1
        self._cast_vote(
            subject_id=subject_id, choice=parsed.value, interest_link=link, revision=revision
        )
        return True

    class GoalVoteCast(StampedAggregate.Event):
        subject_id: str
        choice: str
        interest_link: str | None
        revision: int

    @event(GoalVoteCast)
    def _cast_vote(
        self, subject_id: str, choice: str, interest_link: str | None, revision: int
    ) -> None:
        self.votes[subject_id] = VoteRecord(VoteChoice(choice), interest_link, revision)

    def close(self, eligible: Iterable[str]) -> GoalStatus:
        """Decides on the voices of the ``eligible`` subjects and records the decision."""
        if self.status is not GoalStatus.OPEN:
            raise Conflict(f"goal {self.title!r} is already closed ({self.status.value})")
        counts = tally(eligible, {s: v.choice for s, v in self.votes.items()})
        self._close(
            status=decide(self.rule, self.threshold, counts).value,
            eligible=list(counts.eligible),
            supporting=counts.supporting,
            objecting=counts.objecting,
            abstaining=counts.abstaining,
        )
        return self.status

    class GoalClosed(StampedAggregate.Event):
        status: str
        eligible: list[str]
        supporting: int
        objecting: int
        abstaining: int

    @event(GoalClosed)
    def _close(
        self, status: str, eligible: list[str], supporting: int, objecting: int, abstaining: int
    ) -> None:
        self.status = GoalStatus(status)

    def lapsed(self, today: date) -> bool:
        return past_closing(self.closes_on, today)

    def check_open(self, today: date) -> None:
        if self.status is not GoalStatus.OPEN:
            raise Conflict(
                f"goal {self.title!r} is closed ({self.status.value}); it takes no votes"
            )
        if self.lapsed(today):
            raise Conflict(
                f"goal {self.title!r} closed for votes after {self.closes_on}; it takes no votes"
            )
