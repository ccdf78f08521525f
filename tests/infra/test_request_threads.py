"""GraphQL operations run in bounded pools of threads per API process: queries
in one sized for the CPUs (CLUSTERWORK_READ_THREADS), mutations in one sized for
the backend (CLUSTERWORK_REQUEST_THREADS), README "Settings"."""

from __future__ import annotations

import dataclasses
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from infra import settings as settings_module
from infra.app import READ_THREAD_PREFIX, REQUEST_THREAD_PREFIX, create_app
from infra.bootstrap import Container
from infra.settings import Settings
from services.principal import Principal

with warnings.catch_warnings():  # starlette would rather see httpx2; httpx is what we ship
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient
from services.dto import ClusterInfo


def sized(cpus: int, monkeypatch: pytest.MonkeyPatch, **values: object) -> int:
    monkeypatch.setattr(settings_module, "usable_cpus", lambda: cpus)
    return Settings(_env_file=None, data_dir=Path("unused"), **values).request_pool_size  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("cpus", "sqlite", "postgres"), [(1, 2, 5), (2, 2, 6), (8, 8, 12), (64, 64, 32)]
)
def test_the_default_follows_the_cpus_and_the_backend(
    cpus: int, sqlite: int, postgres: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # README: on SQLite the number of CPUs, at least 2; on PostgreSQL CPUs + 4, up to 32.
    assert sized(cpus, monkeypatch) == sqlite
    assert sized(cpus, monkeypatch, database_url="postgresql://db/x") == postgres


def test_a_set_value_wins_and_nonsense_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    assert sized(2, monkeypatch, request_threads=7) == 7
    assert sized(2, monkeypatch, request_threads=7, database_url="postgresql://db/x") == 7
    for wrong in (0, -1, 257):
        with pytest.raises(ValidationError, match="request_threads"):
            sized(2, monkeypatch, request_threads=wrong)


def threads(prefix: str) -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith(prefix)}


def read_sized(cpus: int, monkeypatch: pytest.MonkeyPatch, **values: object) -> int:
    monkeypatch.setattr(settings_module, "usable_cpus", lambda: cpus)
    return Settings(_env_file=None, data_dir=Path("unused"), **values).read_pool_size  # type: ignore[call-arg]


@pytest.mark.parametrize(("cpus", "expected"), [(1, 2), (2, 2), (8, 8), (64, 64)])
def test_queries_get_the_cpus_on_either_backend(
    cpus: int, expected: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # README: CLUSTERWORK_READ_THREADS defaults to the number of CPUs, at least 2.
    assert read_sized(cpus, monkeypatch) == expected
    assert read_sized(cpus, monkeypatch, database_url="postgresql://db/x") == expected
    assert read_sized(cpus, monkeypatch, read_threads=5) == 5
    for wrong in (0, -1, 257):
        with pytest.raises(ValidationError, match="read_threads"):
            read_sized(cpus, monkeypatch, read_threads=wrong)


def test_queries_and_mutations_run_in_their_own_configured_threads(
    container: Container, cluster: ClusterInfo, operator: Principal
) -> None:
    bounded = container.settings.model_copy(update={"request_threads": 2, "read_threads": 3})
    app = create_app(dataclasses.replace(container, settings=bounded))
    headers = {"Authorization": f"Bearer {container.tokens.mint(operator)}"}
    readers_before, writers_before = threads(READ_THREAD_PREFIX), threads(REQUEST_THREAD_PREFIX)
    with TestClient(app) as client:

        def post(query: str) -> dict[str, Any]:
            response = client.post("/graphql", json={"query": query}, headers=headers)
            assert response.status_code == 200, response.text
            answer = response.json()
            assert "errors" not in answer, answer
            return answer["data"]  # type: ignore[no-any-return]

        def viewer(_: int) -> str:
            # name reads the directory: a query for the pool (the id alone would not be)
            return str(post("{ viewer { id name } }")["viewer"]["id"])

        def admit(i: int) -> str:
            mutation = (
                f'mutation {{ admitSubject(clusterId: "{cluster.id}", '
                f'input: {{name: "School {i}", kind: SCHOOL}}) {{ id }} }}'
            )
            return str(post(mutation)["admitSubject"]["id"])

        with ThreadPoolExecutor(12) as callers:
            answers = list(callers.map(viewer, range(48)))
            readers = threads(READ_THREAD_PREFIX) - readers_before
            writers = threads(REQUEST_THREAD_PREFIX) - writers_before
            admitted = list(callers.map(admit, range(12)))
        after_writes = threads(REQUEST_THREAD_PREFIX) - writers_before
    assert answers == [operator.person_id] * 48
    assert len(set(admitted)) == 12
    # The queries ran in the app's pool for queries (not in Python's default one,
    # nor among the mutations), and twelve callers at once did not make it grow
    # past its size; the mutations ran in theirs, bounded likewise.
    assert 1 <= len(readers) <= 3, sorted(t.name for t in readers)
    assert not writers, sorted(t.name for t in writers)
    assert 1 <= len(after_writes) <= 2, sorted(t.name for t in after_writes)
