"""A read model built by older projection versions, opened by `clusterwork serve`:
the server rebuilds it blue/green in the background while 4 HTTP clients keep
querying and writing; no request fails, every answer holds every subject that
was there before and each client's own, and the switch happens under them."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e_server import OPERATIONS, fresh_database, serve

from domain.cluster import SubjectAdmission
from infra.bootstrap import Container, bootstrap
from infra.cli_context import operator_principal
from infra.settings import Settings

SEEDED = 6000  # long enough that the rebuild runs for a while under the clients
CLIENTS = 4
OVERVIEW = (OPERATIONS / "cluster_overview.graphql").read_text()
ADMIT = (OPERATIONS / "admit_subject.graphql").read_text()


@contextmanager
def store(data_dir: Path, database_url: str | None) -> Iterator[Container]:
    """The server's store, opened in this process (the server is stopped)."""
    container = bootstrap(
        Settings(_env_file=None, data_dir=data_dir, database_url=database_url, log_level="WARNING")  # type: ignore[call-arg]
    )
    try:
        yield container
    finally:
        container.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    if request.param == "sqlite":
        yield None
        return
    with fresh_database() as url:
        yield url


def test_serve_rebuilds_an_outdated_read_model_under_clients(
    tmp_path: Path, database_url: str | None
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with serve(data_dir, database_url) as first:
        cluster_id = first.demo_cluster_id
    with store(data_dir, database_url) as container:
        operator = operator_principal("Platform operator")  # the demo's founder
        # Saved 100 to a transaction: the history only has to be long, and one
        # command per subject would spend most of the test seeding it.
        partition = container.partitions.open(cluster_id)
        cluster = partition.app.repository.get(uuid.UUID(cluster_id))
        for i in range(SEEDED):
            cluster.admit(str(uuid.uuid4()), SubjectAdmission(f"Seeded {i}", "SCHOOL"))
            if i % 100 == 99 or i == SEEDED - 1:
                partition.app.save(cluster)
        live = container.partitions.open(cluster_id).read_model
        # As if every projection's code were newer than the tables.
        live.record_versions(dict.fromkeys(container.projector.versions(live), 0))
        before = {s.id for s in container.queries.scope(operator, cluster_id).subjects()}

    with serve(data_dir, database_url) as server, store(data_dir, database_url) as watcher:
        errors: list[BaseException] = []
        requests: list[tuple[float, float]] = []  # (sent, answered) of every client request
        stop = threading.Event()
        states: list[tuple[float, str]] = []

        def call(client: httpx.Client, query: str, variables: dict[str, Any]) -> dict[str, Any]:
            sent = time.monotonic()
            response = client.post(
                "/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {server.token}"},
            )
            body = response.json()
            assert response.status_code == 200 and not body.get("errors"), body
            requests.append((sent, time.monotonic()))
            return body["data"]  # type: ignore[no-any-return]

        def client(number: int) -> None:
            mine: set[str] = set()
            try:
                with httpx.Client(base_url=server.base_url, timeout=60) as http:
                    while not stop.is_set():
                        variables = {"name": f"Client {number}-{len(mine)}", "kind": "COLLEGE"}
                        added = call(http, ADMIT, {"clusterId": cluster_id, "input": variables})
                        mine.add(added["admitSubject"]["id"])
                        shown = call(http, OVERVIEW, {"id": cluster_id})["cluster"]["subjects"]
                        ids = {s["id"] for s in shown}
                        assert before <= ids, "a partial view: subjects that were there are missing"
                        assert mine <= ids, "a client's own write is missing"
            except BaseException as error:
                errors.append(error)
                stop.set()

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        partition = watcher.partitions.open(cluster_id)
        deadline = time.monotonic() + 120
        try:
            while time.monotonic() < deadline and not stop.is_set():
                state = watcher.rebuilds.status(partition).state
                states.append((time.monotonic(), state))
                if state == "current":
                    break
                time.sleep(0.02)
            time.sleep(1.0)  # the clients go on against the new tables
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
        assert not errors, errors[0]
        assert states[-1][1] == "current", states[-3:]
        rebuilding = [at for at, state in states if state == "rebuilding"]
        assert rebuilding, "the rebuild was never seen under way"
        during = [r for r in requests if r[0] <= states[-1][0] and r[1] >= rebuilding[0]]
        assert during, "no client request ran during the rebuild"
        live = partition.read_model
        assert live.versions() == watcher.projector.versions(live)
        assert not watcher.partitions.next_read_model(cluster_id).exists()
