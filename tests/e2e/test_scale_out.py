"""Several API processes and projection workers on one PostgreSQL database.

API processes run with --no-worker; `clusterwork worker` processes project.
Subscriptions read the log itself and are woken through LISTEN/NOTIFY, so a
subscriber on one API process sees writes made through another.
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from e2e_server import Server, clusterwork_command, fresh_database, serve, stop
from live_client import Subscriber

pytestmark = [pytest.mark.postgres, pytest.mark.e2e, pytest.mark.slow]

ADMIT = "mutation($c: ID!, $n: String!) { admitSubject(clusterId: $c, input: {name: $n, kind: SCHOOL}) { id } }"
VIEWS = """query($c: ID!, $at: Int) { cluster(id: $c, asOf: $at) { position
  subjects(includeInactive: true) { id name kind active interests { kind statement } }
  members { id name roles subject { id } } continuity { gaps } } }"""


@contextmanager
def worker(server: Server, log_name: str) -> Iterator[subprocess.Popen[bytes]]:
    """`clusterwork worker` with the servers' settings."""
    with (server.data_dir / f"{log_name}.err").open("w") as err:
        process = subprocess.Popen(
            [clusterwork_command(), "worker"],
            env=server.env,
            cwd=server.data_dir,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        yield process
    finally:
        stop(process)


@contextmanager
def two_api_processes(tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    with ExitStack() as stack:
        url = stack.enter_context(fresh_database())
        data = tmp_path / "data"
        first = stack.enter_context(serve(data, url, "--no-worker", name="api1"))
        second = stack.enter_context(serve(data, url, "--no-worker", name="api2"))
        yield first, second


def admit(server: Server, name: str) -> None:
    body = server.graphql(ADMIT, {"c": server.demo_cluster_id, "n": name}, server.token)
    assert not body.get("errors"), body


def assert_views_equal_a_fresh_replay(server: Server) -> None:
    """The live read model equals the same projections run afresh over the log."""
    live = server.graphql(VIEWS, {"c": server.demo_cluster_id}, server.token)["data"]["cluster"]
    replayed = server.graphql(
        VIEWS, {"c": server.demo_cluster_id, "at": live["position"]}, server.token
    )["data"]["cluster"]
    assert live == replayed


def test_events_written_through_one_api_reach_a_subscriber_of_the_other_across_a_worker_crash(
    tmp_path: Path,
) -> None:
    with two_api_processes(tmp_path) as (api1, api2), ExitStack() as stack:
        head = api1.position(api1.demo_cluster_id, api1.token)
        subscriber = Subscriber(api1.base_url, api1.token, api1.demo_cluster_id, after=head).start()
        stack.callback(subscriber.stop)
        first = stack.enter_context(worker(api1, "worker1"))
        for i in range(15):
            admit(api2, f"Before the crash {i}")
        first.send_signal(signal.SIGKILL)  # mid-storm: no chance to clean up
        first.wait(timeout=10)
        for i in range(15):
            admit(api2, f"Without a worker {i}")
        stack.enter_context(worker(api1, "worker2"))
        for i in range(15):
            admit(api1 if i % 2 else api2, f"After the restart {i}")
        subscriber.wait_for(head + 45, timeout=60)
        assert subscriber.positions == list(range(head + 1, head + 46))
        assert_views_equal_a_fresh_replay(api1)
        assert_views_equal_a_fresh_replay(api2)


def test_two_workers_under_a_write_storm_never_apply_an_event_twice(tmp_path: Path) -> None:
    with two_api_processes(tmp_path) as (api1, api2), worker(api1, "w1"), worker(api1, "w2"):
        head = api1.position(api1.demo_cluster_id, api1.token)
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda i: admit((api1, api2)[i % 2], f"Storm school {i}"), range(80)))
        assert api2.position(api2.demo_cluster_id, api2.token) == head + 80
        subjects = api1.graphql(VIEWS, {"c": api1.demo_cluster_id}, api1.token)["data"]["cluster"][
            "subjects"
        ]
        storm = [s["name"] for s in subjects if s["name"].startswith("Storm school")]
        assert sorted(storm) == sorted(f"Storm school {i}" for i in range(80))
        assert_views_equal_a_fresh_replay(api1)
