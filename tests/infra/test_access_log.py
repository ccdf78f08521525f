"""`clusterwork serve` logs one line per request only when asked
(CLUSTERWORK_ACCESS_LOG): a reverse proxy logs requests already, and the line
cost a tenth of a trivial request's CPU."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner

from infra import cli
from infra.cli import main


def served_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str | None) -> Any:
    configs: list[uvicorn.Config] = []

    def run(server: uvicorn.Server, sockets: list[socket.socket]) -> None:
        configs.append(server.config)
        for listening in sockets:
            listening.close()

    monkeypatch.setattr(uvicorn.Server, "run", run)
    # Not this test process's objects: tests/infra/test_serve_start.py checks the freeze.
    monkeypatch.setattr(cli, "keep_the_start_out_of_collections", lambda: None)
    environment: dict[str, str | None] = {
        # SQLite under tmp_path whatever the caller's environment says (None unsets).
        "CLUSTERWORK_DATABASE_URL": None,
        "CLUSTERWORK_ACCESS_LOG": None,
        "CLUSTERWORK_DATA_DIR": str(tmp_path),
        "CLUSTERWORK_HOST": "127.0.0.1",
        "CLUSTERWORK_PORT": "0",
        "CLUSTERWORK_LOG_LEVEL": "WARNING",
        **env,
    }
    done = CliRunner().invoke(main, ["serve"], env=environment)
    assert done.exit_code == 0, done.output
    [config] = configs
    return config


def test_no_access_log_by_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert served_config(monkeypatch, tmp_path).access_log is False


def test_the_access_log_when_asked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = served_config(monkeypatch, tmp_path, CLUSTERWORK_ACCESS_LOG="true")
    assert config.access_log is True
