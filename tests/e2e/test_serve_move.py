"""A cluster moved away from a running server: `clusterwork cluster move`, run as its
own process beside `clusterwork serve` on SQLite, takes the demo cluster to
PostgreSQL; the running server then refuses writes to it with a CONFLICT that
names where it lives (it learns it from its store, not from a message), still
answers reads, and a server on PostgreSQL takes the writes, for the same token."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_server import codes, fresh_database, serve

from testkit import server as launcher

ADMIT = (
    "mutation($c: ID!, $n: String!) { admitSubject(clusterId: $c, "
    "input: {name: $n, kind: SCHOOL}) { id name } }"
)


@pytest.mark.postgres
def test_a_running_server_refuses_writes_to_a_cluster_moved_away(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with fresh_database() as url, serve(data_dir) as source:
        cluster, token = source.demo_cluster_id, source.token
        before = source.position(cluster, token)
        taken = source.graphql(ADMIT, {"c": cluster, "n": "Before the move"}, token)
        assert not taken.get("errors"), taken
        printed = launcher.cli(
            source.env, data_dir, "cluster", "move", "--cluster", cluster, "--to", url
        )
        assert f"moved cluster {cluster} to postgresql://" in printed
        refused = source.graphql(ADMIT, {"c": cluster, "n": "After the move"}, token)
        assert codes(refused) == ["CONFLICT"], refused
        assert refused["errors"][0]["message"].startswith("cluster moved to postgresql://")
        assert source.position(cluster, token) == before + 1  # reads still answered
        status = launcher.cli(source.env, data_dir, "cluster", "status", "--cluster", cluster)
        assert "writes      refused: cluster moved to postgresql://" in status
        with serve(data_dir, url, name="target") as target:
            assert target.demo_cluster_id == cluster
            assert target.position(cluster, token) == before + 1
            moved = target.graphql(ADMIT, {"c": cluster, "n": "On PostgreSQL"}, token)
            assert not moved.get("errors"), moved
            assert target.position(cluster, token) == before + 2
