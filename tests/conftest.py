"""Shared fixtures: a fresh Container on SQLite and on PostgreSQL, an operator,
a founded cluster and member principals.

PostgreSQL: one fresh database ``cw_test_<random>`` per test session, created
on the server's ``postgres`` database and dropped at the end. Each test gets a
clean slate: after it, the container's pools are closed and every schema it
created (``cluster_<hex>`` and ``clusterwork_directory``) is dropped.

When the server is unreachable, PostgreSQL tests skip locally and FAIL when
CI=true, so a broken CI database can never turn the suite green.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from pg_support import ADMIN_URL, unsynced_database
from psycopg import sql

from domain.cluster import ClusterFounding
from infra.bootstrap import DIRECTORY_SCHEMA, Container, bootstrap
from infra.settings import Settings
from services.dto import ClusterInfo
from services.principal import Principal


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def admin_connection() -> psycopg.Connection:
    return psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)


def require_postgres() -> None:
    """Skips (locally) or fails (CI=true) when the server cannot be reached."""
    try:
        with admin_connection() as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        reason = f"PostgreSQL at {ADMIN_URL} is unreachable: {str(error).strip()}"
        if in_ci():
            pytest.fail(f"{reason} (CI=true: PostgreSQL tests must run, not skip)")
        pytest.skip(reason)


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new, empty database; yields its URL and drops it afterwards."""
    require_postgres()
    with unsynced_database("cw_test") as url:
        yield url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The session's own PostgreSQL database."""
    with fresh_database() as url:
        yield url


@pytest.fixture
def own_postgres_url() -> Iterator[str]:
    """A PostgreSQL database of this test alone (dropped afterwards)."""
    with fresh_database() as url:
        yield url


def drop_partitions(url: str) -> None:
    """Drops every schema a container created in ``url``'s database."""
    with psycopg.connect(url, autocommit=True) as conn:
        schemas = [
            row[0]
            for row in conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'cluster\\_%%' "
                "OR nspname = %s",
                (DIRECTORY_SCHEMA,),
            )
        ]
        for schema in schemas:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def close_container(container: Container) -> None:
    """Closes the container's connection pools (PostgreSQL) and engines."""
    container.close()


def make_container(data_dir: Path, database_url: str | None = None, **overrides) -> Container:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=data_dir,
        database_url=database_url,
        signing_key_path=data_dir / "signing-key.jwk",
        log_level="WARNING",
        **overrides,
    )
    return bootstrap(settings)


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def container(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Container]:
    """A fresh Container on the parametrised backend."""
    if backend == "sqlite":
        built = make_container(tmp_path / "data")
        yield built
        close_container(built)
        return
    url = request.getfixturevalue("postgres_url")
    drop_partitions(url)  # a clean slate even if an earlier test died mid-way
    built = make_container(tmp_path / "data", url)
    try:
        yield built
    finally:
        close_container(built)
        drop_partitions(url)


@pytest.fixture
def operator() -> Principal:
    """A platform operator (may found clusters); unique per test."""
    return Principal(f"op-{uuid.uuid4().hex[:8]}", "Olga Operator", "olga@ops.example", True)


@pytest.fixture
def cluster(container: Container, operator: Principal) -> ClusterInfo:
    """A cluster founded by ``operator``, who is its first coordinator."""
    return container.registry.found_cluster(
        operator, ClusterFounding("Tomsk cluster", "Tomsk", "GEOGRAPHIC")
    )


MemberPrincipal = Callable[..., Principal]


@pytest.fixture
def member_principal(container: Container, cluster: ClusterInfo) -> MemberPrincipal:
    """Makes a signed-in person who acts as ``member_id`` in a cluster
    (default: the ``cluster`` fixture's)."""

    def make(member_id: str, cluster_id: str | None = None, name: str = "Member") -> Principal:
        person = Principal(f"person-{uuid.uuid4().hex[:8]}", name, None, False)
        container.directory.ensure_person(person.person_id, person.name, person.email)
        container.directory.link(person.person_id, cluster_id or cluster.id, member_id)
        return person

    return make


@pytest.fixture
def outsider() -> Principal:
    """Signed in, but a member of no cluster."""
    return Principal(f"nobody-{uuid.uuid4().hex[:8]}", "Nobody", None, False)


# --- CI=true: nothing may skip ------------------------------------------------
# A skip in CI hides a broken database, server or contract file behind a green
# run, so every skip (postgres, e2e, anything else) is reported as a failure.


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    outcome = yield
    report = outcome.get_result()
    if in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"CI=true runs every test, but this one was skipped: {reason}"


# First, so that the terminal summary and pytest-xdist's worker, which sends the
# report to the controller, both see the failure rather than a skip.
@pytest.hookimpl(tryfirst=True)
def pytest_collectreport(report: pytest.CollectReport) -> None:
    if in_ci() and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"module skipped under CI=true: {report.longrepr}"


# --- pytest-xdist: one worker per session-wide server -------------------------
# tests/e2e and tests/sso start their servers (and identity providers) once per
# session; under `--dist loadgroup` the tests of one such server share a worker,
# so each server starts once per run rather than once per worker. The e2e server
# is one per backend (the postgres param carries the postgres mark): two groups.
SESSION_SERVER_FIXTURES = {"server", "operator_token", "institutions", "fake_issuer_running"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        area = item.path.parent.name
        if area in {"e2e", "sso"} and SESSION_SERVER_FIXTURES & set(item.fixturenames):
            backend = "postgres" if item.get_closest_marker("postgres") else "sqlite"
            item.add_marker(pytest.mark.xdist_group(f"{area}-servers-{backend}"))
