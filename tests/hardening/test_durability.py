"""Durability under a crash, and ordering under concurrent writers, on a real
`clusterwork serve` (SQLite and PostgreSQL).

8 writers admit subjects as fast as the server answers; meanwhile one reader
tails the log with ``events(after:)`` and another holds a clusterEvents
subscription. The server is SIGKILLed mid-storm and restarted on the same data:
- every write that was answered with success is in the log exactly once, and
  in the view; a write cut off without an answer is there at most once;
- the view then holds exactly the log's subjects (projected once each);
- the log is gapless 1..head and its hash chain verifies;
- neither reader ever saw an event arrive below a position it had already read
  (each page and each delivery continued exactly at last + 1), and what they
  saw is what the restarted server has at those positions.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from killable import Subscriber, fresh_database, kill, running

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

WRITERS = 8
ANSWERED_BEFORE_KILL = 120
STORM_SECONDS = 20
ADMIT = (
    "mutation($c: ID!, $i: AdmitSubjectInput!) "
    "{ admitSubject(clusterId: $c, input: $i) { id name } }"
)
FOUND = "mutation($i: FoundClusterInput!) { foundCluster(input: $i) { id } }"
PAGE = (
    "query($c: ID!, $after: Int!) { cluster(id: $c) { position "
    "events(after: $after, first: 500) { hasMore events { position type hash data } } } }"
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Path, str | None]]:
    if request.param == "sqlite":
        yield tmp_path / "data", None
        return
    with fresh_database() as url:
        yield tmp_path / "data", url


@dataclass
class Storm:
    base_url: str
    token: str
    cluster_id: str
    answered: list[str] = field(default_factory=list)
    cut_off: list[str] = field(default_factory=list)
    tail: list[tuple[int, str]] = field(default_factory=list)
    late: list[str] = field(default_factory=list)
    stopped: threading.Event = field(default_factory=threading.Event)

    def post(self, http: httpx.Client, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}"}
        return http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        ).json()

    def writer(self, number: int) -> None:
        with httpx.Client(base_url=self.base_url, timeout=30) as http:
            for i in range(500):
                name = f"Writer {number} school {i}"
                variables = {"c": self.cluster_id, "i": {"name": name, "kind": "SCHOOL"}}
                try:
                    body = self.post(http, ADMIT, variables)
                except httpx.TransportError:
                    self.cut_off.append(name)
                    return
                assert not body.get("errors"), body
                self.answered.append(name)

    def reader(self) -> None:
        """Tails with events(after: last): each page must start at last + 1."""
        last = 0
        with httpx.Client(base_url=self.base_url, timeout=30) as http:
            while not self.stopped.is_set():
                try:
                    page = self.post(http, PAGE, {"c": self.cluster_id, "after": last})
                except httpx.TransportError:
                    return
                events = page["data"]["cluster"]["events"]["events"]
                positions = [e["position"] for e in events]
                if positions != list(range(last + 1, last + 1 + len(positions))):
                    self.late.append(f"after {last} the page was {positions[:10]}…")
                self.tail += [(e["position"], e["hash"]) for e in events]
                last = positions[-1] if positions else last
                time.sleep(0.01)


def test_sigkill_mid_storm_loses_no_answered_write_and_readers_see_no_late_arrival(
    store: tuple[Path, str | None],
) -> None:
    data_dir, url = store
    with running(data_dir, url, "first") as (process, server):
        operator = server.cli_token("--operator")
        form = {"name": "Storm cluster", "region": "Kazan", "form": "GEOGRAPHIC"}
        cluster = server.graphql(FOUND, {"i": form}, operator)["data"]["foundCluster"]["id"]
        storm = Storm(server.base_url, operator, cluster)
        subscriber = Subscriber(server.base_url, operator, cluster).start()
        threads = [threading.Thread(target=storm.writer, args=(n,)) for n in range(WRITERS)]
        threads.append(threading.Thread(target=storm.reader))
        started = time.monotonic()
        for thread in threads:
            thread.start()
        while (
            len(storm.answered) < ANSWERED_BEFORE_KILL
            and time.monotonic() - started < STORM_SECONDS
        ):
            time.sleep(0.02)
        kill(process)
        storm.stopped.set()
        for thread in threads:
            thread.join(timeout=60)
        subscriber.stop()
    assert len(storm.answered) >= ANSWERED_BEFORE_KILL // 2, "the storm never got going"
    with running(data_dir, url, "restarted") as (_, server):
        log = read_log(server, operator, cluster)
        check_log(log, storm)
        check_readers(log, storm, subscriber)
        check_view(server, operator, cluster, storm.answered, log)
        integrity = server.graphql(
            "query($c: ID!) { cluster(id: $c) { integrity { verified head } } }",
            {"c": cluster},
            operator,
        )["data"]["cluster"]["integrity"]
        assert integrity == {"verified": True, "head": len(log)}
    print(
        f"\n[{'postgres' if url else 'sqlite'}] {len(storm.answered)} answered, "
        f"{len(storm.cut_off)} cut off, log head {len(log)}, tail read {len(storm.tail)}, "
        f"subscription got {len(subscriber.events)}"
    )


def read_log(server: Any, token: str, cluster: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    while True:
        body = server.graphql(PAGE, {"c": cluster, "after": len(events)}, token)
        page = body["data"]["cluster"]["events"]
        events += page["events"]
        if not page["hasMore"]:
            return events


def check_log(log: list[dict[str, Any]], storm: Storm) -> None:
    assert [e["position"] for e in log] == list(range(1, len(log) + 1))
    admitted = [e["data"]["name"] for e in log if e["type"] == "SubjectAdmitted"]
    missing = [n for n in storm.answered if admitted.count(n) != 1]
    assert not missing, f"answered writes not in the log exactly once: {missing}"
    assert all(admitted.count(n) <= 1 for n in storm.cut_off)


def check_readers(log: list[dict[str, Any]], storm: Storm, subscriber: Subscriber) -> None:
    assert not storm.late, storm.late
    by_position = {e["position"]: e["hash"] for e in log}
    assert storm.tail and all(by_position[p] == h for p, h in storm.tail)
    delivered = [e["position"] for e in subscriber.events]
    assert delivered == list(range(1, len(delivered) + 1)), "the subscription skipped or repeated"
    assert all(by_position[e["position"]] == e["hash"] for e in subscriber.events)
    assert not subscriber.errors, subscriber.errors


def check_view(
    server: Any, token: str, cluster: str, answered: list[str], log: list[dict[str, Any]]
) -> None:
    """The view catches up with the log after the restart (projection resumes), and
    then holds exactly the log's subjects: none twice, none missing, none extra."""
    query = "query($c: ID!) { cluster(id: $c) { subjects { name } } }"
    admitted = sorted(e["data"]["name"] for e in log if e["type"] == "SubjectAdmitted")
    deadline = time.monotonic() + 30
    while True:
        subjects = server.graphql(query, {"c": cluster}, token)["data"]["cluster"]["subjects"]
        names = sorted(s["name"] for s in subjects)
        if names == admitted or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert set(answered) <= set(names), f"not in the view: {sorted(set(answered) - set(names))[:5]}"
    assert names == admitted, "the view differs from the log it was projected from"
