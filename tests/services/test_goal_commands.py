"""Goal commands on SQLite and PostgreSQL: what is recorded, who may, and what
a refused command leaves behind (nothing: the log head does not move)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from goal_support import TODAY, GoalWorld, SettableClock

from domain.errors import DomainError
from domain.goal import GoalProposal, GoalVote

GOAL = {"title": "Continuous practice", "statement": "Every student practises in a school."}

pytest_plugins = ["goal_support"]


def propose(w: GoalWorld, who: str = "school", **changes: Any) -> str:
    values = {**GOAL, **changes}
    return w.container.goals.propose_goal(w.voters[who], w.cluster_id, GoalProposal(**values)).id


def vote(w: GoalWorld, who: str, goal_id: str, choice: str, link: str | None = None) -> None:
    w.container.goals.cast_goal_vote(w.voters[who], w.cluster_id, goal_id, GoalVote(choice, link))


def refused(w: GoalWorld, command: Callable[[], Any], code: str, field: str | None = None) -> str:
    """Runs a command that must fail with ``code``; checks nothing was recorded."""
    head = w.head()
    with pytest.raises(DomainError) as caught:
        command()
    assert caught.value.code == code, caught.value.message
    assert caught.value.field == field
    assert w.head() == head
    return caught.value.message


def test_a_member_proposes_a_goal_for_their_own_subject(goal_world: GoalWorld) -> None:
    w = goal_world
    goal_id = propose(
        w, horizon_years=5, rule="QUALIFIED_MAJORITY", threshold=0.75, closes_on=TODAY
    )
    [proposed] = w.events("GoalProposed")
    assert str(proposed.originator_id) == goal_id
    assert (proposed.proposed_by, proposed.rule, proposed.threshold) == (
        w.subjects["school"],
        "QUALIFIED_MAJORITY",
        0.75,
    )
    assert (proposed.horizon_years, proposed.closes_on) == (5, TODAY.isoformat())
    assert proposed.actor_member_id == w.voter_ids["school"]


BAD_PROPOSALS = [
    ({"title": " "}, "title"),
    ({"statement": ""}, "statement"),
    ({"horizon_years": 0}, "horizonYears"),
    ({"rule": "QUALIFIED_MAJORITY", "threshold": 0.5}, "threshold"),
    ({"rule": "QUALIFIED_MAJORITY", "threshold": 1.5}, "threshold"),
    ({"closes_on": TODAY - timedelta(days=1)}, "closesOn"),
]


def test_a_bad_proposal_is_bad_user_input_and_records_nothing(  # type: ignore[no-untyped-def]
    goal_world, subtests: pytest.Subtests
) -> None:
    # One world for every bad proposal (each its own subtest): a refusal records nothing.
    for changes, field in BAD_PROPOSALS:
        with subtests.test(field=field, changes=changes):
            message = refused(
                goal_world, lambda c=changes: propose(goal_world, **c), "BAD_USER_INPUT", field
            )
            assert field in message


def test_only_a_subject_proposes_a_goal(goal_world: GoalWorld) -> None:
    w, goals = goal_world, goal_world.container.goals
    for who in (w.auditor, w.unattached, w.coordinator):  # the coordinator acts for no subject
        refused(
            w, lambda p=who: goals.propose_goal(p, w.cluster_id, GoalProposal(**GOAL)), "FORBIDDEN"
        )


def test_voting_again_changes_the_vote_and_every_change_stays_in_the_log(
    goal_world: GoalWorld,
) -> None:
    w = goal_world
    goal_id = propose(w)
    vote(w, "college", goal_id, "OBJECT")
    vote(w, "college", goal_id, "SUPPORT", "graduates teach here")
    head = w.head()
    vote(w, "college", goal_id, "SUPPORT", "graduates teach here")  # the same vote again
    assert w.head() == head
    cast = w.events("GoalVoteCast")
    assert [(e.subject_id, e.choice, e.revision) for e in cast] == [
        (w.subjects["college"], "OBJECT", 1),
        (w.subjects["college"], "SUPPORT", 2),
    ]
    assert {e.actor_member_id for e in cast} == {w.voter_ids["college"]}


def test_an_auditor_or_a_member_without_a_subject_may_not_vote(goal_world: GoalWorld) -> None:
    w, goals = goal_world, goal_world.container.goals
    goal_id = propose(w)
    for who in (w.auditor, w.unattached, w.coordinator):
        refused(
            w,
            lambda p=who: goals.cast_goal_vote(p, w.cluster_id, goal_id, GoalVote("SUPPORT")),
            "FORBIDDEN",
        )


def test_a_withdrawn_subjects_member_may_not_vote(goal_world: GoalWorld) -> None:
    w = goal_world
    goal_id = propose(w)
    w.container.registry.withdraw_subject(w.coordinator, w.cluster_id, w.subjects["college"])
    refused(w, lambda: vote(w, "college", goal_id, "SUPPORT"), "FORBIDDEN")


def test_only_a_coordinator_closes_a_goal(goal_world: GoalWorld) -> None:
    w, goals = goal_world, goal_world.container.goals
    goal_id = propose(w)
    for who in (w.voters["school"], w.auditor):
        refused(w, lambda p=who: goals.close_goal(p, w.cluster_id, goal_id), "FORBIDDEN")
    assert goals.close_goal(w.coordinator, w.cluster_id, goal_id).recorded_status == "REJECTED"


def test_a_closed_goal_takes_no_votes_and_cannot_close_again(goal_world: GoalWorld) -> None:
    w, goals = goal_world, goal_world.container.goals
    goal_id = propose(w)
    goals.close_goal(w.coordinator, w.cluster_id, goal_id)
    refused(w, lambda: vote(w, "school", goal_id, "SUPPORT"), "CONFLICT")
    refused(w, lambda: goals.close_goal(w.coordinator, w.cluster_id, goal_id), "CONFLICT")


@pytest.mark.parametrize(
    "goal_id", ["5b0c1b2e-0000-4000-8000-000000000000", "not-an-id", "cluster"]
)
def test_an_unknown_goal_is_not_found(goal_world: GoalWorld, goal_id: str) -> None:
    w, goals = goal_world, goal_world.container.goals
    goal_id = w.cluster_id if goal_id == "cluster" else goal_id  # an aggregate, but no goal
    refused(w, lambda: vote(w, "school", goal_id, "SUPPORT"), "NOT_FOUND")
    refused(w, lambda: goals.close_goal(w.coordinator, w.cluster_id, goal_id), "NOT_FOUND")


def test_a_vote_with_an_unknown_choice_is_bad_user_input(goal_world: GoalWorld) -> None:
    w = goal_world
    goal_id = propose(w)
    refused(w, lambda: vote(w, "school", goal_id, "MAYBE"), "BAD_USER_INPUT", "choice")


def close(w: GoalWorld, goal_id: str) -> str:
    return w.container.goals.close_goal(w.coordinator, w.cluster_id, goal_id).recorded_status


@pytest.mark.parametrize(
    ("rule", "threshold", "choices", "expected"),
    [
        ("CONSENSUS", None, ("SUPPORT", "SUPPORT", "ABSTAIN"), "ADOPTED"),
        ("CONSENSUS", None, ("SUPPORT", "SUPPORT", "OBJECT"), "REJECTED"),
        ("CONSENSUS", None, ("SUPPORT", "SUPPORT", None), "REJECTED"),
        ("QUALIFIED_MAJORITY", None, ("SUPPORT", "SUPPORT", "OBJECT"), "ADOPTED"),  # exactly 2/3
        ("QUALIFIED_MAJORITY", 0.7, ("SUPPORT", "SUPPORT", "OBJECT"), "REJECTED"),  # 2/3 < 0.7
        ("QUALIFIED_MAJORITY", None, ("SUPPORT", "OBJECT", "ABSTAIN"), "REJECTED"),  # 1/2
        ("QUALIFIED_MAJORITY", 1.0, ("SUPPORT", "SUPPORT", "ABSTAIN"), "ADOPTED"),
        ("QUALIFIED_MAJORITY", None, ("SUPPORT", "SUPPORT", None), "REJECTED"),  # a voice missing
    ],
)
def test_closing_decides_by_the_rule(goal_world, rule, threshold, choices, expected) -> None:  # type: ignore[no-untyped-def]
    w = goal_world
    goal_id = propose(w, rule=rule, threshold=threshold)
    for who, choice in zip(("kindergarten", "school", "college"), choices, strict=True):
        if choice:
            vote(w, who, goal_id, choice)
    assert close(w, goal_id) == expected
    [closed] = w.events("GoalClosed")
    assert closed.status == expected
    assert closed.eligible == sorted(w.subjects.values())


def test_a_withdrawn_subject_drops_out_of_the_decision(goal_world: GoalWorld) -> None:
    w = goal_world
    goal_id = propose(w)  # CONSENSUS
    vote(w, "kindergarten", goal_id, "SUPPORT")
    vote(w, "school", goal_id, "SUPPORT")
    vote(w, "college", goal_id, "OBJECT")
    w.container.registry.withdraw_subject(w.coordinator, w.cluster_id, w.subjects["college"])
    assert close(w, goal_id) == "ADOPTED"  # the objection left with its subject
    [closed] = w.events("GoalClosed")
    assert (closed.supporting, closed.objecting, len(closed.eligible)) == (2, 0, 2)


def test_after_the_closing_date_a_vote_is_a_conflict_and_closing_records_the_decision(
    goal_world: GoalWorld, goal_clock: SettableClock
) -> None:
    w = goal_world
    goal_id = propose(w, closes_on=TODAY + timedelta(days=1))
    goal_clock.advance(1)  # the closing day itself still takes votes
    for who in ("kindergarten", "school"):
        vote(w, who, goal_id, "SUPPORT")
    goal_clock.advance(1)
    message = refused(w, lambda: vote(w, "college", goal_id, "SUPPORT"), "CONFLICT")
    assert str(TODAY + timedelta(days=1)) in message
    assert close(w, goal_id) == "REJECTED"  # the college's voice is missing for good
    assert len(w.events("GoalClosed")) == 1
