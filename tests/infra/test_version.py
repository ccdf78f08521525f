"""The release an operator runs is the one pyproject.toml names, wherever they look:
`clusterwork --version`, GET /healthz and the header of an audit export."""

from __future__ import annotations

import tomllib
import warnings
from pathlib import Path

from click.testing import CliRunner

from infra.app import create_app
from infra.bootstrap import bootstrap
from infra.cli import main
from infra.settings import Settings
from infra.version import application_version

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
with warnings.catch_warnings():  # starlette would rather see httpx2; httpx is what we ship
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

VERSION = tomllib.loads(PYPROJECT.read_text())["project"]["version"]


def test_the_command_line_prints_the_release() -> None:
    done = CliRunner().invoke(main, ["--version"])
    assert done.exit_code == 0
    assert done.stdout.strip() == f"clusterwork, version {VERSION}"


def test_healthz_names_the_release(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, log_level="WARNING")  # type: ignore[call-arg]
    container = bootstrap(settings)
    try:
        with TestClient(create_app(container)) as client:
            assert client.get("/healthz").json() == {"status": "ok", "version": VERSION}
    finally:
        container.close()


def test_an_export_names_the_release_that_wrote_it() -> None:
    assert application_version() == f"clusterwork {VERSION}"
