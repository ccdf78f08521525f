"""Optimistic concurrency on every kind of aggregate: the same command pair is
sent at the same moment through two containers on the same stores (as two API
processes would: inside one process writers take turns). Each pair either
both succeeds (the loser of the race is retried on the reloaded aggregate) or
one gets CONFLICT with a message; the log holds exactly one event per success,
nothing lost and nothing doubled (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from hardening_world import Gql, World, build_world, codes

from infra.bootstrap import Container, bootstrap
from infra.cli_context import member_principal
from services.principal import Principal

ROUNDS = 3
Job = tuple[str, dict[str, Any], Principal]  # document, variables, caller


@pytest.fixture
def two(container: Container) -> Iterator[tuple[Gql, Gql, World]]:
    other = bootstrap(container.settings)
    try:
        gql = Gql(container)
        yield gql, Gql(other), build_world(gql, "Race")
    finally:
        other.close()


def at_once(pairs: list[tuple[Gql, Job]]) -> list[dict[str, Any]]:
    barrier, results = threading.Barrier(len(pairs)), [{}] * len(pairs)

    def go(index: int, gql: Gql, job: Job) -> None:
        barrier.wait(timeout=30)
        results[index] = gql.run(*job)

    threads = [threading.Thread(target=go, args=(i, g, j)) for i, (g, j) in enumerate(pairs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def one(gql: Gql, document: str, variables: dict[str, Any], who: Principal) -> str:
    data = gql.ok(document, variables, who)
    return str(next(iter(data.values()))["id"])


def new_goal(gql: Gql, w: World) -> str:
    title = {"title": f"Goal {uuid.uuid4().hex[:6]}", "statement": "Both voices count."}
    return one(gql, PROPOSE, {"c": w.cluster_id, "i": title}, w.coordinator)


def new_milestone(gql: Gql, w: World) -> str:
    due = (date.today() + timedelta(days=30)).isoformat()
    variables = {"c": w.cluster_id, "p": w.ids["project"], "i": {"title": "M", "due": due}}
    return one(gql, PLAN, variables, w.coordinator)


def new_round(gql: Gql, w: World) -> str:
    variables = {"c": w.cluster_id, "t": f"Round {uuid.uuid4().hex[:6]}", "n": [w.ids["norm"]]}
    return one(gql, OPEN_ROUND, variables, w.coordinator)


PROPOSE = (
    "mutation($c: ID!, $i: ProposeGoalInput!) { proposeGoal(clusterId: $c, input: $i) { id } }"
)
PLAN = (
    "mutation($c: ID!, $p: ID!, $i: PlanMilestoneInput!) "
    "{ planMilestone(clusterId: $c, projectId: $p, input: $i) { id } }"
)
OPEN_ROUND = (
    "mutation($c: ID!, $t: String!, $n: [ID!]!) "
    "{ openAssessmentRound(clusterId: $c, title: $t, normIds: $n) { id } }"
)
VOTE = (
    "mutation($c: ID!, $g: ID!) { castGoalVote(clusterId: $c, goalId: $g, choice: SUPPORT) { id } }"
)
CLOSE_GOAL = "mutation($c: ID!, $g: ID!) { closeGoal(clusterId: $c, goalId: $g) { id } }"
ADMIT = (
    "mutation($c: ID!, $i: AdmitSubjectInput!) { admitSubject(clusterId: $c, input: $i) { id } }"
)
REACH = (
    "mutation($c: ID!, $p: ID!, $m: ID!, $i: ReachMilestoneInput!) "
    "{ reachMilestone(clusterId: $c, projectId: $p, milestoneId: $m, input: $i) { id } }"
)
MISS = (
    "mutation($c: ID!, $p: ID!, $m: ID!) "
    '{ missMilestone(clusterId: $c, projectId: $p, milestoneId: $m, reason: "late") { id } }'
)
CLOSE_ROUND = (
    "mutation($c: ID!, $r: ID!) { closeAssessmentRound(clusterId: $c, roundId: $r) { id } }"
)
ASSESS = (
    "mutation($c: ID!, $r: ID!, $a: ID!, $n: ID!, $s: Float!) { recordAssessment(clusterId: $c, "
    "roundId: $r, assesseeId: $a, normId: $n, score: $s) { revision } }"
)


def pairs_for(case: str, gql: Gql, w: World, voter: Principal) -> tuple[Job, Job]:
    """The two commands of a case, on a fresh target where the case needs one."""
    c, me = w.cluster_id, w.coordinator
    if case == "admitSubject":  # the cluster aggregate
        return tuple(  # type: ignore[return-value]
            (ADMIT, {"c": c, "i": {"name": f"S {uuid.uuid4().hex[:6]}", "kind": "SCHOOL"}}, me)
            for _ in range(2)
        )
    if case == "castGoalVote":  # a goal, two subjects voting
        goal = new_goal(gql, w)
        return (VOTE, {"c": c, "g": goal}, me), (VOTE, {"c": c, "g": goal}, voter)
    if case == "closeGoal":
        goal = new_goal(gql, w)
        return (CLOSE_GOAL, {"c": c, "g": goal}, me), (CLOSE_GOAL, {"c": c, "g": goal}, me)
    if case == "planMilestone":  # a project
        due = (date.today() + timedelta(days=30)).isoformat()
        job = (PLAN, {"c": c, "p": w.ids["project"], "i": {"title": "Twin", "due": due}}, me)
        return job, job
    if case == "reachOrMissMilestone":
        m = {"c": c, "p": w.ids["project"], "m": new_milestone(gql, w)}
        reached = {"reachedOn": date.today().isoformat(), "actualResult": "Done"}
        return (REACH, {**m, "i": reached}, me), (MISS, m, me)
    if case == "closeAssessmentRound":
        r = {"c": c, "r": new_round(gql, w)}
        return (CLOSE_ROUND, r, me), (CLOSE_ROUND, r, me)
    assert case == "recordAssessment"  # one scorecard, two revisions
    job = (
        ASSESS,
        {"c": c, "r": w.ids["round"], "a": w.ids["subject"], "n": w.ids["norm"], "s": 3.0},
        me,
    )
    return job, job


# case → (event type, successes allowed: "both", or "one" plus a CONFLICT)
CASES = {
    "admitSubject": ("SubjectAdmitted", "both"),
    "castGoalVote": ("GoalVoteCast", "both"),
    "closeGoal": ("GoalClosed", "one"),
    "planMilestone": ("MilestonePlanned", "both"),
    "reachOrMissMilestone": (("MilestoneReached", "MilestoneMissed"), "one"),
    "closeAssessmentRound": ("AssessmentRoundClosed", "one"),
    "recordAssessment": ("AssessmentRecorded", "both"),
}


def count(gql: Gql, w: World, types: str | tuple[str, ...]) -> int:
    names = [types] if isinstance(types, str) else list(types)
    log = gql.container.partitions.open(w.cluster_id).log
    return len(log.read(0, 100_000, types=names))


@pytest.mark.parametrize("case", list(CASES))
def test_a_race_on_one_aggregate_loses_and_doubles_nothing(
    two: tuple[Gql, Gql, World], case: str
) -> None:
    ours, theirs, w = two
    voter = member_principal(ours.container, w.cluster_id, w.ids["member"])
    types, allowed = CASES[case]
    for _ in range(ROUNDS):
        first, second = pairs_for(case, ours, w, voter)
        before = count(ours, w, types)
        outcomes = at_once([(ours, first), (theirs, second)])
        succeeded = [o for o in outcomes if not o["errors"]]
        refused = [o for o in outcomes if o["errors"]]
        assert all(codes(o) == ["CONFLICT"] and o["errors"][0]["message"] for o in refused), refused
        assert len(succeeded) == (2 if allowed == "both" else 1), outcomes
        assert count(ours, w, types) - before == len(succeeded), "lost or doubled"
