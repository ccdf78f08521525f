"""One container per backend for a whole test module (the generated suites run
hundreds of calls; building a container and two worlds per call would not fit
the CI budget). PostgreSQL uses the session's database (tests/conftest.py) and
leaves it as clean as it found it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from store_support import close_container, drop_partitions, make_container

from infra.bootstrap import Container


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def shared_container(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Container]:
    data_dir: Path = tmp_path_factory.mktemp(f"hardening-{request.param}")
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    if url:
        drop_partitions(url)
    container = make_container(data_dir, url)
    try:
        yield container
    finally:
        close_container(container)
        if url:
            drop_partitions(url)
