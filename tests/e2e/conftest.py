"""One `clusterwork serve --demo` per backend for the whole e2e session:
SQLite under a temporary data directory, and PostgreSQL in a database made
for it and dropped afterwards. The demo cluster is shared by every e2e test:
leave it as seeded (test_serve_demo checks it) and found a cluster of your own
to change things in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from e2e_server import Server, fresh_database, serve


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp(f"serve-{request.param}")
    if request.param == "sqlite":
        with serve(data_dir) as running:
            yield running
        return
    with fresh_database() as url, serve(data_dir, url) as running:
        yield running


@pytest.fixture(scope="session")
def operator_token(server: Server) -> str:
    """`clusterwork token --operator`, run as its own process."""
    return server.cli_token("--operator")
