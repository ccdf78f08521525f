"""Goal commands on the fakes: propose, vote, close by the rule, the totality view,
and every refusal coded, with nothing recorded."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from fast_world import TODAY, FastWorld, refused

from domain.cluster import InterestDeclaration
from domain.goal import GoalProposal, GoalVote
from services.goal_queries import find_goal


def propose(w: FastWorld, who: Any = None, **changes: Any) -> str:
    values: dict[str, Any] = {"title": "Practice schools", "statement": "Every student practises"}
    values.update(changes)
    return w.goals.propose_goal(who or w.ivan, w.cluster_id, GoalProposal(**values)).id


def vote(w: FastWorld, who: Any, goal_id: str, choice: str, link: str | None = None) -> str:
    return w.goals.cast_goal_vote(
        who, w.cluster_id, goal_id, GoalVote(choice, link)
    ).recorded_status


def test_a_member_proposes_for_their_own_subject(world: FastWorld) -> None:
    w = world
    goal_id = propose(w, rule="QUALIFIED_MAJORITY", threshold=0.75, closes_on=TODAY)
    goal = find_goal(w.queries.scope(w.ivan, w.cluster_id), goal_id)
    assert goal is not None
    assert (goal.goal.proposed_by, goal.goal.rule, goal.goal.threshold, goal.status) == (
        w.school_id,
        "QUALIFIED_MAJORITY",
        0.75,
        "OPEN",
    )
    [proposed] = [e for e in w.events() if type(e).__name__ == "GoalProposed"]
    assert (proposed.actor_member_id, proposed.closes_on) == (w.ivan_id, TODAY.isoformat())


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": " "}, "title"),
        ({"statement": ""}, "statement"),
        ({"horizon_years": 0}, "horizonYears"),
        ({"rule": "QUALIFIED_MAJORITY", "threshold": 0.5}, "threshold"),
        ({"rule": "UNANIMITY"}, "rule"),
        ({"closes_on": TODAY - timedelta(days=1)}, "closesOn"),
    ],
)
def test_a_bad_proposal_is_bad_user_input(world: FastWorld, changes: Any, field: str) -> None:
    refused(world, lambda: propose(world, **changes), "BAD_USER_INPUT", field)


def test_an_auditor_or_a_coordinator_without_a_subject_proposes_nothing(world: FastWorld) -> None:
    for who in (world.anna, world.operator):
        refused(world, lambda p=who: propose(world, p), "FORBIDDEN")


def test_the_totality_counts_voices_links_and_missing_subjects(world: FastWorld) -> None:
    w = world
    w.registry.declare_interest(
        w.ivan, w.cluster_id, w.school_id, InterestDeclaration("SOCIAL", "Teachers")
    )
    goal_id = propose(w)
    vote(w, w.ivan, goal_id, "SUPPORT", "SOCIAL")
    goal = find_goal(w.queries.scope(w.ivan, w.cluster_id), goal_id)
    assert goal is not None
    totality = goal.totality
    assert (totality.eligible, totality.voted, totality.supporting) == (2, 1, 1)
    assert [s.id for s in totality.missing_voices] == [w.college_id]
    assert (totality.index, totality.complete) == (0.5, False)
    vote(w, w.petr, goal_id, "SUPPORT")  # without an interest link
    goal = find_goal(w.queries.scope(w.ivan, w.cluster_id), goal_id)
    assert goal is not None
    assert [s.id for s in goal.totality.unlinked_interests] == [w.college_id]
    assert (goal.totality.index, goal.totality.complete) == (0.5, True)


def test_voting_again_is_a_revision_and_the_view_keeps_the_latest(world: FastWorld) -> None:
    w = world
    goal_id = propose(w)
    vote(w, w.ivan, goal_id, "OBJECT")
    head = w.head()
    vote(w, w.ivan, goal_id, "OBJECT")  # unchanged: nothing recorded
    assert w.head() == head
    vote(w, w.ivan, goal_id, "SUPPORT")
    goal = find_goal(w.queries.scope(w.ivan, w.cluster_id), goal_id)
    assert goal is not None
    assert [(v.subject_id, v.choice, v.revision) for v in goal.votes] == [
        (w.school_id, "SUPPORT", 2)
    ]


@pytest.mark.parametrize(
    ("rule", "choices", "expected"),
    [
        ("CONSENSUS", ("SUPPORT", "ABSTAIN"), "ADOPTED"),
        ("CONSENSUS", ("SUPPORT", "OBJECT"), "REJECTED"),
        ("CONSENSUS", ("SUPPORT", None), "REJECTED"),  # a voice missing
        ("QUALIFIED_MAJORITY", ("SUPPORT", "OBJECT"), "REJECTED"),  # 1/2 < 2/3
        ("QUALIFIED_MAJORITY", ("SUPPORT", "ABSTAIN"), "ADOPTED"),
    ],
)
def test_closing_decides_by_the_rule_on_every_eligible_voice(
    world: FastWorld, rule: str, choices: tuple[str | None, str | None], expected: str
) -> None:
    w = world
    goal_id = propose(w, rule=rule)
    for who, choice in zip((w.ivan, w.petr), choices, strict=True):
        if choice:
            vote(w, who, goal_id, choice)
    closed = w.goals.close_goal(w.operator, w.cluster_id, goal_id)
    assert (closed.recorded_status, closed.decided_eligible) == (
        expected,
        tuple(sorted((w.school_id, w.college_id))),
    )
    [event] = [e for e in w.events() if type(e).__name__ == "GoalClosed"]
    assert event.status == expected


def test_a_withdrawn_subjects_objection_leaves_with_it(world: FastWorld) -> None:
    w = world
    goal_id = propose(w)
    vote(w, w.ivan, goal_id, "SUPPORT")
    vote(w, w.petr, goal_id, "OBJECT")
    w.registry.withdraw_subject(w.operator, w.cluster_id, w.college_id)
    closed = w.goals.close_goal(w.operator, w.cluster_id, goal_id)
    assert (closed.recorded_status, closed.decided_eligible) == ("ADOPTED", (w.school_id,))


def test_only_a_coordinator_closes_and_a_closed_goal_takes_nothing(world: FastWorld) -> None:
    w = world
    goal_id = propose(w)
    for who in (w.ivan, w.anna):
        refused(w, lambda p=who: w.goals.close_goal(p, w.cluster_id, goal_id), "FORBIDDEN")
    w.goals.close_goal(w.operator, w.cluster_id, goal_id)
    refused(w, lambda: vote(w, w.ivan, goal_id, "SUPPORT"), "CONFLICT")
    refused(w, lambda: w.goals.close_goal(w.operator, w.cluster_id, goal_id), "CONFLICT")


def test_votes_are_refused_with_their_codes(world: FastWorld) -> None:
    w = world
    goal_id = propose(w)
    refused(w, lambda: vote(w, w.ivan, goal_id, "MAYBE"), "BAD_USER_INPUT", "choice")
    refused(w, lambda: vote(w, w.anna, goal_id, "SUPPORT"), "FORBIDDEN")
    refused(w, lambda: vote(w, w.ivan, str(uuid.uuid4()), "SUPPORT"), "NOT_FOUND")
    refused(w, lambda: vote(w, w.ivan, "not-an-id", "SUPPORT"), "NOT_FOUND")


def test_after_the_closing_date_a_vote_is_a_conflict(world: FastWorld) -> None:
    w = world
    goal_id = propose(w, closes_on=TODAY)
    vote(w, w.ivan, goal_id, "SUPPORT")  # the closing day itself still takes votes
    w.clock.day = TODAY + timedelta(days=1)
    message = refused(w, lambda: vote(w, w.petr, goal_id, "SUPPORT"), "CONFLICT")
    assert str(TODAY) in message
    goal = find_goal(w.queries.scope(w.ivan, w.cluster_id), goal_id)
    assert goal is not None and goal.status == "REJECTED"  # as closeGoal would record it
