"""`clusterwork serve` takes what its start built out of the cyclic garbage
collector's reach before it serves (infra/cli.py, keep_the_start_out_of_collections):
every full collection walked those objects again, about 130 ms each."""

from __future__ import annotations

import gc
import socket
from pathlib import Path

import pytest
import uvicorn
from click.testing import CliRunner

from infra.cli import main


def test_serve_freezes_its_start_before_it_serves(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    frozen_when_serving: list[int] = []

    def run(server: uvicorn.Server, sockets: list[socket.socket]) -> None:
        frozen_when_serving.append(gc.get_freeze_count())
        for listening in sockets:
            listening.close()

    monkeypatch.setattr(uvicorn.Server, "run", run)
    environment: dict[str, str | None] = {
        "CLUSTERWORK_DATABASE_URL": None,
        "CLUSTERWORK_DATA_DIR": str(tmp_path),
        "CLUSTERWORK_HOST": "127.0.0.1",
        "CLUSTERWORK_PORT": "0",
        "CLUSTERWORK_LOG_LEVEL": "WARNING",
    }
    gc.unfreeze()
    try:
        done = CliRunner().invoke(main, ["serve"], env=environment)
    finally:
        gc.unfreeze()  # this test process's objects go back to the collector
    assert done.exit_code == 0, done.output
    # The modules, the schema, the engines and the container: tens of thousands.
    assert frozen_when_serving and frozen_when_serving[0] > 20_000
    assert gc.get_freeze_count() == 0
