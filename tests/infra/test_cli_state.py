"""Commands never create state by accident: `token`, `worker`, `audit export|replay`,
`person export` and `cluster status|unseal|move` run against a data directory (SQLite) or
database schema (PostgreSQL) that does not exist refuse with one line on stderr naming the
setting, exit 2, and leave nothing behind; `clusterwork init` creates it, says what it
created, and is idempotent. Every command runs from an empty working directory: the
refusals of each command in this process (what it prints and what it leaves behind), `init`
and the refusals of a setting as processes of their own, as an operator runs them."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from pg_support import fresh_database

from testkit.commands import clusterwork, clusterwork_here

CLUSTER = "6f1c3c52-3a53-4a8e-9d55-2f3f0b8f7c10"
MEMBER = "0b7d9c1e-2f4a-4c5b-8d6e-7f8091a2b3c4"
REFUSING = {
    "token --operator": ["token", "--operator"],
    "token --cluster --member": ["token", "--cluster", CLUSTER, "--member", MEMBER],
    "audit export": ["audit", "export", "--cluster", CLUSTER, "--out", "cluster.ndjson"],
    "audit replay": ["audit", "replay", "--cluster", CLUSTER],
    "projections status": ["projections", "status"],
    "worker": ["worker"],
    "person export": ["person", "export", "--person", MEMBER],
    "cluster status": ["cluster", "status", "--cluster", CLUSTER],
    "cluster unseal": ["cluster", "unseal", "--cluster", CLUSTER],
    "cluster move": ["cluster", "move", "--cluster", CLUSTER, "--to", "moved"],
}


def everything_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def assert_refused(done: subprocess.CompletedProcess[str], setting: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert setting in lines[0] and "clusterwork init" in lines[0], lines[0]
    assert done.stdout == ""


@pytest.mark.parametrize("command", REFUSING.values(), ids=REFUSING.keys())
def test_a_command_refuses_a_missing_data_directory_and_creates_nothing(
    command: list[str], tmp_path: Path
) -> None:
    done = clusterwork_here(tmp_path, *command)
    assert_refused(done, "CLUSTERWORK_DATA_DIR")
    assert f"no data directory {tmp_path.resolve() / 'var'}:" in done.stderr
    assert everything_under(tmp_path) == []


def test_a_configured_data_directory_that_is_missing_is_refused(tmp_path: Path) -> None:
    done = clusterwork(tmp_path, "token", "--operator", data_dir=str(tmp_path / "elsewhere"))
    assert_refused(done, "CLUSTERWORK_DATA_DIR")
    assert str(tmp_path / "elsewhere") in done.stderr
    assert everything_under(tmp_path) == []


def test_an_existing_data_directory_without_its_signing_key_is_refused(tmp_path: Path) -> None:
    assert clusterwork(tmp_path, "init").returncode == 0
    (tmp_path / "var" / "signing-key.jwk").unlink()
    before = everything_under(tmp_path)
    done = clusterwork(tmp_path, "token", "--operator")
    assert_refused(done, "CLUSTERWORK_DATA_DIR")
    assert "no signing key" in done.stderr
    assert everything_under(tmp_path) == before


def test_init_creates_the_data_directory_and_keys_once(tmp_path: Path) -> None:
    first = clusterwork(tmp_path, "init")
    assert first.returncode == 0, first.stderr
    var = tmp_path.resolve() / "var"
    assert first.stdout.splitlines() == [
        f"created data directory {var}",
        f"created signing key {var / 'signing-key.jwk'}",
        f"created secret key {var / 'secret-key'}",
    ]
    key = (var / "signing-key.jwk").read_text()
    again = clusterwork(tmp_path, "init")
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("nothing to create:")
    assert (var / "signing-key.jwk").read_text() == key
    token = clusterwork(tmp_path, "token", "--operator")
    assert token.returncode == 0, token.stderr
    assert token.stdout.strip().splitlines()[-1].count(".") == 2  # a compact JWS


@pytest.fixture(scope="module")
def empty_database() -> Iterator[str]:
    """A database no Clusterwork process has touched (the refusals leave it so)."""
    with fresh_database("cw_state") as url:
        yield url


@pytest.mark.postgres
@pytest.mark.parametrize("command", REFUSING.values(), ids=REFUSING.keys())
def test_a_command_refuses_a_database_without_the_directory_schema(
    command: list[str], tmp_path: Path, empty_database: str
) -> None:
    done = clusterwork_here(tmp_path, *command, database_url=empty_database)
    with psycopg.connect(empty_database) as conn:
        schemas = conn.execute(
            "SELECT schema_name FROM information_schema.schemata"
            " WHERE schema_name NOT LIKE 'pg\\_%' AND schema_name <> 'information_schema'"
        ).fetchall()
    assert_refused(done, "CLUSTERWORK_DATABASE_URL")
    assert 'no directory schema "clusterwork_directory"' in done.stderr
    assert schemas == [("public",)]
    assert everything_under(tmp_path) == []


@pytest.mark.postgres
def test_a_database_that_does_not_exist_is_refused_without_its_password(tmp_path: Path) -> None:
    with fresh_database("cw_state") as url:  # the server is up; this database is not there
        parts = urlsplit(url)
        netloc = f"{parts.username}:hunter2@{parts.hostname}:{parts.port}"
        missing = parts._replace(netloc=netloc, path="/cw_state_never_created").geturl()
    done = clusterwork(tmp_path, "token", "--operator", database_url=missing)
    assert done.returncode == 2, done.stderr
    line = done.stderr.strip()
    assert "\n" not in line and "CLUSTERWORK_DATABASE_URL" in line
    assert "cw_state_never_created" in line and "does not exist" in line
    assert "hunter2" not in line
    assert everything_under(tmp_path) == []


@pytest.mark.postgres
def test_init_creates_the_directory_schema_and_keys_once(tmp_path: Path) -> None:
    with fresh_database("cw_state") as url:
        first = clusterwork(tmp_path, "init", database_url=url)
        assert first.returncode == 0, first.stderr
        assert first.stdout.splitlines()[0].startswith(
            'created directory schema "clusterwork_directory" in the database postgresql://'
        )
        assert [line.split(" /")[0] for line in first.stdout.splitlines()[1:]] == [
            "created signing key",
            "created secret key",
        ]
        again = clusterwork(tmp_path, "init", database_url=url)
        assert again.returncode == 0 and again.stdout.startswith("nothing to create:")
        token = clusterwork(tmp_path, "token", "--operator", database_url=url)
        assert token.returncode == 0, token.stderr
