"""`clusterwork serve` (and so `make run`) on a port another process holds: one
clear line on stderr and a non-zero exit, before any banner or token is printed
and before a data directory is created."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

from e2e_server import REPO, clusterwork_command, server_env


def test_a_busy_port_is_one_line_before_any_banner_or_token(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = subprocess.run(
            [clusterwork_command(), "serve", "--demo", "--port", str(port)],
            env=server_env(data_dir, port, None),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode != 0
    assert done.stdout == ""  # no "Demo cluster:", no token
    lines = done.stderr.strip().splitlines()
    assert lines == [
        f"Error: cannot listen on 127.0.0.1:{port} (address already in use): choose another "
        "port with --port or CLUSTERWORK_PORT (make run PORT=8001)"
    ]
    assert list(tmp_path.iterdir()) == []


def test_make_run_passes_port_and_host_when_given() -> None:
    def dry_run(*args: str) -> list[str]:
        # Under `make test` this make is a sub-make, which would print "Entering directory".
        command = ["make", "--no-print-directory", "-n", "run", *args]
        made = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=60)
        assert made.returncode == 0, made.stderr
        return made.stdout.strip().splitlines()[-1].split()

    assert dry_run("PORT=8001", "HOST=0.0.0.0")[-5:] == [
        "--demo",
        "--host",
        "0.0.0.0",
        "--port",
        "8001",
    ]
    assert dry_run("PORT=", "HOST=")[-2:] == ["serve", "--demo"]
