"""Goals through the GraphQL API (graphql/operations/*goal*), on SQLite and
PostgreSQL: the contract's shapes, the error codes, and nothing recorded on failure."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from goal_support import TODAY, GoalWorld, SettableClock
from gql_harness import Api, Outcome, operation

from services.principal import Principal

pytest_plugins = ["goal_support"]


@pytest.fixture
def api(goal_world: GoalWorld) -> Api:
    return Api(goal_world.container)


def propose(api: Api, w: GoalWorld, who: Principal | None = None, **input: Any) -> Outcome:
    values = {"title": "Continuous practice", "statement": "Every student practises.", **input}
    return api.run(
        operation("propose_goal"),
        {"clusterId": w.cluster_id, "input": values},
        principal=who or w.voters["school"],
    )


def vote(
    api: Api, w: GoalWorld, who: Principal, goal_id: str, choice: str, link: str | None = None
) -> Outcome:
    variables = {
        "clusterId": w.cluster_id,
        "goalId": goal_id,
        "choice": choice,
        "interestLink": link,
    }
    return api.run(operation("cast_goal_vote"), variables, principal=who)


def close(api: Api, w: GoalWorld, goal_id: str, who: Principal | None = None) -> Outcome:
    variables = {"clusterId": w.cluster_id, "goalId": goal_id}
    return api.run(operation("close_goal"), variables, principal=who or w.coordinator)


def goal(api: Api, w: GoalWorld, goal_id: str) -> dict[str, Any]:
    variables = {"clusterId": w.cluster_id, "goalId": goal_id}
    return api.run(operation("goal_totality"), variables, principal=w.auditor).ok()["cluster"][
        "goal"
    ]


def refused(
    api: Api, w: GoalWorld, outcome: Outcome, head: int, code: str, field: str | None = None
) -> None:
    assert outcome.codes == [code], outcome.errors
    assert outcome.errors[0]["extensions"].get("field") == field
    assert api.position(w.cluster_id, w.coordinator) == head


def test_two_of_three_adopts_a_qualified_majority_goal(api: Api, goal_world: GoalWorld) -> None:
    w = goal_world
    proposed = propose(api, w, rule="QUALIFIED_MAJORITY", horizonYears=5).ok()["proposeGoal"]
    assert (proposed["status"], proposed["threshold"], proposed["horizonYears"]) == (
        "OPEN",
        2 / 3,
        5,
    )
    assert proposed["proposedBy"]["id"] == w.subjects["school"]
    gid = proposed["id"]
    vote(api, w, w.voters["kindergarten"], gid, "SUPPORT", "pupils go on to school").ok()
    vote(api, w, w.voters["school"], gid, "SUPPORT").ok()
    shown = vote(api, w, w.voters["college"], gid, "OBJECT", "jobs first").ok()["castGoalVote"]
    assert shown["totality"] == {"eligible": 3, "voted": 3, "index": 1 / 3, "complete": True}
    found = goal(api, w, gid)["totality"]
    assert [s["id"] for s in found["unlinkedInterests"]] == [w.subjects["school"]]
    assert (found["supporting"], found["objecting"], found["missingVoices"]) == (2, 1, [])
    assert close(api, w, gid).ok()["closeGoal"]["status"] == "ADOPTED"
    listed = api.run(
        operation("cluster_goals"), {"id": w.cluster_id, "status": "ADOPTED"}, principal=w.auditor
    )
    assert [g["id"] for g in listed.ok()["cluster"]["goals"]] == [gid]


def test_one_objection_rejects_a_consensus_goal(api: Api, goal_world: GoalWorld) -> None:
    w = goal_world
    gid = propose(api, w).ok()["proposeGoal"]["id"]
    for key, choice in (("kindergarten", "SUPPORT"), ("school", "ABSTAIN"), ("college", "OBJECT")):
        vote(api, w, w.voters[key], gid, choice).ok()
    assert close(api, w, gid).ok()["closeGoal"]["status"] == "REJECTED"


def test_voting_again_is_the_next_revision(api: Api, goal_world: GoalWorld) -> None:
    w = goal_world
    gid = propose(api, w).ok()["proposeGoal"]["id"]
    vote(api, w, w.voters["college"], gid, "OBJECT").ok()
    vote(api, w, w.voters["college"], gid, "SUPPORT", "graduates teach here").ok()
    [latest] = goal(api, w, gid)["votes"]
    assert (latest["choice"], latest["interestLink"], latest["revision"]) == (
        "SUPPORT",
        "graduates teach here",
        2,
    )
    assert latest["castBy"]["id"] == w.voter_ids["college"]
    assert latest["castAt"].endswith("+00:00")


@pytest.mark.parametrize(
    ("input", "field"),
    [
        ({"title": "  "}, "title"),
        ({"statement": ""}, "statement"),
        ({"horizonYears": 0}, "horizonYears"),
        ({"rule": "QUALIFIED_MAJORITY", "threshold": 0.5}, "threshold"),
        ({"rule": "QUALIFIED_MAJORITY", "threshold": 1.2}, "threshold"),
        ({"closesOn": str(TODAY - timedelta(days=1))}, "closesOn"),
    ],
)
def test_a_bad_proposal_says_which_field(api: Api, goal_world: GoalWorld, input, field) -> None:  # type: ignore[no-untyped-def]
    head = api.position(goal_world.cluster_id, goal_world.coordinator)
    refused(api, goal_world, propose(api, goal_world, **input), head, "BAD_USER_INPUT", field)


def test_who_may_not_vote_or_close_is_forbidden(api: Api, goal_world: GoalWorld) -> None:
    w = goal_world
    gid = propose(api, w).ok()["proposeGoal"]["id"]
    head = api.position(w.cluster_id, w.coordinator)
    refused(api, w, vote(api, w, w.auditor, gid, "SUPPORT"), head, "FORBIDDEN")
    refused(api, w, vote(api, w, w.unattached, gid, "SUPPORT"), head, "FORBIDDEN")
    refused(api, w, close(api, w, gid, w.voters["school"]), head, "FORBIDDEN")
    refused(api, w, propose(api, w, w.auditor), head, "FORBIDDEN")


def test_a_closed_goal_is_a_conflict_and_an_unknown_goal_is_not_found(
    api: Api, goal_world: GoalWorld
) -> None:
    w = goal_world
    gid = propose(api, w).ok()["proposeGoal"]["id"]
    close(api, w, gid).ok()
    head = api.position(w.cluster_id, w.coordinator)
    refused(api, w, vote(api, w, w.voters["school"], gid, "SUPPORT"), head, "CONFLICT")
    refused(api, w, close(api, w, gid), head, "CONFLICT")
    unknown = "0b7d4f5e-1111-4222-8333-444455556666"
    refused(api, w, vote(api, w, w.voters["school"], unknown, "SUPPORT"), head, "NOT_FOUND")
    refused(api, w, close(api, w, unknown), head, "NOT_FOUND")
    assert goal(api, w, unknown) is None


def test_a_withdrawn_subject_leaves_the_totality(api: Api, goal_world: GoalWorld) -> None:
    w = goal_world
    gid = propose(api, w).ok()["proposeGoal"]["id"]
    vote(api, w, w.voters["college"], gid, "OBJECT").ok()
    w.container.registry.withdraw_subject(w.coordinator, w.cluster_id, w.subjects["college"])
    found = goal(api, w, gid)
    assert (found["totality"]["eligible"], found["totality"]["objecting"]) == (2, 0)
    assert [v["subject"]["active"] for v in found["votes"]] == [False]


def test_past_its_closing_date_a_goal_shows_its_decision_and_takes_no_votes(
    api: Api, goal_world: GoalWorld, goal_clock: SettableClock
) -> None:
    w = goal_world
    gid = propose(api, w, closesOn=str(TODAY)).ok()["proposeGoal"]["id"]
    for key in ("kindergarten", "school", "college"):
        vote(api, w, w.voters[key], gid, "SUPPORT").ok()
    goal_clock.advance(1)
    assert goal(api, w, gid)["status"] == "ADOPTED"
    head = api.position(w.cluster_id, w.coordinator)
    refused(api, w, vote(api, w, w.voters["college"], gid, "OBJECT"), head, "CONFLICT")
    assert close(api, w, gid).ok()["closeGoal"]["status"] == "ADOPTED"
    assert api.position(w.cluster_id, w.coordinator) == head + 1
