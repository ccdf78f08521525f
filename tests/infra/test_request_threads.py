"""GraphQL operations run in a bounded pool of threads per API process, sized
for the backend (CLUSTERWORK_REQUEST_THREADS, README "Settings")."""

from __future__ import annotations

import dataclasses
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pydantic import ValidationError

from infra import settings as settings_module
from infra.app import REQUEST_THREAD_PREFIX, create_app
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


def request_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith(REQUEST_THREAD_PREFIX)}


def test_concurrent_operations_share_the_configured_threads(
    container: Container, cluster: ClusterInfo, operator: Principal
) -> None:
    bounded = container.settings.model_copy(update={"request_threads": 2})
    app = create_app(dataclasses.replace(container, settings=bounded))
    headers = {"Authorization": f"Bearer {container.tokens.mint(operator)}"}
    before = request_threads()
    with TestClient(app) as client:

        def viewer(_: int) -> str:
            # name reads the directory: an operation for the pool (the id alone would not be)
            query = "{ viewer { id name } }"
            response = client.post("/graphql", json={"query": query}, headers=headers)
            assert response.status_code == 200, response.text
            return str(response.json()["data"]["viewer"]["id"])

        with ThreadPoolExecutor(12) as callers:
            answers = list(callers.map(viewer, range(48)))
        used = request_threads() - before
    assert answers == [operator.person_id] * 48
    # The operations ran in the app's pool (not in Python's default one), and
    # twelve callers at once did not make it grow past its size.
    assert 1 <= len(used) <= 2, sorted(t.name for t in used)
