"""Thirty subjects vote on one goal at the same moment, over HTTP, against two
`clusterwork serve` processes sharing one PostgreSQL database. Every vote is
recorded and nobody sees an error: writers in one process take turns, and the
goal's optimistic-concurrency conflicts between the processes are retried."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e_server import OPERATIONS, Server, fresh_database, serve

from domain.cluster import ClusterFounding, MemberAddition, SubjectAdmission
from infra.bootstrap import Container, bootstrap
from infra.cli_context import member_principal, operator_principal
from infra.settings import Settings

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.slow]

VOTERS = 30
# 20 SUPPORT (the first 10 with an interest link), 8 OBJECT, 2 ABSTAIN.
CHOICES = ["SUPPORT"] * 20 + ["OBJECT"] * 8 + ["ABSTAIN"] * 2


def second_server_dir(first: Server, tmp_path: Path) -> Path:
    """The second process's data dir: the same signing key (so tokens work on
    both), the same secret key (so both open the members' sealed names and
    e-mails) and the demo marker (so it does not seed the demo a second time)."""
    target = tmp_path / "serve-b"
    target.mkdir()
    for name in ("signing-key.jwk", "secret-key", "demo-cluster.json"):
        shutil.copy(first.data_dir / name, target / name)
    return target


def voting_cluster(first: Server, url: str) -> tuple[str, list[str]]:
    """A cluster of 30 subjects with a member each; their tokens (minted in-process
    with the servers' key, as `clusterwork token --cluster --member` does)."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=first.data_dir,
        database_url=url,
        log_level="WARNING",
    )
    container = bootstrap(settings)
    try:
        return _populate(container)
    finally:
        container.close()


def _populate(container: Container) -> tuple[str, list[str]]:
    operator, registry = operator_principal("Platform operator"), container.registry
    cluster_id = registry.found_cluster(
        operator, ClusterFounding("Altai cluster", "Altai", "GEOGRAPHIC")
    ).id
    tokens = []
    for n in range(VOTERS):
        subject = registry.admit_subject(
            operator, cluster_id, SubjectAdmission(f"School {n}", "SCHOOL", None)
        ).subject
        member = registry.add_member(
            operator, cluster_id, MemberAddition(f"Voter {n}", None, subject.id, ["MEMBER"])
        ).member
        tokens.append(container.tokens.mint(member_principal(container, cluster_id, member.id)))
    return cluster_id, tokens


def post(base_url: str, name: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    query = (OPERATIONS / f"{name}.graphql").read_text()
    with httpx.Client(base_url=base_url, timeout=120) as client:
        response = client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
    return response.json()


def vote_together(
    servers: list[str], cluster_id: str, goal_id: str, tokens: list[str]
) -> list[Any]:
    """Every voter posts at the same moment, alternating between the servers."""
    barrier, answers = threading.Barrier(VOTERS), [None] * VOTERS

    def voter(n: int) -> None:
        variables = {
            "clusterId": cluster_id,
            "goalId": goal_id,
            "choice": CHOICES[n],
            "interestLink": f"interest of school {n}" if n < 10 else None,
        }
        barrier.wait(timeout=60)
        answers[n] = post(servers[n % 2], "cast_goal_vote", variables, tokens[n])  # type: ignore[call-overload]

    threads = [threading.Thread(target=voter, args=(n,)) for n in range(VOTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(t.is_alive() for t in threads), "a voter hung"
    return answers


@contextmanager
def two_servers(tmp_path: Path) -> Iterator[tuple[Server, Server, str]]:
    """Two `clusterwork serve` processes on one fresh PostgreSQL database."""
    with (
        fresh_database() as url,
        serve(tmp_path / "serve-a", url) as first,
        serve(second_server_dir(first, tmp_path), url) as second,
    ):
        yield first, second, url


def propose(server: Server, cluster_id: str, token: str) -> str:
    proposal = {
        "title": "One practicum for all",
        "statement": "Every school hosts students.",
        "rule": "QUALIFIED_MAJORITY",
    }
    proposed = post(
        server.base_url, "propose_goal", {"clusterId": cluster_id, "input": proposal}, token
    )
    return proposed["data"]["proposeGoal"]["id"]


def assert_every_vote_counts(server: Server, cluster_id: str, goal_id: str, token: str) -> None:
    found = post(
        server.base_url, "goal_totality", {"clusterId": cluster_id, "goalId": goal_id}, token
    )
    goal = found["data"]["cluster"]["goal"]
    assert (len(goal["votes"]), {v["revision"] for v in goal["votes"]}) == (VOTERS, {1})
    t = goal["totality"]
    assert (t["eligible"], t["voted"], t["complete"]) == (30, 30, True)
    assert (t["supporting"], t["objecting"], t["abstaining"]) == (20, 8, 2)
    assert (t["index"], len(t["unlinkedInterests"])) == (10 / 30, 20)


def assert_closing_adopts_on_an_intact_log(server: Server, cluster_id: str, goal_id: str) -> None:
    coordinator = server.cli_token("--operator")  # the same person who founded the cluster
    ids = {"clusterId": cluster_id, "goalId": goal_id}
    closed = post(server.base_url, "close_goal", ids, coordinator)
    assert closed["data"]["closeGoal"]["status"] == "ADOPTED"  # 20 / 28 >= 2/3
    log = server.graphql(
        'query($id: ID!) { cluster(id: $id) { events(types: ["GoalVoteCast"], first: 500) '
        "{ events { position } } integrity { verified } } }",
        {"id": cluster_id},
        coordinator,
    )["data"]["cluster"]
    assert (len(log["events"]["events"]), log["integrity"]["verified"]) == (VOTERS, True)


def test_thirty_subjects_voting_at_once_are_all_recorded(tmp_path: Path) -> None:
    with two_servers(tmp_path) as (first, second, url):
        cluster_id, tokens = voting_cluster(first, url)
        goal_id = propose(first, cluster_id, tokens[0])
        answers = vote_together([first.base_url, second.base_url], cluster_id, goal_id, tokens)
        assert [a.get("errors") for a in answers] == [None] * VOTERS
        assert_every_vote_counts(second, cluster_id, goal_id, tokens[1])
        assert_closing_adopts_on_an_intact_log(first, cluster_id, goal_id)
