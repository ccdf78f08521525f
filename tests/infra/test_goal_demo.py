"""The demo cluster shows the totality of the goal: one goal adopted with every
voice heard, and one open goal whose totality lists the missing voices."""

from __future__ import annotations

from infra.bootstrap import Container
from infra.cli_context import operator_principal
from infra.demo import seed_demo
from services.goal_queries import list_goals

pytest_plugins = ["goal_support"]


def test_the_demo_has_an_adopted_goal_and_an_open_one_with_missing_voices(
    goal_container: Container,
) -> None:
    operator = operator_principal("Platform operator")
    demo = seed_demo(goal_container, operator)
    scope = goal_container.queries.scope(operator, demo.cluster_id)
    [adopted] = list_goals(scope, "ADOPTED")
    assert adopted.goal.closed_at is not None
    assert (adopted.totality.eligible, adopted.totality.complete) == (8, True)
    assert (adopted.totality.supporting, adopted.totality.objecting) == (6, 1)
    [still_open] = list_goals(scope, "OPEN")
    assert still_open.goal.closes_on is not None
    assert (still_open.totality.voted, len(still_open.totality.missing_voices)) == (4, 4)
    assert list_goals(scope, "REJECTED") == []
