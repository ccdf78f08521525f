"""The goal's rules without I/O: tallies, both adoption rules at their edges,
input checks, revisions, closing, and the closing date."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from domain.errors import Conflict, InvalidInput
from domain.goal import (
    AdoptionRule,
    Goal,
    GoalProposal,
    GoalStatus,
    GoalVote,
    VoteChoice,
    decide,
    tally,
)

TODAY = date(2031, 3, 14)
SUP, OBJ, ABS = VoteChoice.SUPPORT, VoteChoice.OBJECT, VoteChoice.ABSTAIN
CONSENSUS, QM = AdoptionRule.CONSENSUS, AdoptionRule.QUALIFIED_MAJORITY
ADOPTED, REJECTED = GoalStatus.ADOPTED, GoalStatus.REJECTED


def votes(*choices: VoteChoice) -> dict[str, VoteChoice]:
    return {f"s{i}": c for i, c in enumerate(choices)}


def eligible(n: int) -> list[str]:
    return [f"s{i}" for i in range(n)]


def test_a_tally_counts_only_eligible_subjects() -> None:
    counts = tally(["s0", "s1", "s9"], votes(SUP, OBJ, ABS))  # s2 is not eligible, s9 did not vote
    assert (counts.supporting, counts.objecting, counts.abstaining) == (1, 1, 0)
    assert counts.voted == 2 and not counts.complete


def test_the_totality_index_counts_linked_support_of_eligible_subjects() -> None:
    cast = votes(SUP, SUP, OBJ, SUP, SUP)  # s0..s4
    # s0 supports with a link, s1 without, s2 objects with one (not support),
    # s3 supports with a link, s4 supports with a link but is not eligible.
    counts = tally(["s0", "s1", "s2", "s3", "s5"], cast, {"s0", "s2", "s3", "s4"})
    assert (counts.supporting, counts.objecting, counts.linked_support) == (3, 1, 2)
    assert counts.index == 2 / 5
    assert tally([], cast, {"s0"}).index == 0.0


@pytest.mark.parametrize(
    ("rule", "threshold", "cast", "n", "expected"),
    [
        (CONSENSUS, None, (SUP, SUP, SUP), 3, ADOPTED),
        (CONSENSUS, None, (SUP, SUP, ABS), 3, ADOPTED),  # abstaining is not objecting
        (CONSENSUS, None, (SUP, SUP, OBJ), 3, REJECTED),  # one objection blocks
        (CONSENSUS, None, (SUP, SUP), 3, REJECTED),  # a missing voice blocks
        (QM, None, (SUP, SUP, OBJ), 3, ADOPTED),  # exactly 2/3 meets the default threshold
        (QM, None, (SUP, OBJ, ABS), 3, REJECTED),  # 1/2 < 2/3
        (QM, None, (SUP, SUP, SUP, OBJ, OBJ), 5, REJECTED),  # 3/5 < 2/3
        (QM, None, (SUP, SUP, OBJ, ABS, ABS), 5, ADOPTED),  # abstentions leave the ratio at 2/3
        (QM, None, (SUP, SUP, SUP), 4, REJECTED),  # a missing voice blocks even 100 %
        (QM, 0.75, (SUP, SUP, SUP, OBJ), 4, ADOPTED),  # exactly 3/4
        (QM, 0.75, (SUP, SUP, OBJ), 3, REJECTED),  # 2/3 < 3/4
        (QM, 0.9, (*[SUP] * 9, OBJ), 10, ADOPTED),  # exactly 9/10
        (QM, 0.6667, (SUP, SUP, OBJ), 3, REJECTED),  # just above 2/3
        (QM, 1.0, (SUP, SUP, ABS), 3, ADOPTED),
        (QM, 1.0, (SUP, SUP, OBJ), 3, REJECTED),
        (QM, None, (ABS, ABS), 2, REJECTED),  # no SUPPORT share to meet any threshold
        (CONSENSUS, None, (), 0, REJECTED),  # nobody eligible: nobody's goal
    ],
)
def test_the_adoption_rules(rule, threshold, cast, n, expected) -> None:  # type: ignore[no-untyped-def]
    assert decide(rule, threshold, tally(eligible(n), votes(*cast))) is expected


def propose(**changes) -> Goal:  # type: ignore[no-untyped-def]
    values = dict(
        title="Continuous pedagogical practice",
        statement="Every student practises in a school.",
        horizon_years=3,
        rule="QUALIFIED_MAJORITY",
        threshold=None,
        closes_on=None,
    )
    values.update(changes)
    return Goal.propose(
        uuid.uuid4(),
        GoalProposal(**values),  # type: ignore[arg-type]
        proposed_by="s0",
        today=TODAY,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "   "}, "title"),
        ({"statement": ""}, "statement"),
        ({"horizon_years": 0}, "horizonYears"),
        ({"horizon_years": -2}, "horizonYears"),
        ({"threshold": 0.5}, "threshold"),  # the bound is open: a bare majority is not qualified
        ({"threshold": 1.01}, "threshold"),
        ({"threshold": 0.0}, "threshold"),
        ({"rule": "CONSENSUS", "threshold": 0.8}, "threshold"),
        ({"rule": "UNANIMITY"}, "rule"),
        ({"closes_on": TODAY - timedelta(days=1)}, "closesOn"),
    ],
)
def test_a_bad_proposal_names_its_field(changes, field: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as caught:
        propose(**changes)
    assert caught.value.field == field


def test_a_proposal_takes_the_default_threshold_and_a_closing_date_of_today() -> None:
    goal = propose(closes_on=TODAY, threshold=None)
    assert goal.threshold == pytest.approx(2 / 3)
    assert goal.closes_on == TODAY
    assert propose(threshold=1.0).threshold == 1.0
    assert propose(rule="CONSENSUS").threshold is None


def test_voting_again_is_revision_plus_one_and_repeating_a_vote_records_nothing() -> None:
    goal = propose()
    assert goal.cast_vote("s1", GoalVote("OBJECT", None), TODAY)
    assert goal.cast_vote("s1", GoalVote("SUPPORT", "practice places"), TODAY)
    assert not goal.cast_vote("s1", GoalVote("SUPPORT", " practice places "), TODAY)  # same vote
    assert goal.cast_vote("s2", GoalVote("ABSTAIN", None), TODAY)
    assert goal.votes["s1"].revision == 2 and goal.votes["s2"].revision == 1
    cast = [e for e in goal.collect_events() if type(e).__name__ == "GoalVoteCast"]
    assert [(e.subject_id, e.choice, e.revision) for e in cast] == [
        ("s1", "OBJECT", 1),
        ("s1", "SUPPORT", 2),
        ("s2", "ABSTAIN", 1),
    ]


def test_a_vote_needs_a_known_choice() -> None:
    with pytest.raises(InvalidInput) as caught:
        propose().cast_vote("s1", GoalVote("MAYBE", None), TODAY)
    assert caught.value.field == "choice"


def test_a_closed_goal_takes_no_votes_and_closes_once() -> None:
    goal = propose(rule="CONSENSUS")
    goal.cast_vote("s0", GoalVote("SUPPORT", "link"), TODAY)
    assert goal.close(["s0"]) is ADOPTED
    with pytest.raises(Conflict):
        goal.cast_vote("s0", GoalVote("OBJECT", None), TODAY)
    with pytest.raises(Conflict):
        goal.close(["s0"])


def test_the_closing_day_takes_votes_and_the_day_after_does_not() -> None:
    goal = propose(closes_on=TODAY)
    assert goal.cast_vote("s0", GoalVote("SUPPORT", None), TODAY)
    with pytest.raises(Conflict):
        goal.cast_vote("s1", GoalVote("SUPPORT", None), TODAY + timedelta(days=1))


def test_closing_records_the_tally_it_decided_on() -> None:
    goal = propose()
    for subject, choice in (
        ("s0", "SUPPORT"),
        ("s1", "SUPPORT"),
        ("s2", "OBJECT"),
        ("gone", "OBJECT"),
    ):
        goal.cast_vote(subject, GoalVote(choice, None), TODAY)
    goal.close(["s2", "s1", "s0"])  # "gone" was withdrawn: its objection does not count
    closed = goal.collect_events()[-1]
    assert type(closed).__name__ == "GoalClosed"
    assert (closed.status, closed.eligible) == ("ADOPTED", ["s0", "s1", "s2"])
    assert (closed.supporting, closed.objecting, closed.abstaining) == (2, 1, 0)
