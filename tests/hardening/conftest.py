"""One container per backend for a whole test module (the generated suites run
hundreds of calls; building a container and two worlds per call would not fit
the CI budget). PostgreSQL uses the session's database (tests/conftest.py) and
leaves it as clean as it found it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from infra.bootstrap import DIRECTORY_SCHEMA, Container, bootstrap
from infra.settings import Settings


def clean(url: str) -> None:
    """Drops the cluster schemas and the directory (as tests/conftest.py does)."""
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'cluster\\_%%' OR nspname = %s",
            (DIRECTORY_SCHEMA,),
        ).fetchall()
        for (schema,) in rows:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def shutdown(container: Container) -> None:
    container.close()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def shared_container(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Container]:
    data_dir: Path = tmp_path_factory.mktemp(f"hardening-{request.param}")
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    if url:
        clean(url)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=data_dir,
        database_url=url,
        signing_key_path=data_dir / "signing-key.jwk",
        log_level="WARNING",
    )
    container = bootstrap(settings)
    try:
        yield container
    finally:
        shutdown(container)
        if url:
            clean(url)
