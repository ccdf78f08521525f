"""`clusterwork serve` (or any command) in a process of its own, on a free port, with an
environment holding none of the caller's CLUSTERWORK_* settings."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

START_SECONDS = 60


class LaunchError(RuntimeError):
    """The process is missing, exited, or did not become ready in time."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clusterwork_command() -> str:
    """The installed console script beside this interpreter (pip install -e .)."""
    script = Path(sys.executable).parent / "clusterwork"
    if not script.exists():
        raise LaunchError(f"{script} is missing: install the package (make install)")
    return str(script)


def server_env(
    data_dir: Path,
    port: int | None = None,
    database_url: str | None = None,
    *,
    log_level: str = "WARNING",
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The caller's environment without its CLUSTERWORK_*, plus these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERWORK_")}
    env.update(
        CLUSTERWORK_DATA_DIR=str(data_dir),
        CLUSTERWORK_HOST="127.0.0.1",
        CLUSTERWORK_LOG_LEVEL=log_level,
        PYTHONUNBUFFERED="1",
    )
    if port is not None:
        env["CLUSTERWORK_PORT"] = str(port)
    if database_url:
        env["CLUSTERWORK_DATABASE_URL"] = database_url
    env.update(extra or {})
    return env


def cli_in_process(env: Mapping[str, str], cwd: Path, *args: str) -> str:
    """`clusterwork ARGS` run by this interpreter (click's test runner), with exactly
    ``env``'s CLUSTERWORK_* settings, in ``cwd``: the command's own code without a new
    interpreter's start-up (2-3 s of CPU on a small machine, which tests that only
    need a token paid dozens of times). For commands that end by themselves and leave
    nothing running (``token``); its stdout, or LaunchError with its message."""
    from click.testing import CliRunner

    from infra.cli import main

    settings: dict[str, str | None] = {k: None for k in os.environ if k.startswith("CLUSTERWORK_")}
    settings.update({k: v for k, v in env.items() if k.startswith("CLUSTERWORK_")})
    before = Path.cwd()
    os.chdir(cwd)  # where `.env` is read from, as for the process run_cli starts
    try:
        done = CliRunner(env=settings).invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(before)
    if done.exit_code != 0:
        raise LaunchError(f"clusterwork {' '.join(args)} exited {done.exit_code}:\n{done.stderr}")
    return done.stdout


def run_cli(
    env: Mapping[str, str], cwd: Path, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`clusterwork ARGS` in a process of its own with exactly ``env``, run in ``cwd``."""
    return subprocess.run(
        [clusterwork_command(), *args],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def cli(env: dict[str, str], cwd: Path, *args: str, timeout: float = 120) -> str:
    """`clusterwork ARGS` with a server's settings; its stdout, or LaunchError with
    its stderr when it fails."""
    done = run_cli(env, cwd, *args, timeout=timeout)
    if done.returncode != 0:
        raise LaunchError(f"clusterwork {' '.join(args)} exited {done.returncode}:\n{done.stderr}")
    return done.stdout


@contextmanager
def running(
    argv: list[str], env: dict[str, str], cwd: Path, out: Path, err: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Runs ``argv`` with its output in ``out`` (and ``err``, else ``out`` too);
    always stops it."""
    with out.open("w") as stdout:
        if err is None:
            process = subprocess.Popen(
                argv, env=env, cwd=cwd, stdout=stdout, stderr=subprocess.STDOUT
            )
        else:
            with err.open("w") as stderr:
                process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=stdout, stderr=stderr)
    try:
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminates the process, and kills it when it does not exit in time."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def healthy(base_url: str) -> bool:
    """Whether GET /healthz answers 200."""
    try:
        return httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def wait_until(
    process: subprocess.Popen[bytes],
    ready: Callable[[], bool],
    log: Path,
    seconds: float = START_SECONDS,
) -> None:
    """Returns once ``ready()``; LaunchError (with the log's tail) when the process
    exits first or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LaunchError(
                f"{process.args!r} exited {process.returncode}:\n"
                f"{log.read_text(errors='replace')[-3000:]}"
            )
        if ready():
            return
        time.sleep(0.1)
    raise LaunchError(
        f"{process.args!r} did not start in {seconds}s:\n{log.read_text(errors='replace')[-3000:]}"
    )


@contextmanager
def serve(
    data_dir: Path,
    env: dict[str, str],
    port: int,
    *args: str,
    name: str = "serve",
    merge_output: bool = False,
    ready: Callable[[], bool] = lambda: True,
    seconds: float = START_SECONDS,
) -> Iterator[subprocess.Popen[bytes]]:
    """`clusterwork serve --port PORT ARGS` in ``data_dir``, its output in NAME.out and
    NAME.err (or NAME.log when merged); yields once /healthz answers and ``ready()``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if merge_output:
        out, err = data_dir / f"{name}.log", None
    else:
        out, err = data_dir / f"{name}.out", data_dir / f"{name}.err"
    argv = [clusterwork_command(), "serve", "--port", str(port), *args]
    base_url = f"http://127.0.0.1:{port}"
    with running(argv, env, data_dir, out, err) as process:
        wait_until(process, lambda: ready() and healthy(base_url), err or out, seconds)
        yield process


# What `clusterwork serve --demo` prints before it serves (infra/cli.py, _announce_demo).
def printed_token(lines: list[str]) -> str:
    """The line after "Coordinator token" (empty until printed)."""
    for index, line in enumerate(lines[:-1]):
        if line.startswith("Coordinator token"):
            return lines[index + 1].strip()
    return ""


def printed_value(lines: list[str], label: str) -> str:
    return next(line.removeprefix(label).strip() for line in lines if line.startswith(label))
