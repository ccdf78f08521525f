"""`clusterwork ARGS` for tests, with none of the caller's CLUSTERWORK_* settings
but the ones given (``data_dir=…`` becomes CLUSTERWORK_DATA_DIR): in a process of
its own, as an operator runs it, or in this process through click's test runner
where only the command's answers matter (a process spends seconds starting)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import traceback
from collections.abc import Mapping
from pathlib import Path

from testkit.server import run_cli


def _named(settings: Mapping[str, str]) -> dict[str, str]:
    return {f"CLUSTERWORK_{name.upper()}": value for name, value in settings.items()}


def clusterwork(
    cwd: Path, *args: str, timeout: float = 120, **settings: str
) -> subprocess.CompletedProcess[str]:
    """The installed console script in its own process, run in ``cwd``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERWORK_")}
    return run_cli(env | _named(settings), cwd, *args, timeout=timeout)


def clusterwork_here(cwd: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """The same command line in this process: exit code, stdout and stderr as the
    console script would give them (an unexpected exception's traceback is
    added to stderr, where the real script would print it)."""
    from click.testing import CliRunner

    from infra.cli import main

    unset: dict[str, str | None] = {k: None for k in os.environ if k.startswith("CLUSTERWORK_")}
    with contextlib.chdir(cwd):
        done = CliRunner().invoke(main, list(args), env=unset | _named(settings))
    stderr = done.stderr
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        stderr += "".join(traceback.format_exception(done.exception))
    return subprocess.CompletedProcess(list(args), done.exit_code, done.stdout, stderr)
