"""A vote that loses a race for the goal is retried on the reloaded goal, so
both voters' votes are recorded (SQLite and PostgreSQL).

Two containers on the same stores stand for two API processes: writers inside
one process take turns, so only another process can slip in between a
command's load and its save. The race is staged deterministically.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from goal_support import GoalWorld, SettableClock, close

import services.goals
from domain.goal import GoalProposal, GoalVote
from infra.bootstrap import Container, bootstrap
from services.goal_queries import find_goal

GOAL = {"title": "Continuous practice", "statement": "Every student practises in a school."}

pytest_plugins = ["goal_support"]


@pytest.fixture
def other_process(goal_world: GoalWorld, goal_clock: SettableClock) -> Iterator[Container]:
    """A second container on the same stores, as a second API process would be."""
    other = bootstrap(goal_world.container.settings, clock=goal_clock)
    yield other
    close(other)


def test_a_vote_that_loses_the_race_is_retried_on_the_reloaded_goal(
    goal_world: GoalWorld, other_process: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = goal_world
    goal_id = w.container.goals.propose_goal(
        w.voters["school"], w.cluster_id, GoalProposal(**GOAL)
    ).id
    ours = w.container.partitions.open(w.cluster_id)
    loads: list[int] = []  # versions of the goal our command loaded
    real_load = services.goals.load_goal

    def load_then_let_the_other_process_vote(partition, key):  # type: ignore[no-untyped-def]
        goal = real_load(partition, key)
        if partition is ours:
            loads.append(goal.version)
            if len(loads) == 1:  # between our load and our save, the college votes elsewhere
                other_process.goals.cast_goal_vote(
                    w.voters["college"], w.cluster_id, goal_id, GoalVote("OBJECT")
                )
        return goal

    monkeypatch.setattr(services.goals, "load_goal", load_then_let_the_other_process_vote)
    w.container.goals.cast_goal_vote(
        w.voters["kindergarten"], w.cluster_id, goal_id, GoalVote("SUPPORT")
    )
    assert loads == [1, 2]  # the retry reloaded the goal with the college's vote
    cast = w.events("GoalVoteCast")
    assert [(e.subject_id, e.originator_version) for e in cast] == [
        (w.subjects["college"], 2),
        (w.subjects["kindergarten"], 3),
    ]
    shown = find_goal(w.container.queries.scope(w.auditor, w.cluster_id), goal_id)
    assert shown is not None and (shown.totality.supporting, shown.totality.objecting) == (1, 1)
